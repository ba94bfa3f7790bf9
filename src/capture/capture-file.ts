// The capture file: one append-only file per session, so a session can hold millions of frames with
// only a compact index in memory. This module is the record format: encoders that write a record
// body in place (the writer batches them in one buffer) and decoders that read one back.
//
// File: a 16-byte header (magic, version), then records. Each record is
//   CRC-32 u32 LE (of the length, type and body that follow) | length u32 LE (of the body) | type u8 | body
// so a torn last record (a crash in the middle of a write) is found by its length or its CRC.
// Each batch the writer writes ends with a checkpoint record: the CRC of every byte since the
// previous checkpoint. Opening checks a whole batch with one CRC (fast: one call per MiB, not one
// per record) and checks records one by one only after the last good checkpoint, where a crash tears.
// Numbers in bodies are little-endian; times and 64-bit lengths are f64 (exact up to 2^53), except a
// frame length field past 2^53 - 1, which is a u64 (FrameFlag.ExactLength).
import { lengthFields } from '../protocol/exact-length.js';
import { crc32Range } from './record-crc.js';
import type { Frame } from '../protocol/frame.js';
import { maskRange } from '../protocol/masking.js';
import { copyWire } from '../protocol/wire-payload.js';
import { VIOLATION_CODES, type ViolationCode } from '../protocol/violations.js';
import type { CapturedFrame, CapturedMessage, ConnectionRecord, Direction } from './capture-model.js';

/** "FSCAPTUR": the first bytes of every capture file. */
export const FILE_MAGIC = Buffer.from('FSCAPTUR', 'latin1');
/**
 * The format version written by this code; a file of a newer version is refused. 2: frame payloads
 * may be stored masked (FrameFlag.PayloadMasked), which a version 1 reader would show as they are.
 */
export const FILE_VERSION = 2;
/** Magic (8), version u32, reserved u32. */
export const FILE_HEADER_LENGTH = 16;
/** crc u32, length u32, type u8. */
export const RECORD_HEADER_LENGTH = 9;

export const RecordType = {
  /** JSON: the violation code names, by ordinal. Frames and messages store ordinals into it. */
  Catalogue: 1,
  /** JSON of a ConnectionRecord without frames and messages; a later one for the same id wins. */
  Connection: 2,
  /** Binary: one wire frame and its stored payload. */
  Frame: 3,
  /** Binary: one data message; its data, or a flag to rebuild it from its frames. */
  Message: 4,
  /** JSON: an error that is not a connection's own story. */
  Error: 5,
  /** Binary: the CRC-32 (u32) and the length (f64) of every byte since the previous checkpoint. */
  Checkpoint: 6,
  /** JSON: traffic that passed unrecorded while writes failed (recording-gap.ts). */
  Gap: 7,
  /** JSON: a note, pin or highlight on a connection, frame or message (annotations.ts); the last for its target wins. */
  Annotation: 8,
  /** JSON: the recording policy (full, headers, off) from this point on (record-policy.ts). */
  Policy: 9,
  /** JSON: the rules that acted on a frame or message (rule-mark-record.ts). */
  RuleMark: 10,
} as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

/** The file header: magic, version, 4 reserved bytes. */
export function encodeFileHeader(): Buffer {
  const header = Buffer.alloc(FILE_HEADER_LENGTH);
  FILE_MAGIC.copy(header, 0);
  header.writeUInt32LE(FILE_VERSION, 8);
  return header;
}

/** Throws when bytes are not the header of a capture file this code can read. */
export function checkFileHeader(header: Buffer): void {
  if (header.length < FILE_HEADER_LENGTH || !header.subarray(0, 8).equals(FILE_MAGIC)) {
    throw new Error('not a Framescope capture file (bad magic)');
  }
  const version = header.readUInt32LE(8);
  if (version > FILE_VERSION) throw new Error(`capture file version ${version} is newer than this Framescope reads (${FILE_VERSION})`);
}

