// The data the relay's parts share: options, what the proxy sends, and what it records once sent.
import type { Frame, Message } from '../../protocol/frame.js';
import type { CapturedFrame } from '../../capture/capture-model.js';
import type { DeflateParams } from '../../protocol/permessage-deflate.js';
import type { Breakpoints } from '../breakpoints.js';
import type { RuleEngine } from '../../rules/rule-engine.js';

export interface RelayOptions {
  /** Negotiated permessage-deflate parameters, or null. */
  deflate: DeflateParams | null;
  /** Payload bytes stored per frame and per message; the rest passes through unrecorded. */
  maxStoredPayload: number;
  /** Breakpoints to honour (the held queue); none when absent. */
  breakpoints?: Breakpoints;
  /** The rules that decide what happens to messages (breakpoints included); none when absent. */
  rules?: RuleEngine;
  /** Whether the capture store is behind right now: a new connection then starts held. */
  holdForStore?: () => boolean;
}

/** A message larger than this cannot be held or re-encoded whole: it streams through as it came. */
export const MAX_COLLECTED_MESSAGE = 64 * 1024 * 1024;

/** A message the proxy sends: text or binary data, or a control frame. */
export interface OutgoingMessage {
  /** The frame's opcode. */
  opcode: number;
  /** The unmasked, uncompressed payload. */
  data: Buffer;
}

/** How the proxy changed a frame or message, and the rules that did; none for traffic that went on as it came. */
export type RelayFlags = Pick<CapturedFrame, 'dropped' | 'edited' | 'injected' | 'rule'>;

/** A message of the proxy's own, queued in a direction. */
export interface OwnMessage {
  opcode: 1 | 2;
  data: Buffer;
  flags: RelayFlags;
  /** When the message it stands for arrived (an edit of a held message). */
  arrivedAt?: number;
}

/** What becomes of a gathered message once a rule or the user has decided. */
export interface MessageOutcome {
  /**
   * forward: the original goes on as it came; drop: its data frames are not forwarded (recorded with
   * originalFlags, dropped), while control frames between its fragments go on.
   */
  original: 'forward' | 'drop';
  /** Flags on the original's records: a rule's mark, or dropped/edited. */
  originalFlags?: RelayFlags;
  /** Messages of the proxy's own that follow it, in order (a replacement, copies). */
  own: OwnMessage[];
  /** Runs once everything before it in the direction is on the wire (replies, closing, aborting). */
  after?: () => void;
}

/** A frame with the time its last byte passed the proxy. */
export interface Timed {
  /** The decoded frame. */
  frame: Frame;
  /** Epoch milliseconds. */
  time: number;
}

/**
 * Something to record once its bytes are on their way, in wire order (a message right after its last
 * frame). time is when it arrived until it leaves a hold; then time is when it went on the wire and
 * arrivedAt when it arrived (see sentAt).
 */
export type Rec =
  | { kind: 'frame'; frame: Frame; time: number; arrivedAt?: number; flags?: RelayFlags }
  | { kind: 'message'; message: Message; time: number; arrivedAt?: number; flags?: RelayFlags };

/**
 * Records that waited (held, or queued behind a held message) and leave now: their time becomes the
 * wire time, so a list in wire order never goes backwards, and the arrival is kept beside it.
 */
export function sentAt(records: Rec[], wireTime: number): Rec[] {
  return records.map((r) => (r.time < wireTime ? { ...r, time: wireTime, arrivedAt: r.arrivedAt ?? r.time } : r));
}

/** A data message gathered whole (with control frames that came between its fragments). */
export interface Collection {
  /** Wire bytes per frame, in order; done once the frame is complete. */
  frames: { bytes: Buffer[]; done?: Timed }[];
  /** Raw bytes gathered. */
  size: number;
  /** The reassembled message, once its last frame is in. */
  message?: Message;
  /** When the message was complete. */
  messageTime?: number;
  /** Where its bytes lie in the chunk being routed, while they all come from that chunk in one run. */
  inChunk?: { start: number; end: number } | null;
}

/** What a gathered message records: its frames in order, then the message. */
export function collectionRecords(c: Collection, flags?: RelayFlags): Rec[] {
  const records: Rec[] = [];
  for (const f of c.frames) {
    if (!f.done) continue;
    // Dropping a message drops its data frames; control frames between them still go on.
    const frameFlags = flags && f.done.frame.opcode < 8 ? flags : undefined;
    records.push({ kind: 'frame', frame: f.done.frame, time: f.done.time, ...(frameFlags ? { flags: frameFlags } : {}) });
  }
  if (c.message) records.push({ kind: 'message', message: c.message, time: c.messageTime!, ...(flags ? { flags } : {}) });
  return records;
}

/** Flags with a rule's name added to those already there. */
export function withRule(flags: RelayFlags | undefined, rule: string): RelayFlags {
  const names = flags?.rule ? flags.rule.split(', ') : [];
  return { ...flags, rule: names.includes(rule) ? flags!.rule! : [...names, rule].join(', ') };
}

/** The same records, each marked dropped. */
export function asDropped(records: Rec[]): Rec[] {
  return records.map((r) => ({ ...r, flags: { ...r.flags, dropped: true } }));
}
