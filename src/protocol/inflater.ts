// The decompressor of one direction of a permessage-deflate connection. It mirrors the receiver
// (RFC 7692 §7.2.2): the window bits and context takeover negotiated for the sender, the 00 00 ff ff tail
// appended at the end of each message, and a cap on what one message may inflate to (RFC 7692 §8.1).
import zlib from 'node:zlib';
import type { DirectionDeflate } from './permessage-deflate.js';
import { SyncZlibStream } from './sync-zlib-stream.js';

/** RFC 7692 §7.2.2: the receiver appends this to a message's payload before inflating. */
export const DEFLATE_TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

export const DEFAULT_MAX_INFLATED_SIZE = 64 * 1024 * 1024;

export interface InflaterOptions extends DirectionDeflate {
  /** Bytes one message may inflate to; past it the message is cut and 'too-large'. Default 64 MiB. */
  maxInflatedSize?: number;
}

/** What became of the message being inflated. */
export type InflateStatus =
  /** Inflated fine so far. */
  | 'ok'
  /** The compressed data is corrupt, or refers to history this inflater does not have. */
  | 'failed'
  /** It inflates past maxInflatedSize: output stopped at the cap. */
  | 'too-large';

/**
 * Inflates the messages of one direction, one at a time. Output goes to a callback in pieces that are valid
 * only during the call, so a message never has to sit in memory whole here.
 */
export class Inflater {
  private readonly zlib: SyncZlibStream;
  private readonly noContextTakeover: boolean;
  private readonly maxInflatedSize: number;
  /** Bytes the current message inflated to so far. */
  private inflated = 0;
  /** The current message's status. */
  private current: InflateStatus = 'ok';
  /** True when the zlib history no longer matches the sender's, or the stream ended: start afresh. */
  private needsReset = false;

  constructor(options: InflaterOptions) {
    this.noContextTakeover = options.noContextTakeover;
    this.maxInflatedSize = options.maxInflatedSize ?? DEFAULT_MAX_INFLATED_SIZE;
    // zlib has no 8-bit raw deflate window: Node (and so ws) compresses with 9 when 8 was negotiated,
    // so a peer that agreed on 8 may send data that needs 9. Inflating with 9 accepts it.
    const windowBits = Math.max(9, options.windowBits);
    this.zlib = new SyncZlibStream(() => zlib.createInflateRaw({ windowBits }));
  }

  /** The current message's status. */
  get status(): InflateStatus {
    return this.current;
  }

  /** Bytes the current message inflated to so far (at most maxInflatedSize). */
  get size(): number {
    return this.inflated;
  }

  /** Inflates the next slice of the current message's compressed payload. Returns the message's status. */
  write(chunk: Uint8Array, onData: (piece: Buffer) => void): InflateStatus {
    if (this.current !== 'ok' || chunk.length === 0) return this.current;
    this.resetIfNeeded();
    const result = this.zlib.write(chunk, (piece) => this.deliver(piece, onData));
    if (result.status === 'error') {
      this.current = 'failed';
      this.needsReset = true;
    } else if (result.status === 'stream-end') {
      // A block with BFINAL set ends the DEFLATE stream (RFC 7692 §7.2.3.4 allows it); data after it in
      // the same message cannot be inflated.
      this.current = 'failed';
      this.needsReset = true;
    } else if (result.status === 'stopped') {
      this.needsReset = true;
    }
    return this.current;
  }

  /**
   * Ends the current message: inflates the 00 00 ff ff tail, resets the history when the sender does not
   * take over context, and gets ready for the next message. Returns the message's final status.
   */
  endMessage(onData: (piece: Buffer) => void): InflateStatus {
    if (this.current === 'ok') {
      this.resetIfNeeded();
      const result = this.zlib.write(DEFLATE_TAIL, (piece) => this.deliver(piece, onData));
      if (result.status === 'error') this.current = 'failed';
      // 'stream-end' here is fine: the message ended with a BFINAL block and the tail is not needed. The
      // stream is finished though, so the next message starts a new one (as ws does).
      if (result.status !== 'ok') this.needsReset = true;
    }
    const status = this.current;
    this.startNextMessage();
    return status;
  }

  /**
   * Gives up on the current message without its end (it was interrupted). The sender's compressor went on
   * from a point this inflater never reached, so the history is lost.
   */
  abortMessage(): void {
    this.needsReset = true;
    this.startNextMessage();
  }

  /** Releases zlib's memory. */
  close(): void {
    this.zlib.close();
  }

  private resetIfNeeded(): void {
    if (!this.needsReset) return;
    this.zlib.reset();
    this.needsReset = false;
  }

  private startNextMessage(): void {
    if (this.noContextTakeover) this.needsReset = true;
    this.inflated = 0;
    this.current = 'ok';
  }

  /** Passes output on up to the cap; returns false to stop zlib at the cap. */
  private deliver(piece: Buffer, onData: (piece: Buffer) => void): boolean {
    const room = this.maxInflatedSize - this.inflated;
    if (piece.length > room) {
      if (room > 0) onData(piece.subarray(0, room));
      this.inflated = this.maxInflatedSize;
      this.current = 'too-large';
      return false;
    }
    this.inflated += piece.length;
    onData(piece);
    return true;
  }
}
