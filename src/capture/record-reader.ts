// Reading records back from a capture file through windows, so a list or a scan reads the file in
// large pieces, and decoding the records read: whole frames and messages, a frame up to its
// preview, and payload views for the search.
import {
  FRAME_FIXED_LENGTH, FrameFlag, MESSAGE_FIXED_LENGTH, MessageFlag, RECORD_HEADER_LENGTH, RecordType, decodeFrameBody, decodeMessageBody,
  frameBodyPrefixLength, recordBodyLength, recordIntact, type DecodedFrame, type DecodedMessage, type ViolationCatalogue,
} from './capture-file.js';
import { MessageBits, type ConnectionIndex } from './capture-index.js';
import type { CapturedFrame, CapturedMessage } from './capture-model.js';
import type { CaptureWriter } from './capture-writer.js';
import { PREVIEW_BYTES } from './frame-summary.js';
import { maskRange } from '../protocol/masking.js';

/** A frame read back whole. */
export type StoredFrame = CapturedFrame & {
  /** The payload was not stored (disk budget); payload is empty and truncated is true. */
  payloadNotStored?: true;
};

/** A message read back whole. */
export type StoredMessage = CapturedMessage & {
  /** The data was not stored (disk budget); data is empty and truncated is true. */
  dataNotStored?: true;
};

/** A piece of the file held in memory. */
interface Window {
  /** File offset of bytes[0]. */
  start: number;
  /** The bytes read. */
  bytes: Buffer;
  /** The buffer they were read into (reused with recycling). */
  buffer: Buffer;
}

export class RecordReader {
  private current: Window | null = null;
  private previous: Window | null = null;
  /** With recycling, the buffer the next window is read into (the one `previous` leaves). */
  private spare: Buffer | null = null;

  /**
   * readAhead: bytes read at once past a position that no window holds (0: just what is asked);
   * backoff: bytes read before it too (a message's frames come just before the message);
   * recycle: windows reuse two buffers (no fresh memory per window, so no page faults in a long
   * scan), which makes a view valid only until the window after next is read.
   */
  constructor(
    private readonly source: CaptureWriter,
    public readAhead: number,
    private readonly backoff = 0,
    private readonly recycle = false,
  ) {}

  /** Bytes [position, position + length) of the file, a view into a window when one holds them. */
  bytes(position: number, length: number): Buffer {
    const current = this.current;
    if (current && position >= current.start && position + length <= current.start + current.bytes.length) {
      return current.bytes.subarray(position - current.start, position - current.start + length);
    }
    const previous = this.previous;
    if (previous && position >= previous.start && position + length <= previous.start + previous.bytes.length) {
      return previous.bytes.subarray(position - previous.start, position - previous.start + length);
    }
    // Behind the current window: a one-off read that keeps the windows for what follows.
    if (current && position < current.start) return this.readExactly(position, length);
    const start = Math.max(0, position - this.backoff);
    const want = position - start + Math.max(length, this.readAhead);
    let buffer = this.recycle ? this.spare : null;
    if (!buffer || buffer.length < want) buffer = Buffer.allocUnsafe(want);
    this.spare = this.recycle && this.previous ? this.previous.buffer : null;
    this.previous = current;
    const filled = this.source.readInto(buffer, start, want);
    this.current = { start, bytes: buffer.subarray(0, filled), buffer };
    if (filled < position - start + length) return this.readExactly(position, length);
    return this.current.bytes.subarray(position - start, position - start + length);
  }

  /** The body of the record at position, checked to be of the expected type and (with verify) against its CRC. */
  record(position: number, type: RecordType, verify = true): Buffer {
    const length = recordBodyLength(this.bytes(position, RECORD_HEADER_LENGTH), 0);
    const whole = this.bytes(position, RECORD_HEADER_LENGTH + length);
    if (whole[8] !== type || (verify && !recordIntact(whole, 0, length))) {
      throw new Error(`the capture file is damaged at offset ${position}`);
    }
    return whole.subarray(RECORD_HEADER_LENGTH);
  }

  private readExactly(position: number, length: number): Buffer {
    const bytes = this.source.read(position, length);
    if (bytes.length < length) throw new Error(`the capture file ends before offset ${position + length}`);
    return bytes;
  }
}

/** The whole frame record at offset; copy: false leaves the payload a view into the reader's window. */
export function readFrame(reader: RecordReader, catalogue: ViolationCatalogue, offset: number, copy = true): StoredFrame {
  const decoded = decodeFrameBody(reader.record(offset, RecordType.Frame), catalogue);
  const stored: StoredFrame = decoded.captured;
  if (copy && !decoded.payloadOwned) stored.frame.payload = Buffer.from(stored.frame.payload);
  if (decoded.payloadNotStored) stored.payloadNotStored = true;
  return stored;
}

