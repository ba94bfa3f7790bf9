// The in-memory index of a capture file: per frame and per message a few numbers in typed arrays
// (no object per frame), per connection its counters. About 32 bytes per frame and 28 per message,
// so a million frames cost a few tens of MB; everything else is read back from the file. Also how
// the search walks it. Building it from a saved file is capture-scan.ts.
import { FrameFlag, MessageFlag, NO_FRAME, type StoredError } from './capture-file.js';
import type { CapturedFrame, CapturedMessage, ConnectionRecord, Direction } from './capture-model.js';
import type { RecordingGap } from './recording-gap.js';
import { AnnotationBook } from './annotations.js';
import { RuleMarkBook } from './rule-mark-record.js';
import type { RecordPolicyChange } from './record-policy.js';

const CHUNK_BITS = 14;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;

/**
 * A growable column of numbers in chunks of 16,384 entries. Only the last chunk is partial: it starts
 * at 16 entries and doubles, so growing never copies a big array and little memory stands empty.
 */
export class Column<T extends Float64Array | Uint32Array> {
  private readonly chunks: T[] = [];
  /** Number of entries. */
  length = 0;

  constructor(private readonly make: (size: number) => T) {}

  push(value: number): void {
    const c = this.length >>> CHUNK_BITS;
    const i = this.length & CHUNK_MASK;
    let chunk = this.chunks[c];
    if (chunk === undefined) {
      chunk = this.make(16);
      this.chunks.push(chunk);
    } else if (i >= chunk.length) {
      const bigger = this.make(Math.min(CHUNK, chunk.length * 2));
      bigger.set(chunk);
      this.chunks[c] = chunk = bigger;
    }
    chunk[i] = value;
    this.length++;
  }

  get(index: number): number {
    return this.chunks[index >>> CHUNK_BITS][index & CHUNK_MASK];
  }

  set(index: number, value: number): void {
    this.chunks[index >>> CHUNK_BITS][index & CHUNK_MASK] = value;
  }

  /** Bytes held by the column's arrays. */
  get byteLength(): number {
    return this.chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  }

  /** The entries as views of the column's chunks, in order (no copy): what an index snapshot writes. */
  views(): T[] {
    const out: T[] = [];
    for (let c = 0, left = this.length; left > 0; c++, left -= CHUNK) {
      const chunk = this.chunks[c];
      out.push(left >= chunk.length ? chunk : (chunk.subarray(0, left) as T));
    }
    return out;
  }

  /**
   * Takes every entry of an empty column from an array, as views of it in chunks (no copy: the
   * array becomes the column's memory). Pushing later grows the last chunk as usual.
   */
  adopt(values: T): void {
    if (this.length !== 0) throw new Error('only an empty column adopts an array');
    for (let at = 0; at < values.length; at += CHUNK) this.chunks.push(values.subarray(at, Math.min(values.length, at + CHUNK)) as T);
    this.length = values.length;
  }
}

const float64 = (n: number) => new Float64Array(n);
const uint32 = (n: number) => new Uint32Array(n);

/** Bits of a frame's entry in the index. */
export const FrameBits = {
  Receive: 1 << 0,
  /** The opcode is bits 1-4. */
  OpcodeShift: 1,
  Fin: 1 << 5,
  Rsv1: 1 << 6,
  Rsv2: 1 << 7,
  Rsv3: 1 << 8,
  Masked: 1 << 9,
  Truncated: 1 << 10,
  Injected: 1 << 11,
  Edited: 1 << 12,
  Dropped: 1 << 13,
  PayloadNotStored: 1 << 14,
  /** A message names this frame among its frames. */
  InMessage: 1 << 15,
  /** The frame's violation count (0-255) is bits 16-23. */
  ViolationCountShift: 16,
} as const;

/** Bits of a message's entry in the index. */
export const MessageBits = {
  Receive: 1 << 0,
  /** The opcode is bits 1-4. */
  OpcodeShift: 1,
  Compressed: 1 << 5,
  Truncated: 1 << 6,
  DataFromFrames: 1 << 7,
  DataNotStored: 1 << 8,
  /** It has exactly one known frame: its anchor. */
  OneFrame: 1 << 9,
} as const;

export function opcodeOfBits(bits: number): number {
  return (bits >>> 1) & 0xf;
}

/** A frame's violation count from its index bits. */
export function violationCountOfBits(bits: number): number {
  return (bits >>> FrameBits.ViolationCountShift) & 0xff;
}

