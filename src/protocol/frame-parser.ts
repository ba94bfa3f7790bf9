// A streaming decoder of RFC 6455 frames (§5.2) for one direction of a connection. Bytes go in as
// they come off the socket, in chunks of any size; the sink hears each header as soon as it is
// complete, the unmasked payload as it arrives (a 1 GB frame streams through, never held whole),
// then the frame with its payload capped. An inspector does not stop at the first problem: every
// per-frame violation is recorded and decoding goes on.
//
// The shape follows ws's lib/receiver.js: one state per header part, one method per state that
// returns early when too few bytes are buffered, and a consume(n) that reads in place unless the
// n bytes span chunks. Only header parts are ever buffered (8 bytes at most); payload bytes go
// straight from the caller's chunk to the sink. The caller's chunks are never modified: the relay
// forwards them untouched.
import { constants as bufferConstants } from 'node:buffer';
import { parseClosePayload } from './close-codes.js';
import { Opcode } from './frame.js';
import type { Frame, FrameSink, Sender } from './frame.js';
import { maskRange } from './masking.js';
import { unmaskWire } from './wire-payload.js';

/** The default of FrameParserOptions.maxStoredPayload: 1 MiB. */
export const DEFAULT_MAX_STORED_PAYLOAD = 1024 * 1024;

export interface FrameParserOptions {
  /** Which peer sends these bytes (decides which masking is a violation). */
  from: Sender;
  /** True when permessage-deflate was negotiated, so RSV1 is meaningful on first data frames. Default false. */
  rsv1Allowed?: boolean;
  /**
   * Payload bytes kept per Frame; the rest streams through onPayload only. Default 1 MiB
   * (DEFAULT_MAX_STORED_PAYLOAD). An integer >= 0, or Infinity to keep whole payloads (up to the
   * largest Buffer Node can make).
   */
  maxStoredPayload?: number;
}

const GET_INFO = 0;
const GET_PAYLOAD_LENGTH_16 = 1;
const GET_PAYLOAD_LENGTH_64 = 2;
const GET_MASK = 3;
const GET_DATA = 4;

/** Unmasked payload past the stored cap goes through a scratch buffer of at most this size. */
const SCRATCH_SIZE = 64 * 1024;
/** Payloads at least this long get a stored buffer aligned like the source, for 32-bit unmasking. */
const ALIGN_THRESHOLD = 256;
/**
 * The stored buffer is allocated for the whole kept part at once up to this size; past it, it
 * grows as bytes arrive, so that a length field announcing gigabytes reserves nothing that did
 * not come.
 */
const UPFRONT_STORE = 1024 * 1024;

/**
 * With wirePayloads, payloads at least this long are kept as wire views. A shorter one is cheaper to
 * unmask into a small pooled buffer than to describe with views.
 */
const WIRE_FROM = 512;

const EMPTY = Buffer.alloc(0);

/**
 * Decodes the frames of one direction. The header object given to sink.onHeader is the Frame that
 * sink.onFrame later receives (its header fields never change after onHeader; payload, truncated,
 * closeCode, closeReason and close-payload violations are filled in when the frame completes).
 * Chunks given to sink.onPayload are valid only during the call and must not be modified.
 * Exceptions thrown by the sink propagate out of push() and leave the parser in an unspecified state.
 */
export class FrameParser {
  private readonly from: Sender;
  private readonly rsv1Allowed: boolean;
  private readonly maxStoredPayload: number;
  private readonly sink: FrameSink;

  private state = GET_INFO;
  /** The chunk being decoded, and the position of the next unread byte in it. */
  private chunk: Buffer = EMPTY;
  private pos = 0;
  /** Stream offset of chunk[0]. */
  private chunkStart = 0;
  private received = 0;
  /** Where consume() left the bytes it returned: readBuffer[readPos ...]. */
  private readBuffer: Buffer = EMPTY;
  private readPos = 0;
  /** A header part that spans chunks is gathered here; `stitched` bytes of it so far. */
  private readonly stitch = Buffer.alloc(8);
  private stitched = 0;