// ---------------------------------------------------------------------------------------------
// Records

/** Writes a record header for a body already in buf at offset + RECORD_HEADER_LENGTH, computing its CRC. */
export function sealRecord(buf: Buffer, offset: number, type: RecordType, bodyLength: number): void {
  buf.writeUInt32LE(bodyLength, offset + 4);
  buf[offset + 8] = type;
  buf.writeUInt32LE(crc32Range(buf, offset + 4, offset + RECORD_HEADER_LENGTH + bodyLength), offset);
}

/** A whole record (header and body) as one buffer. */
export function encodeRecord(type: RecordType, body: Buffer): Buffer {
  const record = Buffer.allocUnsafe(RECORD_HEADER_LENGTH + body.length);
  body.copy(record, RECORD_HEADER_LENGTH);
  sealRecord(record, 0, type, body.length);
  return record;
}

/** The parts of a record header. */
export interface RecordHeader {
  /** The stored CRC-32. */
  crc: number;
  /** Body length in bytes. */
  length: number;
  /** The record type (unknown values are skipped by readers). */
  type: number;
}

export function readRecordHeader(buf: Buffer, offset: number): RecordHeader {
  return { crc: buf.readUInt32LE(offset), length: buf.readUInt32LE(offset + 4), type: buf[offset + 8] };
}

/** The body length of the record whose header starts at offset. */
export function recordBodyLength(buf: Buffer, offset: number): number {
  return buf.readUInt32LE(offset + 4);
}

/** True when the record at offset (header and whole body in buf) matches its CRC. */
export function recordIntact(buf: Buffer, offset: number, bodyLength: number): boolean {
  return crc32Range(buf, offset + 4, offset + RECORD_HEADER_LENGTH + bodyLength) === buf.readUInt32LE(offset);
}

/** Body length of a checkpoint record. */
export const CHECKPOINT_BODY_LENGTH = 12;

/** A checkpoint record: the CRC and length of the bytes since the previous checkpoint (or the file header). */
export function encodeCheckpoint(crc: number, spanLength: number): Buffer {
  const body = Buffer.allocUnsafe(CHECKPOINT_BODY_LENGTH);
  body.writeUInt32LE(crc >>> 0, 0);
  body.writeDoubleLE(spanLength, 4);
  return encodeRecord(RecordType.Checkpoint, body);
}

export function decodeCheckpointBody(body: Buffer): { crc: number; spanLength: number } {
  return { crc: body.readUInt32LE(0), spanLength: body.readDoubleLE(4) };
}

// ---------------------------------------------------------------------------------------------
// Violation catalogue: codes are stored as ordinals into the file's own list of names, so a later
// reordering of VIOLATION_CODES never changes what an old file says.

/** The file's violation names and how they map to the current catalogue's bits. */
export class ViolationCatalogue {
  /** Code names by file ordinal. */
  readonly names: string[];
  private readonly ordinals = new Map<string, number>();
  /** File ordinal to bit in the current VIOLATION_CODES order (-1: unknown to this version). */
  private bits: Int8Array;

  constructor(names: readonly string[] = VIOLATION_CODES) {
    this.names = [...names];
    this.names.forEach((name, i) => this.ordinals.set(name, i));
    this.bits = this.computeBits();
  }

  /** The file ordinal of a code, or -1 when the file's list lacks it. */
  ordinalOf(code: string): number {
    return this.ordinals.get(code) ?? -1;
  }

  /** Adds a code at the end (old ordinals keep their meaning) and returns its ordinal. */
  add(code: string): number {
    const existing = this.ordinals.get(code);
    if (existing !== undefined) return existing;
    if (this.names.length >= 255) throw new RangeError('a capture file holds at most 255 violation codes');
    this.names.push(code);
    this.ordinals.set(code, this.names.length - 1);
    this.bits = this.computeBits();
    return this.names.length - 1;
  }

