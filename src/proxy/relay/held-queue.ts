// What waits in one direction behind a message held at a breakpoint, in wire order: pass-through
// bytes, gathered messages, messages of the proxy's own, and further held messages. While it is
// empty, bytes go straight to the receiver.
import type { HeldDecision } from '../breakpoints.js';
import type { Breakpoints } from '../breakpoints.js';
import { collectionRecords, type Collection, type Rec, type RelayFlags } from './relay-types.js';

/** A message held for the user, with what queued behind it (for the UI). */
export interface HeldOut {
  kind: 'held';
  /** The breakpoint queue's id for it. */
  id: number;
  collection: Collection;
  /** The first frames queued behind it (at most MAX_QUEUED_LISTED). */
  queued: { opcode: number; length: number }[];
  /** How many frames queue behind it. */
  queuedCount: number;
}

/** The UI lists this many of the frames behind a held message; past it, only the count grows. */
export const MAX_QUEUED_LISTED = 100;

type OutItem =
  | { kind: 'bytes'; bytes: Buffer[]; record: Rec[] }
  | { kind: 'collection'; collection: Collection }
  | { kind: 'own'; opcode: 1 | 2; data: Buffer; flags: RelayFlags; arrivedAt?: number }
  | HeldOut;

/**
 * How the queue's items leave, once nothing held is ahead of them. Everything leaving the queue
 * waited: it is recorded at the time it goes on the wire, with the time it arrived beside it.
 */
export interface QueueSink {
  /** Sends a gathered message on (as it came, or re-encoded). */
  release(c: Collection): void;
  /** Encodes and sends a message of the proxy's own; arrivedAt: when the held message it replaces arrived. */
  sendOwn(opcode: number, data: Buffer, flags: RelayFlags, arrivedAt?: number): void;
  /** Writes bytes as they are, then records what they carried. */
  writeAndRecord(bytes: Buffer[], records: Rec[]): void;
}

export class HeldQueue {
  private readonly items: OutItem[] = [];

  constructor(
    private readonly sink: QueueSink,
    private readonly breakpoints: Breakpoints | undefined,
  ) {}

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

  appendHeld(id: number, collection: Collection): HeldOut {
    const item: HeldOut = { kind: 'held', id, collection, queued: [], queuedCount: 0 };
    this.items.push(item);
    return item;
  }

  /** A frame queued behind the head: a held head tells the user what it blocks. */
  noteQueuedFrame(opcode: number, length: number): void {
    const head = this.items[0];
    if (head?.kind !== 'held') return;
    if (head.queued.length < MAX_QUEUED_LISTED) head.queued.push({ opcode, length });
    head.queuedCount++;
    this.breakpoints?.updateQueued(head.id, head.queued, head.queuedCount);
  }

  /**
   * Applies the user's decision to a held message. Forwarded as it came, it goes on as gathered;
   * dropped or edited, its data frames are recorded as dropped, the control frames between its
   * fragments go on, and an edit follows as a message of the proxy's own. Returns false when the item
   * is no longer queued. beforeChange runs when the receiver will not see the original.
   */
  resolve(item: HeldOut, decision: HeldDecision, beforeChange: (c: Collection) => void): boolean {
    const at = this.items.indexOf(item);
    if (at < 0) return false;
    const c = item.collection;
    if (decision.action === 'forward' && !decision.editedMessage) {
      this.items[at] = { kind: 'collection', collection: c };
      return true;
    }
    beforeChange(c);
    const controls = c.frames.filter((f) => f.done && f.done.frame.opcode >= 8).flatMap((f) => f.bytes);
    // An edit replaces the original: recorded as dropped and edited (the UI says "replaced").
    const flags = decision.action === 'forward' ? { dropped: true, edited: true } : { dropped: true };
    const replacement: OutItem[] = [{ kind: 'bytes', bytes: controls, record: collectionRecords(c, flags) }];
    if (decision.action === 'forward' && decision.editedMessage) {
      // The edit is the held message as the receiver gets it: it arrived when the original did.
      const arrivedAt = c.messageTime;
      replacement.push({ kind: 'own', opcode: decision.editedMessage.opcode, data: decision.editedMessage.data, flags: { edited: true }, ...(arrivedAt !== undefined ? { arrivedAt } : {}) });
    }
    this.items.splice(at, 1, ...replacement);
    return true;
  }

  /** Sends queued items until the next held message. */
  drain(): void {
    while (this.items.length > 0) {
      const head = this.items[0]!;
      if (head.kind === 'held') break;
      this.items.shift();
      if (head.kind === 'collection') this.sink.release(head.collection);
      else if (head.kind === 'own') this.sink.sendOwn(head.opcode, head.data, head.flags, head.arrivedAt);
      else this.sink.writeAndRecord(head.bytes, head.record);
    }
    const next = this.items[0];
    if (next?.kind === 'held') this.breakpoints?.updateQueued(next.id, next.queued, next.queuedCount);
  }
}
