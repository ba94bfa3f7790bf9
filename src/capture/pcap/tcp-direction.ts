// One direction of a TCP connection put back in order: segments in (any order, repeated, overlapping),
// the byte stream out. Retransmissions and overlaps keep the first copy and report where a later copy
// disagrees; bytes that are not in the capture become a gap of known length. A gap is declared as soon as
// it is certain (the receiver acknowledged past it, so the capture lost it), when too much waits behind
// it, or when the capture ends. Sequence numbers wrap at 2^32 (RFC 9293 §3.4).

export interface DirectionSink {
  /** The next bytes of the stream, in order; valid only during the call. */
  data(bytes: Buffer, time: number): void;
  /** `length` bytes of the stream are not in the capture. */
  gap(length: number, time: number): void;
  /** A retransmitted or overlapping copy of `length` bytes differs from the first copy, which was kept. */
  differs(length: number, time: number): void;
}

/** Bytes held out of order before the hole in front of them is declared a gap. */
export const MAX_PENDING_BYTES = 4 * 1024 * 1024;
/** Bytes of delivered stream kept to compare retransmissions with. */
const RECENT_BYTES = 64 * 1024;

interface Piece {
  seq: number;
  /** The bytes, or null for bytes known to exist but not captured (cut by the snapshot length). */
  bytes: Buffer | null;
  length: number;
  time: number;
}

/** Signed distance from b to a in sequence space. */
function distance(a: number, b: number): number {
  return (a - b) | 0;
}

export class TcpDirection {
  /** The next sequence number the stream expects; undefined before the first segment. */
  private next: number | undefined;
  private readonly pending: Piece[] = [];
  private pendingBytes = 0;
  private readonly recent: { seq: number; bytes: Buffer }[] = [];
  private recentBytes = 0;
  private finSeq: number | undefined;
  /** The highest acknowledgement the other side sent. */
  private peerAck: number | undefined;
  /** A SYN was seen: the stream's start is in the capture. */
  synSeen = false;
  /** The stream did not start at its SYN: the capture began after the connection did. */
  midStream = false;
  /** Bytes delivered (gaps included). */
  position = 0;
  /** FIN reached in order, or RST seen. */
  ended: 'fin' | 'rst' | undefined;

  constructor(private readonly sink: DirectionSink) {}

  /** Its initial sequence number (from the SYN), or undefined. */
  isn: number | undefined;

  /** A segment this direction sent. payload may be shorter than payloadLength (snapshot length). */
  segment(seq: number, payload: Buffer, payloadLength: number, flags: { syn: boolean; fin: boolean; rst: boolean }, time: number): void {
    if (this.ended) return;
    if (flags.syn) {
      if (this.next === undefined) {
        this.isn = seq;
        this.synSeen = true;
        this.next = (seq + 1) >>> 0;
      }
      seq = (seq + 1) >>> 0;
    }
    if (flags.rst) {
      this.finish(time);
      this.ended = 'rst';
      return;
    }
    if (this.next === undefined) {
      if (payloadLength === 0 && !flags.fin) return;
      this.next = seq;
      this.midStream = true;
    }
    if (flags.fin) this.finSeq = (seq + payloadLength) >>> 0;
    if (payloadLength > 0) {
      const captured = payload.subarray(0, Math.min(payload.length, payloadLength));
      this.insert({ seq, bytes: Buffer.from(captured), length: captured.length, time });
      if (captured.length < payloadLength) this.insert({ seq: (seq + captured.length) >>> 0, bytes: null, length: payloadLength - captured.length, time });
    }
    this.drain(time);
  }

  /** The other direction acknowledged up to ack: everything before it reached the receiver. */
  acknowledged(ack: number, time: number): void {
    if (this.peerAck === undefined || distance(ack, this.peerAck) > 0) this.peerAck = ack;
    if (this.pending.length > 0) this.drain(time);
  }

  /** The capture ended (or the connection was replaced): what waits is delivered, holes as gaps. */
  finish(time: number): void {
    while (this.pending.length > 0) {
      const first = this.pending[0]!;
      const hole = distance(first.seq, this.next!);
      if (hole > 0) this.skip(hole, time);
      this.drain(time);
    }
  }