  /** The code name at a file ordinal (unknown ordinals read as 'unknown-<n>'). */
  nameOf(ordinal: number): ViolationCode {
    return (this.names[ordinal] ?? `unknown-${ordinal}`) as ViolationCode;
  }

  /** The bit of a file ordinal in a current-catalogue mask, or 0 when it has none. */
  maskBitOf(ordinal: number): number {
    const bit = this.bits[ordinal] ?? -1;
    return bit < 0 ? 0 : (1 << bit) >>> 0;
  }

  /** True when every current code has an ordinal (nothing to add before writing). */
  coversCurrent(): boolean {
    return VIOLATION_CODES.every((code) => this.ordinals.has(code));
  }

  private computeBits(): Int8Array {
    const bits = new Int8Array(this.names.length).fill(-1);
    this.names.forEach((name, i) => {
      const bit = violationBit(name);
      if (bit >= 0) bits[i] = bit;
    });
    return bits;
  }
}

/** The bit of a code in a violation mask: its position in the current catalogue (fewer than 32 codes). */
export function violationBit(code: string): number {
  const bit = (VIOLATION_CODES as readonly string[]).indexOf(code);
  return bit >= 0 && bit < 32 ? bit : -1;
}

/** The current-catalogue mask of a list of codes. */
export function violationMask(codes: readonly string[]): number {
  let mask = 0;
  for (const code of codes) {
    const bit = violationBit(code);
    if (bit >= 0) mask |= 1 << bit;
  }
  return mask >>> 0;
}

export function encodeCatalogueBody(catalogue: ViolationCatalogue): Buffer {
  return Buffer.from(JSON.stringify({ violations: catalogue.names }), 'utf8');
}

export function decodeCatalogueBody(body: Buffer): ViolationCatalogue {
  const parsed = JSON.parse(body.toString('utf8')) as { violations?: unknown };
  const names = Array.isArray(parsed.violations) ? parsed.violations.filter((n): n is string => typeof n === 'string') : [];
  return new ViolationCatalogue(names);
}

// ---------------------------------------------------------------------------------------------
// Connection and error records: JSON, small and rare.

/** A connection record's JSON body, without frames and messages; a response body goes as base64. */
export function encodeConnectionBody(connection: ConnectionRecord): Buffer {
  // A note travels with a record only on its way to and from HAR: Annotation records keep it.
  const { frames: _frames, messages: _messages, note: _note, response, ...rest } = connection;
  const plain: Record<string, unknown> = { ...rest };
  if (response) {
    const { body, ...head } = response;
    plain.response = body === undefined ? head : { ...head, body: body.toString('base64') };
  }
  return Buffer.from(JSON.stringify(plain), 'utf8');
}

/** A connection record from its JSON body, with empty frames and messages arrays. */
export function decodeConnectionBody(body: Buffer): ConnectionRecord {
  const record = JSON.parse(body.toString('utf8')) as ConnectionRecord & { response?: { body?: unknown } };
  if (record.response && typeof record.response.body === 'string') {
    record.response.body = Buffer.from(record.response.body, 'base64');
  }
  record.frames = [];
  record.messages = [];
  return record as ConnectionRecord;
}

/** An error that belongs to no connection's own story (or names one). */
export interface StoredError {
  /** What failed, in one line. */
  message: string;
  /** The connection it concerns, if any. */
  connectionId?: number;
  /** When, epoch milliseconds. */
  time: number;
}

export function encodeErrorBody(error: StoredError): Buffer {
  const plain: StoredError = { message: error.message, time: error.time };
  if (error.connectionId !== undefined) plain.connectionId = error.connectionId;
  return Buffer.from(JSON.stringify(plain), 'utf8');
}