  /** The frame being decoded (from its first 2 bytes on), with its index and stream offset. */
  private frame: Frame | null = null;
  private frameIndex = 0;
  private frameOffset = 0;
  /** The high 32 bits of a 64-bit length field, for the top-bit check. */
  private lengthHigh = 0;
  /** Payload bytes of the current frame seen so far, and the part of them that is kept. */
  private payloadReceived = 0;
  private stored: Buffer = EMPTY;
  private storedLength = 0;
  /** How many payload bytes of the current frame will be kept: min(payloadLength, cap). */
  private storedTarget = 0;
  private scratch: Buffer | null = null;
  /** The current frame keeps its payload as wire views (in wireParts), not unmasked into `stored`. */
  private keepWire = false;
  private wireParts: Buffer[] = [];
  /** The sink wants the current frame's bytes through onPayload. */
  private sinkWants = true;

  /**
   * Keep the payload of a one-frame data message (FIN, text or binary, within the stored cap) as it
   * crossed the wire (Frame.wire: views of the pushed chunks, masked when it was) instead of an
   * unmasked copy. For a relay that records the wire and lets go of each frame once recorded: the
   * views keep the chunks alive for as long as the frame lives.
   */
  wirePayloads = false;

  constructor(options: FrameParserOptions, sink: FrameSink) {
    this.from = options.from;
    this.rsv1Allowed = options.rsv1Allowed ?? false;
    const max = options.maxStoredPayload ?? DEFAULT_MAX_STORED_PAYLOAD;
    if (!(max >= 0 && (Number.isInteger(max) || max === Infinity))) {
      throw new RangeError(`maxStoredPayload must be an integer >= 0 (or Infinity), not ${max}`);
    }
    this.maxStoredPayload = max;
    this.sink = sink;
  }

  /** Total bytes pushed so far. */
  get bytesReceived(): number {
    return this.received;
  }

  /** True when no partial frame is buffered or in progress. */
  get atFrameBoundary(): boolean {
    return this.state === GET_INFO && this.stitched === 0;
  }

  /** Decodes the next bytes of the stream: any size, any content. Never throws on bad input. */
  push(chunk: Buffer): void {
    this.chunk = chunk;
    this.pos = 0;
    this.chunkStart = this.received;
    this.received += chunk.length;
    const length = chunk.length;
    while (this.pos < length) {
      switch (this.state) {
        case GET_INFO:
          this.getInfo();
          break;
        case GET_PAYLOAD_LENGTH_16:
          this.getPayloadLength16();
          break;
        case GET_PAYLOAD_LENGTH_64:
          this.getPayloadLength64();
          break;
        case GET_MASK:
          this.getMask();
          break;
        case GET_DATA:
          this.getData();
          break;
      }
    }
    // Do not keep the caller's buffer alive between pushes.
    this.chunk = EMPTY;
    this.readBuffer = EMPTY;
  }

  /**
   * The stream ended. At a frame boundary this returns null. Mid-frame it emits nothing more and
   * returns the frame as far as it was received, with truncated: true and 'truncated-frame'. When
   * the header itself was cut short, the fields that did not arrive keep their defaults (masked
   * false, payloadLength 0, lengthForm 7), headerLength counts the header bytes received, and the
   * header checks, which run only on a complete header, are not made. The parser is then at a
   * frame boundary again.
   */
  end(): Frame | null {
    if (this.atFrameBoundary) return null;
    let frame = this.frame;
    if (frame === null) {
      // One byte of the header arrived.
      frame = this.newFrame(this.stitch[0], 0);
      frame.headerLength = 1;
    } else if (this.state === GET_DATA) {
      // Copied so that a cut-short frame does not pin a buffer sized for the whole payload (or the chunks).
      frame.payload = this.keepWire
        ? unmaskWire({ parts: this.wireParts, maskKey: frame.maskKey, length: this.payloadReceived })
        : Buffer.from(this.stored.subarray(0, this.storedLength));
    } else {
      frame.headerLength = this.received - this.frameOffset;
    }
    frame.truncated = true;
    frame.violations.push('truncated-frame');
    this.state = GET_INFO;
    this.stitched = 0;
    this.frame = null;
    this.stored = EMPTY;
    this.keepWire = false;
    this.wireParts = [];
    this.frameIndex++;
    return frame;
  }