export function directionOfBits(bits: number): Direction {
  return bits & 1 ? 'receive' : 'send';
}

/** One connection's part of the index. */
export class ConnectionIndex {
  /** The latest record put for it (frames and messages empty), once there is one. */
  record: ConnectionRecord | undefined;
  /** Per frame, by frame number: the record's file offset. */
  readonly frameOffset = new Column(float64);
  /** Per frame: when it was seen, epoch ms. */
  readonly frameTime = new Column(float64);
  /** Per frame: FrameBits. */
  readonly frameBits = new Column(uint32);
  /** Per frame: violation mask (bit = position in VIOLATION_CODES). */
  readonly frameViolations = new Column(uint32);
  /** Per frame: its length field (payload length), exact up to 2^53 - 1. */
  readonly frameLength = new Column(float64);
  /** The exact length fields past 2^53 - 1 (rare: a double rounds them), by frame number. */
  readonly exactLengths = new Map<number, bigint>();
  /** Per message, by message number: the record's file offset. */
  readonly messageOffset = new Column(float64);
  /** Per message: when it completed, epoch ms. */
  readonly messageTime = new Column(float64);
  /** Per message: its final frame's number (NO_FRAME when it has none). */
  readonly messageAnchor = new Column(uint32);
  /** Per message: MessageBits. */
  readonly messageBits = new Column(uint32);
  /** Per message: its own violations and its frames', as a mask. */
  readonly messageViolations = new Column(uint32);
  /** Frames each way. */
  framesSent = 0;
  framesReceived = 0;
  /** Messages each way. */
  messagesSent = 0;
  messagesReceived = 0;
  /** Wire bytes each way: header plus the length field's payload length, per frame. */
  bytesSent = 0;
  bytesReceived = 0;
  /** Violations found, frames' and messages' together. */
  violationCount = 0;
  /** Message anchors never went down (the usual case), so they can be binary-searched. */
  anchorsSorted = true;

  constructor(readonly id: number) {}

  get frameCount(): number {
    return this.frameOffset.length;
  }

  get messageCount(): number {
    return this.messageOffset.length;
  }

  /** Adds a frame and returns its number; `payloadLength` is its length field, exact. */
  addFrame(offset: number, time: number, bits: number, violations: number, violationCount: number, wireBytes: number, payloadLength: bigint | number = 0): number {
    if (typeof payloadLength === 'bigint' && payloadLength > BigInt(Number.MAX_SAFE_INTEGER)) this.exactLengths.set(this.frameOffset.length, payloadLength);
    this.frameOffset.push(offset);
    this.frameTime.push(time);
    this.frameBits.push((bits | (Math.min(violationCount, 0xff) << FrameBits.ViolationCountShift)) >>> 0);
    this.frameViolations.push(violations);
    this.frameLength.push(Number(payloadLength));
    if (bits & FrameBits.Receive) {
      this.framesReceived++;
      this.bytesReceived += wireBytes;
    } else {
      this.framesSent++;
      this.bytesSent += wireBytes;
    }
    this.violationCount += violationCount;
    return this.frameOffset.length - 1;
  }

  /** Adds a message, marks its frames as belonging to one, and returns its number. */
  addMessage(offset: number, time: number, anchor: number, bits: number, ownViolations: number, violationCount: number, frameNumbers: ArrayLike<number>): number {
    let framesViolations = 0;
    for (let i = 0; i < frameNumbers.length; i++) {
      const n = frameNumbers[i];
      if (n >= this.frameCount) continue;
      this.frameBits.set(n, this.frameBits.get(n) | FrameBits.InMessage);
      framesViolations |= this.frameViolations.get(n);
    }
    const violations = ownViolations | framesViolations;
    const count = this.messageOffset.length;
    if (count > 0 && anchorKey(anchor) < anchorKey(this.messageAnchor.get(count - 1))) this.anchorsSorted = false;
    this.messageOffset.push(offset);
    this.messageTime.push(time);
    this.messageAnchor.push(anchor);
    this.messageBits.push(bits);
    this.messageViolations.push(violations >>> 0);
    if (bits & MessageBits.Receive) this.messagesReceived++;
    else this.messagesSent++;
    // A violation about the content (invalid UTF-8) is on the message and on the frame where it was
    // found: it is one violation, counted with the frame.
    this.violationCount += violationCount - bitCount(ownViolations & framesViolations);
    return this.messageOffset.length - 1;
  }