export function decodeErrorBody(body: Buffer): StoredError {
  const parsed = JSON.parse(body.toString('utf8')) as Partial<StoredError>;
  const error: StoredError = { message: String(parsed.message ?? ''), time: Number(parsed.time ?? 0) };
  if (typeof parsed.connectionId === 'number') error.connectionId = parsed.connectionId;
  return error;
}

// ---------------------------------------------------------------------------------------------
// Frame records
//
//  0 u32 connection id      4 u32 flags (FrameFlag)   8 u8 opcode   9 u8 length form
// 10 u8 header length      11 u8 violation count     12 f64 time   20 f64 payloadLength (the field), or
//    u64 with FrameFlag.ExactLength: a field past 2^53 - 1, which a double would round
// 28 f64 stream index      36 f64 stream offset      44 4 bytes mask key
// 48 u16 close code        50 u16 close reason bytes
// 52 violation ordinals (u8 each), close reason (UTF-8), with FrameFlag.HasArrivedAt an f64 arrival
//    time, then the stored payload (to the end of the body)

export const FRAME_FIXED_LENGTH = 52;

/** Bits of a frame record's flags word. */
export const FrameFlag = {
  Receive: 1 << 0,
  Fin: 1 << 1,
  Rsv1: 1 << 2,
  Rsv2: 1 << 3,
  Rsv3: 1 << 4,
  Masked: 1 << 5,
  HasMaskKey: 1 << 6,
  Truncated: 1 << 7,
  Injected: 1 << 8,
  Edited: 1 << 9,
  Dropped: 1 << 10,
  HasCloseCode: 1 << 11,
  HasCloseReason: 1 << 12,
  /** The payload was not stored (the disk budget was reached). */
  PayloadNotStored: 1 << 13,
  /** The length field (offset 20) is a u64, not an f64: it is past 2^53 - 1. */
  ExactLength: 1 << 14,
  /** An f64 arrival time follows the close reason: the frame was held or queued (time is when it went on the wire). */
  HasArrivedAt: 1 << 15,
  /**
   * The stored payload is as it crossed the wire, masked with the key at offset 44 (key position 0 at
   * its first byte): readers unmask it (decodeFrameBody, payloadView). Format version 2.
   */
  PayloadMasked: 1 << 16,
} as const;

/** A frame to encode, and whether its payload is stored. */
export interface FrameRecordInput {
  /** The connection it belongs to. */
  connectionId: number;
  /** The frame as the session saw it. */
  captured: CapturedFrame;
  /** False past the disk budget: the record keeps every header field but no payload bytes. */
  storePayload: boolean;
}

/** A frame record's body split into its parts without copying. */
export interface EncodedFrameParts {
  /** Body length in bytes. */
  length: number;
  /** The close reason's UTF-8 bytes (empty when none). */
  reason: Buffer;
}

/** The body length of a frame record, and the parts the writer needs. */
export function measureFrameBody(input: FrameRecordInput): EncodedFrameParts {
  const frame = input.captured.frame;
  const reason = frame.closeReason === undefined ? EMPTY : Buffer.from(frame.closeReason, 'utf8');
  const payloadBytes = input.storePayload ? (frame.wire?.length ?? frame.payload.length) : 0;
  const arrived = input.captured.arrivedAt === undefined ? 0 : 8;
  return { length: FRAME_FIXED_LENGTH + Math.min(frame.violations.length, 255) + reason.length + arrived + payloadBytes, reason };
}