  /**
   * Makes n bytes available at this.readBuffer[this.readPos ...]: in place when the current chunk
   * holds them, else gathered in the stitch buffer. Returns false (having taken every byte left in
   * the chunk) when fewer than n bytes have arrived.
   */
  private consume(n: number): boolean {
    const available = this.chunk.length - this.pos;
    if (this.stitched === 0 && available >= n) {
      this.readBuffer = this.chunk;
      this.readPos = this.pos;
      this.pos += n;
      return true;
    }
    const take = Math.min(n - this.stitched, available);
    this.chunk.copy(this.stitch, this.stitched, this.pos, this.pos + take);
    this.pos += take;
    this.stitched += take;
    if (this.stitched < n) return false;
    this.stitched = 0;
    this.readBuffer = this.stitch;
    this.readPos = 0;
    return true;
  }

  /** The first 2 bytes: FIN, RSV1-3, opcode, MASK and the 7-bit length (RFC 6455 §5.2). */
  private getInfo(): void {
    if (this.stitched === 0) this.frameOffset = this.chunkStart + this.pos;
    if (!this.consume(2)) return;
    const frame = this.newFrame(this.readBuffer[this.readPos], this.readBuffer[this.readPos + 1]);
    this.frame = frame;
    this.lengthHigh = 0;
    if (frame.payloadLength === 126) {
      frame.lengthForm = 16;
      this.state = GET_PAYLOAD_LENGTH_16;
    } else if (frame.payloadLength === 127) {
      frame.lengthForm = 64;
      this.state = GET_PAYLOAD_LENGTH_64;
    } else {
      this.haveLength(frame);
    }
  }

  private getPayloadLength16(): void {
    if (!this.consume(2)) return;
    const frame = this.frame!;
    frame.payloadLength = (this.readBuffer[this.readPos] << 8) | this.readBuffer[this.readPos + 1];
    frame.headerLength += 2;
    this.haveLength(frame);
  }

  /** A 64-bit length, read as two 32-bit halves: nothing is allocated for it. */
  private getPayloadLength64(): void {
    if (!this.consume(8)) return;
    const frame = this.frame!;
    const high = this.readBuffer.readUInt32BE(this.readPos);
    this.lengthHigh = high;
    const low = this.readBuffer.readUInt32BE(this.readPos + 4);
    frame.payloadLength = high * 0x1_0000_0000 + low;
    // Past 2^53 − 1 a double rounds: the exact value is kept as a bigint (only then).
    if (high > 0x1f_ffff) frame.payloadLengthExact = (BigInt(high) << 32n) | BigInt(low);
    frame.headerLength += 8;
    this.haveLength(frame);
  }

  private haveLength(frame: Frame): void {
    if (frame.masked) {
      this.state = GET_MASK;
    } else {
      this.haveHeader(frame);
    }
  }

  private getMask(): void {
    if (!this.consume(4)) return;
    const frame = this.frame!;
    // Copied: a view would pin the caller's whole chunk for as long as the frame lives.
    const key = Buffer.allocUnsafe(4);
    const source = this.readBuffer;
    const at = this.readPos;
    key[0] = source[at];
    key[1] = source[at + 1];
    key[2] = source[at + 2];
    key[3] = source[at + 3];
    frame.maskKey = key;
    frame.headerLength += 4;
    this.haveHeader(frame);
  }