  /** The number of the message whose final frame is frame n, or -1. */
  messageEndingAt(n: number): number {
    const count = this.messageCount;
    if (!this.anchorsSorted) {
      for (let m = 0; m < count; m++) if (this.messageAnchor.get(m) === n) return m;
      return -1;
    }
    let low = 0;
    let high = count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (anchorKey(this.messageAnchor.get(mid)) < n) low = mid + 1;
      else high = mid;
    }
    return low < count && this.messageAnchor.get(low) === n ? low : -1;
  }

  /** Bytes held by this connection's columns. */
  get byteLength(): number {
    return [this.frameOffset, this.frameTime, this.frameBits, this.frameViolations, this.frameLength,
      this.messageOffset, this.messageTime, this.messageAnchor, this.messageBits, this.messageViolations]
      .reduce((sum, column) => sum + column.byteLength, 0);
  }
}

/** A message anchor for ordering: one with no frame (0xffffffff) comes first. */
function anchorKey(anchor: number): number {
  return anchor === 0xffffffff ? -1 : anchor;
}

/** The whole session's index. */
export class CaptureIndex {
  private readonly byId = new Map<number, ConnectionIndex>();
  /** Errors, in order (few: they are kept whole). */
  readonly errors: StoredError[] = [];
  /** Gaps where writes failed and traffic passed unrecorded, in order. */
  readonly gaps: RecordingGap[] = [];
  /** The user's notes, pins and highlights. */
  readonly annotations = new AnnotationBook();
  readonly ruleMarks = new RuleMarkBook();
  /** The recording policy the session started under and each change, in order (none in files older than policies: full). */
  readonly policies: RecordPolicyChange[] = [];
  /**
   * File offsets of the records kept whole above (catalogue, connection, error, annotation, rule
   * mark, gap, policy), in file order: an index snapshot reads them again instead of copying them.
   */
  readonly keptRecords = new Column(float64);
  /** Records of types this version does not know (skipped, but counted as intact). */
  otherRecords = 0;

  /** Intact records the index stands for (checkpoints not counted). */
  get records(): number {
    let sum = this.keptRecords.length + this.otherRecords;
    for (const entry of this.byId.values()) sum += entry.frameCount + entry.messageCount;
    return sum;
  }

  /** The connection's index, created on first use. */
  connection(id: number): ConnectionIndex {
    let entry = this.byId.get(id);
    if (!entry) {
      entry = new ConnectionIndex(id);
      this.byId.set(id, entry);
    }
    return entry;
  }

  /** The connection's index if it has one. */
  find(id: number): ConnectionIndex | undefined {
    return this.byId.get(id);
  }

  /** Every connection's index, by id. */
  all(): ConnectionIndex[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }

  /** Bytes held by the typed arrays of the index. */
  get byteLength(): number {
    let sum = 0;
    for (const entry of this.byId.values()) sum += entry.byteLength;
    return sum;
  }
}

// ---------------------------------------------------------------------------------------------
// Search units: data messages, and frames that belong to no message, in wire order per connection.

/** Walks one connection's search units in wire order (each message right after its final frame). */
export class UnitCursor {
  /** The current unit. */
  unit: 'frame' | 'message' = 'frame';
  /** Its frame or message number. */
  n = 0;
  /** Its record's file offset. */
  offset = 0;
  private f = 0;
  private m = 0;
  // The counts when the search started: what is added during the search is not searched.
  private readonly frameCount: number;
  private readonly messageCount: number;

  constructor(readonly entry: ConnectionIndex) {
    this.frameCount = entry.frameCount;
    this.messageCount = entry.messageCount;
  }

  /** Moves to the next unit; false when there is none. */
  next(): boolean {
    const e = this.entry;
    for (;;) {
      // A message comes right after its final frame (its anchor); one with no frame comes first.
      const anchor = this.m < this.messageCount ? e.messageAnchor.get(this.m) : NO_FRAME;
      const messageKey = this.m < this.messageCount ? (anchor === NO_FRAME ? -1 : 2 * anchor + 1) : Infinity;
      if (this.f < this.frameCount && 2 * this.f < messageKey) {
        const f = this.f++;
        if (e.frameBits.get(f) & FrameBits.InMessage) continue;
        this.unit = 'frame';
        this.n = f;
        this.offset = e.frameOffset.get(f);
        return true;
      }
      if (this.m >= this.messageCount) return false;
      this.unit = 'message';
      this.n = this.m++;
      this.offset = e.messageOffset.get(this.n);
      return true;
    }
  }
}