/** Writes a frame record's body at offset (the length from measureFrameBody). */
export function writeFrameBody(buf: Buffer, offset: number, input: FrameRecordInput, parts: EncodedFrameParts, catalogue: ViolationCatalogue): void {
  const { captured } = input;
  const frame = captured.frame;
  let flags = captured.direction === 'receive' ? FrameFlag.Receive : 0;
  if (frame.fin) flags |= FrameFlag.Fin;
  if (frame.rsv1) flags |= FrameFlag.Rsv1;
  if (frame.rsv2) flags |= FrameFlag.Rsv2;
  if (frame.rsv3) flags |= FrameFlag.Rsv3;
  if (frame.masked) flags |= FrameFlag.Masked;
  if (frame.maskKey !== undefined) flags |= FrameFlag.HasMaskKey;
  if (frame.truncated) flags |= FrameFlag.Truncated;
  if (captured.injected) flags |= FrameFlag.Injected;
  if (captured.edited) flags |= FrameFlag.Edited;
  if (captured.dropped) flags |= FrameFlag.Dropped;
  if (frame.closeCode !== undefined) flags |= FrameFlag.HasCloseCode;
  if (frame.closeReason !== undefined) flags |= FrameFlag.HasCloseReason;
  if (!input.storePayload) flags |= FrameFlag.PayloadNotStored;
  if (frame.payloadLengthExact !== undefined) flags |= FrameFlag.ExactLength;
  if (captured.arrivedAt !== undefined) flags |= FrameFlag.HasArrivedAt;
  // Wire bytes are written as they came: masked ones with their key, unmasked on read.
  const wire = input.storePayload ? frame.wire : undefined;
  if (wire?.maskKey) flags |= FrameFlag.PayloadMasked;
  const violations = frame.violations.length > 255 ? frame.violations.slice(0, 255) : frame.violations;

  buf.writeUInt32LE(input.connectionId >>> 0, offset);
  buf.writeUInt32LE(flags, offset + 4);
  buf[offset + 8] = frame.opcode & 0xff;
  buf[offset + 9] = frame.lengthForm;
  buf[offset + 10] = frame.headerLength & 0xff;
  buf[offset + 11] = violations.length;
  buf.writeDoubleLE(captured.time, offset + 12);
  if (frame.payloadLengthExact !== undefined) buf.writeBigUInt64LE(frame.payloadLengthExact, offset + 20);
  else buf.writeDoubleLE(frame.payloadLength, offset + 20);
  buf.writeDoubleLE(frame.index, offset + 28);
  buf.writeDoubleLE(frame.offset, offset + 36);
  if (frame.maskKey !== undefined && frame.maskKey.length >= 4) frame.maskKey.copy(buf, offset + 44, 0, 4);
  else buf.writeUInt32LE(0, offset + 44);
  buf.writeUInt16LE((frame.closeCode ?? 0) & 0xffff, offset + 48);
  buf.writeUInt16LE(parts.reason.length, offset + 50);
  let at = offset + FRAME_FIXED_LENGTH;
  for (const code of violations) buf[at++] = ordinalFor(catalogue, code);
  at += parts.reason.copy(buf, at);
  if (captured.arrivedAt !== undefined) {
    buf.writeDoubleLE(captured.arrivedAt, at);
    at += 8;
  }
  if (wire) copyWire(wire, buf, at);
  else if (input.storePayload) frame.payload.copy(buf, at);
}

/** A frame read back from its record. */
export interface DecodedFrame {
  /** The connection it belongs to. */
  connectionId: number;
  /** The frame; its payload is what the body holds (a prefix when the body was read partly). */
  captured: CapturedFrame;
  /** The payload was not stored (disk budget). */
  payloadNotStored: boolean;
  /** Payload bytes the whole record holds (may exceed captured.frame.payload.length for a partial read). */
  storedLength: number;
  /** The payload is a buffer of its own (it was unmasked), not a view into the body. */
  payloadOwned: boolean;
}

/**
 * Decodes a frame body. `body` may be a prefix of the body (for previews) as long as it reaches past
 * the close reason; `bodyLength` is the whole body's length. The payload is a view into body.
 */