/** Message m of a connection, its data read back (and rebuilt from its frames' payloads where it was stored there). */
export function readMessageRecord(
  reader: RecordReader, catalogue: ViolationCatalogue, entry: ConnectionIndex, m: number, copy = true,
): DecodedMessage & { captured: StoredMessage } {
  const decoded: DecodedMessage = decodeMessageBody(reader.record(entry.messageOffset.get(m), RecordType.Message), catalogue);
  const stored: StoredMessage = decoded.captured;
  if (decoded.dataFromFrames) {
    const numbers = decoded.frameNumbers;
    // Several payloads are copied as they are read: a recycled window does not outlive two more reads.
    const payloads = numbers.map((n) => readFrame(reader, catalogue, entry.frameOffset.get(n), numbers.length > 1).frame.payload);
    stored.message.data = payloads.length === 1 && !copy ? payloads[0] : Buffer.concat(payloads);
  } else if (copy) {
    stored.message.data = Buffer.from(stored.message.data);
  }
  if (decoded.dataNotStored) stored.dataNotStored = true;
  return decoded;
}

export function readMessage(reader: RecordReader, catalogue: ViolationCatalogue, entry: ConnectionIndex, m: number, copy = true): StoredMessage {
  return readMessageRecord(reader, catalogue, entry, m, copy).captured;
}

/** The frame record at offset, its body read up to the preview. */
export function readFramePrefix(reader: RecordReader, catalogue: ViolationCatalogue, offset: number): DecodedFrame {
  const fixed = reader.bytes(offset, RECORD_HEADER_LENGTH + FRAME_FIXED_LENGTH);
  const length = recordBodyLength(fixed, 0);
  const prefix = Math.min(length, frameBodyPrefixLength(fixed.subarray(RECORD_HEADER_LENGTH)) + PREVIEW_BYTES);
  return decodeFrameBody(reader.bytes(offset + RECORD_HEADER_LENGTH, prefix), catalogue, length);
}

/**
 * The stored payload of the frame record at offset, as a view into the reader's window (or unmasked
 * into a buffer of its own, when it was stored masked). For the search: no CRC (open() checked the
 * file, or this process wrote it).
 */
export function payloadView(reader: RecordReader, offset: number): Buffer {
  const fixed = reader.bytes(offset, RECORD_HEADER_LENGTH + FRAME_FIXED_LENGTH);
  const body = fixed.subarray(RECORD_HEADER_LENGTH);
  const flags = body.readUInt32LE(4);
  const end = RECORD_HEADER_LENGTH + recordBodyLength(fixed, 0);
  const start = RECORD_HEADER_LENGTH + frameBodyPrefixLength(body);
  if ((flags & FrameFlag.PayloadMasked) === 0) return reader.bytes(offset + start, end - start);
  // The key before the payload's bytes are read: a read past the window may replace it.
  const key = Buffer.from(body.subarray(44, 48));
  const stored = reader.bytes(offset + start, end - start);
  const payload = Buffer.allocUnsafe(stored.length);
  maskRange(stored, 0, stored.length, key, 0, payload, 0);
  return payload;
}

/** A message's data as a view (rebuilt when it has several frames), or null when it was not stored. For the search. */
export function messageDataView(reader: RecordReader, catalogue: ViolationCatalogue, entry: ConnectionIndex, m: number): Buffer | null {
  const bits = entry.messageBits.get(m);
  if (bits & MessageBits.DataNotStored) return null;
  if (bits & MessageBits.DataFromFrames) {
    if (bits & MessageBits.OneFrame) return payloadView(reader, entry.frameOffset.get(entry.messageAnchor.get(m)));
    return readMessage(reader, catalogue, entry, m, false).message.data;
  }
  const offset = entry.messageOffset.get(m);
  const fixed = reader.bytes(offset, RECORD_HEADER_LENGTH + MESSAGE_FIXED_LENGTH);
  const body = fixed.subarray(RECORD_HEADER_LENGTH);
  const arrived = body.readUInt32LE(4) & MessageFlag.HasArrivedAt ? 8 : 0;
  const dataAt = MESSAGE_FIXED_LENGTH + body[9] + 8 * body.readUInt32LE(28) + 4 * body.readUInt32LE(32) + arrived;
  return reader.bytes(offset + RECORD_HEADER_LENGTH + dataAt, recordBodyLength(fixed, 0) - dataAt);
}
