// What Framescope did with a frame or message, in the words the lists and details show. An edit at a
// breakpoint records the held original as dropped and edited: it was replaced, not dropped.

export interface ProxyFlags {
  injected: boolean;
  edited: boolean;
  dropped: boolean;
}

export type ProxyMark = 'injected' | 'edited' | 'replaced' | 'dropped';

/** The marks a row carries, in the order they are shown. */
export function proxyMarks(f: ProxyFlags): ProxyMark[] {
  const marks: ProxyMark[] = [];
  if (f.injected) marks.push('injected');
  if (f.dropped && f.edited) marks.push('replaced');
  else if (f.dropped) marks.push('dropped');
  else if (f.edited) marks.push('edited');
  return marks;
}

/** One sentence per mark, for a detail panel. */
export function proxyActionText(f: ProxyFlags): string {
  return proxyMarks(f).map((mark) => ({
    injected: 'Made by Framescope (injected).',
    edited: 'Sent by Framescope in place of the held original (edited).',
    replaced: 'Not forwarded: replaced by an edited version at a breakpoint.',
    dropped: 'Not forwarded: dropped at a breakpoint, or after Framescope\'s own close frame.',
  })[mark]).join(' ');
}