export function decodeFrameBody(body: Buffer, catalogue: ViolationCatalogue, bodyLength = body.length): DecodedFrame {
  const flags = body.readUInt32LE(4);
  const violationCount = body[11];
  const reasonLength = body.readUInt16LE(50);
  let at = FRAME_FIXED_LENGTH;
  const violations: ViolationCode[] = [];
  for (let i = 0; i < violationCount; i++) violations.push(catalogue.nameOf(body[at++]));
  const reasonStart = at;
  at += reasonLength;
  let arrivedAt: number | undefined;
  if (flags & FrameFlag.HasArrivedAt) {
    arrivedAt = body.readDoubleLE(at);
    at += 8;
  }
  const notStored = (flags & FrameFlag.PayloadNotStored) !== 0;
  const frame: Frame = {
    fin: (flags & FrameFlag.Fin) !== 0,
    rsv1: (flags & FrameFlag.Rsv1) !== 0,
    rsv2: (flags & FrameFlag.Rsv2) !== 0,
    rsv3: (flags & FrameFlag.Rsv3) !== 0,
    opcode: body[8],
    masked: (flags & FrameFlag.Masked) !== 0,
    ...(flags & FrameFlag.ExactLength ? lengthFields(body.readBigUInt64LE(20)) : { payloadLength: body.readDoubleLE(20) }),
    lengthForm: body[9] as Frame['lengthForm'],
    headerLength: body[10],
    index: body.readDoubleLE(28),
    offset: body.readDoubleLE(36),
    payload: storedPayload(body, flags, at, Math.min(body.length, bodyLength)),
    // A payload that was not stored holds less than the length field says, like a capped one.
    truncated: (flags & FrameFlag.Truncated) !== 0 || (notStored && ((flags & FrameFlag.ExactLength) !== 0 || body.readDoubleLE(20) > 0)),
    violations,
  };
  if (flags & FrameFlag.HasMaskKey) frame.maskKey = Buffer.from(body.subarray(44, 48));
  if (flags & FrameFlag.HasCloseCode) frame.closeCode = body.readUInt16LE(48);
  if (flags & FrameFlag.HasCloseReason) frame.closeReason = body.toString('utf8', reasonStart, reasonStart + reasonLength);
  const captured: CapturedFrame = { direction: directionOf(flags), time: body.readDoubleLE(12), frame };
  if (arrivedAt !== undefined) captured.arrivedAt = arrivedAt;
  if (flags & FrameFlag.Injected) captured.injected = true;
  if (flags & FrameFlag.Edited) captured.edited = true;
  if (flags & FrameFlag.Dropped) captured.dropped = true;
  return { connectionId: body.readUInt32LE(0), captured, payloadNotStored: notStored, storedLength: bodyLength - at, payloadOwned: (flags & FrameFlag.PayloadMasked) !== 0 };
}

/**
 * The stored payload bytes body[start, end) as the application sees them: a view, or unmasked into a
 * buffer of their own when they were stored as they crossed the wire (the one place they are unmasked).
 */
export function storedPayload(body: Buffer, flags: number, start: number, end: number): Buffer {
  const stored = body.subarray(start, end);
  if ((flags & FrameFlag.PayloadMasked) === 0) return stored;
  const payload = Buffer.allocUnsafe(stored.length);
  maskRange(stored, 0, stored.length, body.subarray(44, 48), 0, payload, 0);
  return payload;
}

/** How many bytes of a frame body reach past its close reason (what a partial read must cover). */
export function frameBodyPrefixLength(fixed: Buffer): number {
  const arrived = fixed.readUInt32LE(4) & FrameFlag.HasArrivedAt ? 8 : 0;
  return FRAME_FIXED_LENGTH + fixed[11] + fixed.readUInt16LE(50) + arrived;
}

// ---------------------------------------------------------------------------------------------
// Message records
//
//  0 u32 connection id   4 u32 flags (MessageFlag)   8 u8 opcode   9 u8 violation count   10 u16 0
// 12 f64 time           20 f64 size                 28 u32 frame index count
// 32 u32 frame number count (0, or the same as the index count)   36 u32 anchor frame number
// 40 violation ordinals (u8 each), stream frame indexes (f64 each), connection frame numbers (u32
//    each), with MessageFlag.HasArrivedAt an f64 arrival time, then the data (absent when
//    DataFromFrames or DataNotStored).

