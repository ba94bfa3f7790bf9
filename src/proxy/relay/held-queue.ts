// What waits in one direction behind a held message, in wire order: pass-through bytes, gathered
// messages, messages of the proxy's own, and further held messages. A message is held while a rule
// decides it: the user at a breakpoint, a delay's timer, or a plan that changes it. While the queue
// is empty, bytes go straight to the receiver.
import { collectionRecords, type Collection, type MessageOutcome, type Rec, type RelayFlags } from './relay-types.js';

/** Told how many frames queue behind a held message (the UI shows it for breakpoints). */
export type QueuedListener = (queued: { opcode: number; length: number }[], count: number) => void;

/** A message held until its outcome is known, with what queued behind it. */
export interface HeldOut {
  kind: 'held';
  collection: Collection;
  /** The first frames queued behind it (at most MAX_QUEUED_LISTED). */
  queued: { opcode: number; length: number }[];
  /** How many frames queue behind it. */
  queuedCount: number;
  onQueued?: QueuedListener;
}

/** The UI lists this many of the frames behind a held message; past it, only the count grows. */
export const MAX_QUEUED_LISTED = 100;

type OutItem =
  | { kind: 'bytes'; bytes: Buffer[]; record: Rec[] }
  | { kind: 'collection'; collection: Collection; flags?: RelayFlags }
  | { kind: 'own'; opcode: 1 | 2; data: Buffer; flags: RelayFlags; arrivedAt?: number }
  | { kind: 'after'; run: () => void }
  | HeldOut;

/**
 * How the queue's items leave, once nothing held is ahead of them. Everything leaving the queue
 * waited: it is recorded at the time it goes on the wire, with the time it arrived beside it.
 */
export interface QueueSink {
  /** Sends a gathered message on (as it came, or re-encoded); flags mark its records. */
  release(c: Collection, flags?: RelayFlags): void;
  /** Encodes and sends a message of the proxy's own; arrivedAt: when the held message it replaces arrived. */
  sendOwn(opcode: number, data: Buffer, flags: RelayFlags, arrivedAt?: number): void;
  /** Writes bytes as they are, then records what they carried. */
  writeAndRecord(bytes: Buffer[], records: Rec[]): void;
}

export class HeldQueue {
  private readonly items: OutItem[] = [];

  constructor(private readonly sink: QueueSink) {}

  get length(): number {
    return this.items.length;
  }

  /** Queues bytes behind what waits (joined with bytes already last in line). */
  appendBytes(bytes: Buffer[], records: Rec[]): void {
    const last = this.items[this.items.length - 1];
    if (last?.kind === 'bytes') {
      last.bytes.push(...bytes);
      last.record.push(...records);
    } else {
      this.items.push({ kind: 'bytes', bytes, record: records });
    }
  }

  appendCollection(collection: Collection): void {
    this.items.push({ kind: 'collection', collection });
  }

  appendHeld(collection: Collection, onQueued?: QueuedListener): HeldOut {
    const item: HeldOut = { kind: 'held', collection, queued: [], queuedCount: 0, ...(onQueued ? { onQueued } : {}) };
    this.items.push(item);
    return item;
  }

  /** A frame queued behind the head: a held head tells who listens what it blocks. */
  noteQueuedFrame(opcode: number, length: number): void {
    const head = this.items[0];
    if (head?.kind !== 'held') return;
    if (head.queued.length < MAX_QUEUED_LISTED) head.queued.push({ opcode, length });
    head.queuedCount++;
    head.onQueued?.(head.queued, head.queuedCount);
  }

  /**
   * Puts a held message's outcome in its place. Forwarded, it goes on as gathered; dropped, its data
   * frames are recorded as dropped and the control frames between its fragments go on; the proxy's
   * own messages follow. Returns false when the item is no longer queued. beforeChange runs when the
   * receiver will not see the original.
   */
  resolve(item: HeldOut, outcome: MessageOutcome, beforeChange: (c: Collection) => void): boolean {
    const at = this.items.indexOf(item);
    if (at < 0) return false;
    const c = item.collection;
    const replacement: OutItem[] = [];
    if (outcome.original === 'forward') {
      replacement.push({ kind: 'collection', collection: c, ...(outcome.originalFlags ? { flags: outcome.originalFlags } : {}) });
    } else {
      beforeChange(c);
      const controls = c.frames.filter((f) => f.done && f.done.frame.opcode >= 8).flatMap((f) => f.bytes);
      replacement.push({ kind: 'bytes', bytes: controls, record: collectionRecords(c, { dropped: true, ...outcome.originalFlags }) });
    }
    for (const own of outcome.own) replacement.push({ kind: 'own', ...own });
    if (outcome.after) replacement.push({ kind: 'after', run: outcome.after });
    this.items.splice(at, 1, ...replacement);
    return true;
  }

  /** Sends queued items until the next held message. */
  drain(): void {
    while (this.items.length > 0) {
      const head = this.items[0]!;
      if (head.kind === 'held') break;
      this.items.shift();
      if (head.kind === 'collection') this.sink.release(head.collection, head.flags);
      else if (head.kind === 'own') this.sink.sendOwn(head.opcode, head.data, head.flags, head.arrivedAt);
      else if (head.kind === 'after') head.run();
      else this.sink.writeAndRecord(head.bytes, head.record);
    }
    const next = this.items[0];
    if (next?.kind === 'held') next.onQueued?.(next.queued, next.queuedCount);
  }
}