  private insert(piece: Piece): void {
    const next = this.next!;
    let offset = distance(piece.seq, next);
    if (offset + piece.length <= 0) {
      this.compareRecent(piece);
      return;
    }
    if (offset < 0) {
      this.compareRecent({ ...piece, length: -offset, bytes: piece.bytes && piece.bytes.subarray(0, -offset) });
      piece = cut(piece, -offset);
      offset = 0;
    }
    // Keep the first copy: only the parts no pending piece covers are added.
    const parts: Piece[] = [piece];
    for (const held of this.pending) {
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i]!;
        const start = Math.max(distance(p.seq, next), distance(held.seq, next));
        const end = Math.min(distance(p.seq, next) + p.length, distance(held.seq, next) + held.length);
        if (start >= end) continue;
        this.compare(held, p, start, end, next);
        const before = start - distance(p.seq, next);
        const after = distance(p.seq, next) + p.length - end;
        const replacement: Piece[] = [];
        if (before > 0) replacement.push(cutEnd(p, before));
        if (after > 0) replacement.push(cut(p, p.length - after));
        parts.splice(i, 1, ...replacement);
        i += replacement.length - 1;
      }
    }
    for (const p of parts) {
      const at = this.pending.findIndex((q) => distance(q.seq, p.seq) > 0);
      this.pending.splice(at === -1 ? this.pending.length : at, 0, p);
      this.pendingBytes += p.length;
    }
  }

  private drain(time: number): void {
    for (;;) {
      while (this.pending.length > 0 && distance(this.pending[0]!.seq, this.next!) <= 0) {
        const piece = this.pending.shift()!;
        this.pendingBytes -= piece.length;
        const behind = -distance(piece.seq, this.next!);
        if (behind >= piece.length) continue;
        this.deliver(behind > 0 ? cut(piece, behind) : piece, time);
      }
      if (this.pending.length === 0) break;
      // A hole: declare it lost when the receiver acknowledged past it, or when too much waits behind it.
      const first = this.pending[0]!;
      const acked = this.peerAck !== undefined && distance(this.peerAck, first.seq) >= 0;
      if (!acked && this.pendingBytes <= MAX_PENDING_BYTES) break;
      this.skip(distance(first.seq, this.next!), time);
    }
    if (this.finSeq !== undefined && this.next === this.finSeq && this.pending.length === 0) this.ended = 'fin';
  }

  private deliver(piece: Piece, time: number): void {
    this.next = (this.next! + piece.length) >>> 0;
    this.position += piece.length;
    if (piece.bytes === null) {
      this.sink.gap(piece.length, time);
      return;
    }
    this.recent.push({ seq: piece.seq, bytes: piece.bytes });
    this.recentBytes += piece.length;
    while (this.recent.length > 1 && this.recentBytes - this.recent[0]!.bytes.length >= RECENT_BYTES) this.recentBytes -= this.recent.shift()!.bytes.length;
    this.sink.data(piece.bytes, time);
  }

  private skip(length: number, time: number): void {
    this.next = (this.next! + length) >>> 0;
    this.position += length;
    this.sink.gap(length, time);
  }

  /** Compares a copy of already delivered bytes with what was delivered, as far as it is kept. */
  private compareRecent(piece: Piece): void {
    if (!piece.bytes) return;
    for (const r of this.recent) this.compare(r, piece, 0, 0, piece.seq, true);
  }

  /** Reports when two copies of the same sequence range differ (in the range both hold). */
  private compare(first: { seq: number; bytes: Buffer | null }, later: Piece, start: number, end: number, base: number, wholeOverlap = false): void {
    if (!first.bytes || !later.bytes) return;
    if (wholeOverlap) {
      start = Math.max(0, distance(first.seq, base));
      end = Math.min(later.length, distance(first.seq, base) + first.bytes.length);
      if (start >= end) return;
    }
    const a = first.bytes.subarray(start - distance(first.seq, base), end - distance(first.seq, base));
    const b = later.bytes.subarray(start - distance(later.seq, base), end - distance(later.seq, base));
    if (!a.equals(b)) {
      let differing = 0;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differing++;
      this.sink.differs(differing, later.time);
    }
  }
}

/** The piece without its first n bytes. */
function cut(piece: Piece, n: number): Piece {
  return { seq: (piece.seq + n) >>> 0, bytes: piece.bytes && piece.bytes.subarray(n), length: piece.length - n, time: piece.time };
}

/** The piece's first n bytes. */
function cutEnd(piece: Piece, n: number): Piece {
  return { seq: piece.seq, bytes: piece.bytes && piece.bytes.subarray(0, n), length: n, time: piece.time };
}