export const MESSAGE_FIXED_LENGTH = 40;
/** The anchor of a message put before any frame of its connection. */
export const NO_FRAME = 0xffffffff;

export const MessageFlag = {
  Receive: 1 << 0,
  Compressed: 1 << 1,
  Truncated: 1 << 2,
  /** The data is its frames' stored payloads concatenated: rebuilt from them, not stored twice. */
  DataFromFrames: 1 << 3,
  /** The data was not stored (the disk budget was reached). */
  DataNotStored: 1 << 4,
  /** The proxy made this message (inject, resend). */
  Injected: 1 << 5,
  /** The proxy sent this edited version in place of a held message. */
  Edited: 1 << 6,
  /** The proxy did not forward this message. */
  Dropped: 1 << 7,
  /** An f64 arrival time follows the frame numbers: the message was held or queued (time is when it went on the wire). */
  HasArrivedAt: 1 << 8,
} as const;

/** A message to encode. */
export interface MessageRecordInput {
  /** The connection it belongs to. */
  connectionId: number;
  /** The message as the session saw it. */
  captured: CapturedMessage;
  /** The connection frame numbers of its frames (same order as frameIndexes), or null when unknown. */
  frameNumbers: readonly number[] | null;
  /** Its final frame's number, or the connection's last frame number when its frames are unknown. */
  anchorFrame: number;
  /** Store a flag instead of the data: the data equals its frames' stored payloads concatenated. */
  dataFromFrames: boolean;
  /** False past the disk budget. */
  storeData: boolean;
}

export function measureMessageBody(input: MessageRecordInput): number {
  const m = input.captured.message;
  const numbers = input.frameNumbers ? input.frameNumbers.length : 0;
  const data = input.dataFromFrames || !input.storeData ? 0 : m.data.length;
  const arrived = input.captured.arrivedAt === undefined ? 0 : 8;
  return MESSAGE_FIXED_LENGTH + Math.min(m.violations.length, 255) + m.frameIndexes.length * 8 + numbers * 4 + arrived + data;
}

export function writeMessageBody(buf: Buffer, offset: number, input: MessageRecordInput, catalogue: ViolationCatalogue): void {
  const { captured } = input;
  const m = captured.message;
  let flags = captured.direction === 'receive' ? MessageFlag.Receive : 0;
  if (m.compressed) flags |= MessageFlag.Compressed;
  if (m.truncated) flags |= MessageFlag.Truncated;
  if (input.dataFromFrames) flags |= MessageFlag.DataFromFrames;
  else if (!input.storeData) flags |= MessageFlag.DataNotStored;
  if (captured.injected) flags |= MessageFlag.Injected;
  if (captured.edited) flags |= MessageFlag.Edited;
  if (captured.dropped) flags |= MessageFlag.Dropped;
  if (captured.arrivedAt !== undefined) flags |= MessageFlag.HasArrivedAt;
  const violations = m.violations.length > 255 ? m.violations.slice(0, 255) : m.violations;
  const numbers = input.frameNumbers ?? [];

  buf.writeUInt32LE(input.connectionId >>> 0, offset);
  buf.writeUInt32LE(flags, offset + 4);
  buf[offset + 8] = m.opcode & 0xff;
  buf[offset + 9] = violations.length;
  buf.writeUInt16LE(0, offset + 10);
  buf.writeDoubleLE(captured.time, offset + 12);
  buf.writeDoubleLE(m.size, offset + 20);
  buf.writeUInt32LE(m.frameIndexes.length, offset + 28);
  buf.writeUInt32LE(numbers.length, offset + 32);
  buf.writeUInt32LE(input.anchorFrame >>> 0, offset + 36);
  let at = offset + MESSAGE_FIXED_LENGTH;
  for (const code of violations) buf[at++] = ordinalFor(catalogue, code);
  for (const index of m.frameIndexes) {
    buf.writeDoubleLE(index, at);
    at += 8;
  }
  for (const n of numbers) {
    buf.writeUInt32LE(n >>> 0, at);
    at += 4;
  }
  if (captured.arrivedAt !== undefined) {
    buf.writeDoubleLE(captured.arrivedAt, at);
    at += 8;
  }
  if (!input.dataFromFrames && input.storeData) m.data.copy(buf, at);
}