/** A binary min-heap of cursors by the file offset of their current unit. */
export class UnitQueue {
  private readonly heap: UnitCursor[] = [];

  constructor(cursors: UnitCursor[]) {
    for (const cursor of cursors) this.push(cursor);
  }

  push(cursor: UnitCursor): void {
    const heap = this.heap;
    heap.push(cursor);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].offset <= cursor.offset) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = cursor;
  }

  pop(): UnitCursor | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const child = left + 1 < heap.length && heap[left + 1].offset < heap[left].offset ? left + 1 : left;
        if (heap[child].offset >= last.offset) break;
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

// ---------------------------------------------------------------------------------------------
// Index bits from what the session saw, and from a record's flags

export function frameBits(captured: CapturedFrame, notStored: boolean): number {
  const f = captured.frame;
  let bits = (captured.direction === 'receive' ? FrameBits.Receive : 0) | ((f.opcode & 0xf) << FrameBits.OpcodeShift);
  if (f.fin) bits |= FrameBits.Fin;
  if (f.rsv1) bits |= FrameBits.Rsv1;
  if (f.rsv2) bits |= FrameBits.Rsv2;
  if (f.rsv3) bits |= FrameBits.Rsv3;
  if (f.masked) bits |= FrameBits.Masked;
  if (f.truncated) bits |= FrameBits.Truncated;
  if (captured.injected) bits |= FrameBits.Injected;
  if (captured.edited) bits |= FrameBits.Edited;
  if (captured.dropped) bits |= FrameBits.Dropped;
  if (notStored) bits |= FrameBits.PayloadNotStored;
  return bits;
}

export function frameBitsOfFlags(flags: number, opcode: number): number {
  let bits = (flags & FrameFlag.Receive ? FrameBits.Receive : 0) | ((opcode & 0xf) << FrameBits.OpcodeShift);
  if (flags & FrameFlag.Fin) bits |= FrameBits.Fin;
  if (flags & FrameFlag.Rsv1) bits |= FrameBits.Rsv1;
  if (flags & FrameFlag.Rsv2) bits |= FrameBits.Rsv2;
  if (flags & FrameFlag.Rsv3) bits |= FrameBits.Rsv3;
  if (flags & FrameFlag.Masked) bits |= FrameBits.Masked;
  if (flags & FrameFlag.Truncated) bits |= FrameBits.Truncated;
  if (flags & FrameFlag.Injected) bits |= FrameBits.Injected;
  if (flags & FrameFlag.Edited) bits |= FrameBits.Edited;
  if (flags & FrameFlag.Dropped) bits |= FrameBits.Dropped;
  if (flags & FrameFlag.PayloadNotStored) bits |= FrameBits.PayloadNotStored;
  return bits;
}

export function messageBits(captured: CapturedMessage, dataFromFrames: boolean, dataNotStored: boolean, frameCount: number): number {
  const m = captured.message;
  let bits = (captured.direction === 'receive' ? MessageBits.Receive : 0) | ((m.opcode & 0xf) << MessageBits.OpcodeShift);
  if (m.compressed) bits |= MessageBits.Compressed;
  if (m.truncated) bits |= MessageBits.Truncated;
  if (dataFromFrames) bits |= MessageBits.DataFromFrames;
  if (dataNotStored) bits |= MessageBits.DataNotStored;
  if (frameCount === 1) bits |= MessageBits.OneFrame;
  return bits;
}

export function messageBitsOfFlags(flags: number, opcode: number, frameCount: number): number {
  let bits = (flags & MessageFlag.Receive ? MessageBits.Receive : 0) | ((opcode & 0xf) << MessageBits.OpcodeShift);
  if (flags & MessageFlag.Compressed) bits |= MessageBits.Compressed;
  if (flags & MessageFlag.Truncated) bits |= MessageBits.Truncated;
  if (flags & MessageFlag.DataFromFrames) bits |= MessageBits.DataFromFrames;
  if (flags & MessageFlag.DataNotStored) bits |= MessageBits.DataNotStored;
  if (frameCount === 1) bits |= MessageBits.OneFrame;
  return bits;
}

/** Set bits in a 32-bit mask. */
function bitCount(mask: number): number {
  let n = 0;
  for (let m = mask >>> 0; m !== 0; m &= m - 1) n++;
  return n;
}
