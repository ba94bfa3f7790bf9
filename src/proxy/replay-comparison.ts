// What a replay sends and what it compares. A recorded connection's messages include what the proxy
// changed: messages dropped or replaced at a breakpoint, edited replacements, injected ones. A replay
// sends what the server received (the default) or what the client sent; it compares the server's own
// answers (never a message the proxy injected toward the client), matched by content as well as by
// position, so one extra or missing answer does not make every later one "different".
import type { CapturedMessage } from '../capture/capture-model.js';
import type { ReplayComparison } from '../control/api-types.js';

/** Which client messages a replay sends. */
export type ReplaySource = 'received' | 'sent';

/** A message the proxy sent in place of a held original (the original is dropped and edited). */
function isReplacement(m: CapturedMessage): boolean {
  return m.edited === true && m.dropped !== true;
}

/**
 * The messages to send again. received: what reached the server (nothing dropped or replaced, edits
 * and injections toward the server included). sent: what the client itself sent (originals included,
 * nothing the proxy made).
 */
export function messagesToReplay(messages: readonly CapturedMessage[], source: ReplaySource): CapturedMessage[] {
  return messages.filter((m) => m.direction === 'send' && (source === 'received'
    ? m.dropped !== true
    : m.injected !== true && !isReplacement(m)));
}

/** The server's answers: what it sent toward the client, nothing the proxy injected or sent in its place. */
export function serverAnswers(messages: readonly CapturedMessage[]): CapturedMessage[] {
  return messages.filter((m) => m.direction === 'receive' && m.injected !== true && !isReplacement(m));
}

/** Past this many answer pairs the comparison goes by position only (the content match is quadratic). */
const MAX_ALIGNED_PAIRS = 4_000_000;

/**
 * Compares the server's answers of two connections: equal answers are matched in order (a longest
 * common subsequence), wherever they are; between matches, the rest pair up by position as
 * "different", and what is left over is "missing" (only in the original) or "extra" (only in the replay).
 */
export function compareAnswers(originalId: number, replayId: number, original: readonly CapturedMessage[], replayed: readonly CapturedMessage[]): ReplayComparison {
  const a = original.map(key);
  const b = replayed.map(key);
  const matches = a.length * b.length <= MAX_ALIGNED_PAIRS ? commonSubsequence(a, b) : [];
  const rows: ReplayComparison['rows'] = [];
  const counts = { same: 0, different: 0, missing: 0, extra: 0 };
  const add = (status: keyof typeof counts, i?: number, j?: number) => {
    counts[status]++;
    rows.push({
      index: rows.length, status,
      ...(i !== undefined ? { originalIndex: i, original: show(original[i]!) } : {}),
      ...(j !== undefined ? { replayedIndex: j, replayed: show(replayed[j]!) } : {}),
    });
  };
  let i = 0;
  let j = 0;
  for (const [mi, mj] of [...matches, [a.length, b.length] as const]) {
    // The stretch between two matches: pairs by position, then what is left over.
    while (i < mi && j < mj) add(a[i] === b[j] ? 'same' : 'different', i++, j++);
    while (i < mi) add('missing', i++);
    while (j < mj) add('extra', undefined, j++);
    if (mi < a.length) add('same', i++, j++);
  }
  return { originalId, replayId, ...counts, rows };
}

function key(m: CapturedMessage): string {
  return `${m.message.opcode}:${m.message.data.toString('base64')}`;
}

/** Index pairs of a longest common subsequence of a and b, in order. */
function commonSubsequence(a: readonly string[], b: readonly string[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  // lengths[i * (m + 1) + j]: the LCS length of a[i..] and b[j..].
  const lengths = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * (m + 1) + j] = a[i] === b[j]
        ? lengths[(i + 1) * (m + 1) + j + 1]! + 1
        : Math.max(lengths[(i + 1) * (m + 1) + j]!, lengths[i * (m + 1) + j + 1]!);
    }
  }
  const pairs: [number, number][] = [];
  for (let i = 0, j = 0; i < n && j < m;) {
    if (a[i] === b[j]) pairs.push([i++, j++]);
    else if (lengths[(i + 1) * (m + 1) + j]! >= lengths[i * (m + 1) + j + 1]!) i++;
    else j++;
  }
  return pairs;
}

function show(m: CapturedMessage): string {
  return m.message.opcode === 1 ? m.message.data.toString('utf8') : `base64:${m.message.data.toString('base64')}`;
}