/** A message read back from its record. */
export interface DecodedMessage {
  /** The connection it belongs to. */
  connectionId: number;
  /** The message; data is empty when dataFromFrames (the caller rebuilds it) or dataNotStored. */
  captured: CapturedMessage;
  /** The connection frame numbers of its frames, empty when they were unknown. */
  frameNumbers: number[];
  /** Its final frame's number (or the connection's last frame when they were unknown); NO_FRAME when none. */
  anchorFrame: number;
  /** The data must be rebuilt from frameNumbers' payloads. */
  dataFromFrames: boolean;
  /** The data was not stored (disk budget). */
  dataNotStored: boolean;
}

/** Decodes a message body. The data is a view into body. */
export function decodeMessageBody(body: Buffer, catalogue: ViolationCatalogue): DecodedMessage {
  const flags = body.readUInt32LE(4);
  const violationCount = body[9];
  const indexCount = body.readUInt32LE(28);
  const numberCount = body.readUInt32LE(32);
  let at = MESSAGE_FIXED_LENGTH;
  const violations: ViolationCode[] = [];
  for (let i = 0; i < violationCount; i++) violations.push(catalogue.nameOf(body[at++]));
  const frameIndexes: number[] = [];
  for (let i = 0; i < indexCount; i++, at += 8) frameIndexes.push(body.readDoubleLE(at));
  const frameNumbers: number[] = [];
  for (let i = 0; i < numberCount; i++, at += 4) frameNumbers.push(body.readUInt32LE(at));
  let arrivedAt: number | undefined;
  if (flags & MessageFlag.HasArrivedAt) {
    arrivedAt = body.readDoubleLE(at);
    at += 8;
  }
  const dataFromFrames = (flags & MessageFlag.DataFromFrames) !== 0;
  const dataNotStored = (flags & MessageFlag.DataNotStored) !== 0;
  const captured: CapturedMessage = {
    direction: directionOf(flags),
    time: body.readDoubleLE(12),
    message: {
      opcode: body[8],
      data: body.subarray(at),
      // Data that was not stored holds less than the whole message, like capped data.
      truncated: (flags & MessageFlag.Truncated) !== 0 || (dataNotStored && body.readDoubleLE(20) > 0),
      compressed: (flags & MessageFlag.Compressed) !== 0,
      size: body.readDoubleLE(20),
      frameIndexes,
      violations,
    },
  };
  if (arrivedAt !== undefined) captured.arrivedAt = arrivedAt;
  if (flags & MessageFlag.Injected) captured.injected = true;
  if (flags & MessageFlag.Edited) captured.edited = true;
  if (flags & MessageFlag.Dropped) captured.dropped = true;
  return { connectionId: body.readUInt32LE(0), captured, frameNumbers, anchorFrame: body.readUInt32LE(36), dataFromFrames, dataNotStored };
}

// ---------------------------------------------------------------------------------------------

const EMPTY = Buffer.alloc(0);

function directionOf(flags: number): Direction {
  return flags & 1 ? 'receive' : 'send';
}

/** The ordinal to store for a code; the writer adds unknown codes to the catalogue before encoding. */
function ordinalFor(catalogue: ViolationCatalogue, code: string): number {
  const ordinal = catalogue.ordinalOf(code);
  return ordinal >= 0 ? ordinal : catalogue.add(code);
}