  private haveHeader(frame: Frame): void {
    this.checkHeader(frame);
    this.storedTarget = Math.min(frame.payloadLength, this.maxStoredPayload, bufferConstants.MAX_LENGTH);
    this.keepWire = this.wirePayloads && frame.fin && (frame.opcode === Opcode.Text || frame.opcode === Opcode.Binary)
      && frame.payloadLength === this.storedTarget && frame.payloadLength >= WIRE_FROM;
    const upfront = this.keepWire ? 0 : Math.min(this.storedTarget, UPFRONT_STORE);
    this.stored = upfront === 0 ? EMPTY : this.allocStored(upfront, this.chunk.byteOffset + this.pos);
    this.storedLength = 0;
    this.payloadReceived = 0;
    this.sink.onHeader(frame, frame.index, frame.offset);
    this.sinkWants = this.sink.wantsPayload?.() ?? true;
    if (frame.payloadLength === 0) {
      this.finishFrame(frame);
    } else {
      this.state = GET_DATA;
    }
  }

  /**
   * A buffer for the kept payload. A long one starts at the same alignment (mod 4) as the payload
   * in the current chunk, so unmasking into it can go a 32-bit word at a time.
   */
  private allocStored(size: number, alignLike: number): Buffer {
    if (size < ALIGN_THRESHOLD) return Buffer.allocUnsafe(size);
    const backing = Buffer.allocUnsafe(size + 3);
    const shift = (alignLike - backing.byteOffset) & 3;
    return backing.subarray(shift, shift + size);
  }

  /** Makes room for `needed` kept bytes past the UPFRONT_STORE allocation, doubling. */
  private growStored(needed: number): Buffer {
    const old = this.stored;
    const grown = this.allocStored(Math.min(this.storedTarget, Math.max(needed, old.length * 2)), old.byteOffset);
    old.copy(grown, 0, 0, this.storedLength);
    this.stored = grown;
    return grown;
  }

  /** Per-frame checks of RFC 6455 §5.1-5.5 and RFC 7692 §6.1, in the documented order. */
  private checkHeader(frame: Frame): void {
    const violations = frame.violations;
    const opcode = frame.opcode;
    if (this.from === 'client' ? !frame.masked : frame.masked) {
      violations.push(this.from === 'client' ? 'unmasked-client-frame' : 'masked-server-frame');
    }
    if ((opcode >= 3 && opcode <= 7) || opcode >= 11) violations.push('reserved-opcode');
    if (frame.rsv2 || frame.rsv3 || (frame.rsv1 && !this.rsv1Allowed)) violations.push('rsv-without-extension');
    if (frame.rsv1 && this.rsv1Allowed) {
      if (opcode >= 8) violations.push('rsv1-on-control-frame');
      else if (opcode === Opcode.Continuation) violations.push('rsv1-on-continuation-frame');
    }
    if (opcode >= 8) {
      if (frame.payloadLength > 125) violations.push('control-frame-too-long');
      if (!frame.fin) violations.push('fragmented-control-frame');
    }
    if (frame.lengthForm === 16) {
      if (frame.payloadLength < 126) violations.push('non-minimal-length');
    } else if (frame.lengthForm === 64) {
      if (frame.payloadLength < 65536) violations.push('non-minimal-length');
      if (this.lengthHigh >= 0x8000_0000) violations.push('length-top-bit-set');
    }
  }

  /** Payload bytes: unmask what is kept into the stored buffer, stream the rest, hand both on. */
  private getData(): void {
    const frame = this.frame!;
    const chunk = this.chunk;
    const start = this.pos;
    const remaining = frame.payloadLength - this.payloadReceived;
    const n = Math.min(chunk.length - start, remaining);
    const end = start + n;
    const keyOffset = this.payloadReceived;
    this.pos = end;
    this.payloadReceived += n;

    if (this.keepWire) {
      // The bytes stay where they came; unmasked only when the sink reads them.
      this.wireParts.push(chunk.subarray(start, end));
      if (this.sinkWants) this.streamUnstored(frame, chunk, start, end, keyOffset);
      if (this.payloadReceived === frame.payloadLength) this.finishFrame(frame);
      return;
    }
    let stored = this.stored;
    const storedAt = this.storedLength;
    const toStore = Math.min(n, this.storedTarget - storedAt);
    if (toStore > 0) {
      if (storedAt + toStore > stored.length) stored = this.growStored(storedAt + toStore);
      if (frame.maskKey !== undefined) {
        maskRange(chunk, start, start + toStore, frame.maskKey, keyOffset, stored, storedAt);
      } else {
        chunk.copy(stored, storedAt, start, start + toStore);
      }
      this.storedLength = storedAt + toStore;
      if (this.sinkWants) this.sink.onPayload(toStore === stored.length ? stored : stored.subarray(storedAt, storedAt + toStore));
    }
    if (toStore < n && this.sinkWants) this.streamUnstored(frame, chunk, start + toStore, end, keyOffset + toStore);

    if (this.payloadReceived === frame.payloadLength) this.finishFrame(frame);
  }

  /** Payload past the stored cap: straight from the chunk, or unmasked through the scratch buffer. */
  private streamUnstored(frame: Frame, chunk: Buffer, start: number, end: number, keyOffset: number): void {
    const key = frame.maskKey;
    if (key === undefined) {
      this.sink.onPayload(chunk.subarray(start, end));
      return;
    }
    const scratch = (this.scratch ??= Buffer.allocUnsafeSlow(SCRATCH_SIZE));
    for (let at = start; at < end; at += SCRATCH_SIZE) {
      const pieceEnd = Math.min(end, at + SCRATCH_SIZE);
      maskRange(chunk, at, pieceEnd, key, keyOffset + (at - start), scratch, 0);
      this.sink.onPayload(scratch.subarray(0, pieceEnd - at));
    }
  }

  private finishFrame(frame: Frame): void {
    if (this.keepWire) {
      frame.wire = { parts: this.wireParts, maskKey: frame.maskKey, length: frame.payloadLength };
      this.wireParts = [];
      this.keepWire = false;
    } else {
      // Here storedLength === storedTarget === stored.length.
      frame.payload = this.stored;
    }
    frame.truncated = this.storedLength < frame.payloadLength && frame.wire === undefined;
    if (frame.opcode === Opcode.Close) this.decodeClose(frame);
    this.frame = null;
    this.stored = EMPTY;
    this.state = GET_INFO;
    this.frameIndex++;
    this.sink.onFrame(frame);
  }

  /** Close frames: the code and reason of RFC 6455 §5.5.1, and what is wrong with them. */
  private decodeClose(frame: Frame): void {
    const close = parseClosePayload(frame.payload);
    if (close.code !== undefined) frame.closeCode = close.code;
    if (close.reason !== undefined) frame.closeReason = close.reason;
    for (const violation of close.violations) {
      // A reason cut by the stored cap may end mid-character: that says nothing about the wire.
      if (frame.truncated && violation === 'invalid-utf8-close-reason') continue;
      frame.violations.push(violation);
    }
  }

  private newFrame(byte0: number, byte1: number): Frame {
    return {
      fin: (byte0 & 0x80) !== 0,
      rsv1: (byte0 & 0x40) !== 0,
      rsv2: (byte0 & 0x20) !== 0,
      rsv3: (byte0 & 0x10) !== 0,
      opcode: byte0 & 0x0f,
      masked: (byte1 & 0x80) !== 0,
      payloadLength: byte1 & 0x7f,
      lengthForm: 7,
      headerLength: 2,
      index: this.frameIndex,
      offset: this.frameOffset,
      payload: EMPTY,
      truncated: false,
      violations: [],
    };
  }
}
