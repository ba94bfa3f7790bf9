// An index snapshot: a capture file's in-memory index written next to it when the session closes, so
// that opening a big session reads its typed arrays as they are (about 30 bytes a frame) instead of
// reading and checking every record of the file. It is a cache, never the truth. It is used only when
// its own CRC holds, its format and the violation catalogue's bit order are this version's, and the
// capture file still holds the bytes it saw (at least its length, and equal bytes at sampled records
// and at its end). Records appended after it (a session reopened, recorded into and then killed) are
// scanned from its end, so crash recovery keeps its promise. Anything else (no snapshot, a torn or
// flipped one, one of another file) falls back to scanning the whole file.
//
// The records the index keeps whole (connections, errors, notes, rule marks, gaps, policies, the
// catalogue) are not copied into it: it lists their offsets and they are read again from the file,
// CRC-checked, so the snapshot knows nothing of the layout of record bodies.
//
// Layout (header numbers little-endian; the columns are typed arrays as they are in memory, in the
// byte order the header names; every section starts at a multiple of 8):
//   header (64)       magic "FSINDEX1", version u32, fingerprint u32, byte order u8 (1 LE, 2 BE), 3 zero,
//                     connection count u32, end f64, kept records f64, other records f64,
//                     sample count u32, 0 u32, total length f64
//   samples           per sample: offset f64, the 16 bytes of the capture file there
//   kept records      offsets, f64 each
//   per connection    id u32, flags u32 (1: anchors sorted), frame count f64, message count f64,
//                     frames sent, received, messages sent, received, bytes sent, received,
//                     violation count, exact length count (f64 each), 8 zero;
//                     exact lengths (frame number f64, length u64 each);
//                     frame offset f64[], time f64[], length f64[], bits u32[], violations u32[];
//                     message offset f64[], time f64[], anchor u32[], bits u32[], violations u32[], zero to a multiple of 8
//   trailer (8)       CRC-32 u32 of every byte before it, 0 u32
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { crc32 } from 'node:zlib';
import { VIOLATION_CODES } from '../protocol/violations.js';
import { FILE_HEADER_LENGTH, RECORD_HEADER_LENGTH, ViolationCatalogue, recordIntact } from './capture-file.js';
import { CaptureIndex, Column, ConnectionIndex, FrameBits, MessageBits } from './capture-index.js';
import { indexRecord, isKeptRecordType, type ScanStart } from './capture-scan.js';

/** The snapshot of the capture file at path. */
export function indexSnapshotPath(capturePath: string): string {
  return `${capturePath}.index`;
}

/**
 * How an open used the snapshot: loaded (the index came from it), absent (there was none), corrupt
 * (its bytes do not hold together: torn, flipped), stale (it is of another file, an older state of
 * this one, or another version's index).
 */
export type SnapshotUse = 'loaded' | 'absent' | 'corrupt' | 'stale';

export interface SnapshotLoad {
  use: SnapshotUse;
  /** Where the scan goes on from, when the snapshot was loaded. */
  start?: ScanStart;
}

const MAGIC = Buffer.from('FSINDEX1', 'latin1');
const VERSION = 1;
const HEADER_LENGTH = 64;
const SAMPLE_BYTES = 16;
const SAMPLE_LENGTH = 8 + SAMPLE_BYTES;
/** Records sampled across the file (besides its first and last bytes). */
const SAMPLES = 62;
const CONNECTION_FIXED_LENGTH = 96;
const TRAILER_LENGTH = 8;
/** A snapshot is smaller than its capture file (a record is larger than its index entry); this much slack covers the fixed parts. */
const SLACK = 64 * 1024;
/** Bytes read at once when kept records are read again. */
const KEPT_WINDOW = 256 * 1024;

const NATIVE_ORDER = endianness() === 'LE' ? 1 : 2;

/**
 * The fields this snapshot saves and restores: an index with other fields (a later version's) would
 * be restored without them, so its fields are part of the fingerprint, and a test names them.
 */
export const SNAPSHOT_FIELDS = {
  connection: ['id', 'record', 'frameOffset', 'frameTime', 'frameBits', 'frameViolations', 'frameLength', 'exactLengths', 'messageOffset',
    'messageTime', 'messageAnchor', 'messageBits', 'messageViolations', 'framesSent', 'framesReceived', 'messagesSent', 'messagesReceived',
    'bytesSent', 'bytesReceived', 'violationCount', 'anchorsSorted'],
  index: ['byId', 'errors', 'gaps', 'annotations', 'ruleMarks', 'policies', 'keptRecords', 'otherRecords'],
} as const;

/** What the index's fields, bits and masks mean in this version: a snapshot of another meaning is stale. */
const FINGERPRINT = crc32(JSON.stringify({
  VERSION, VIOLATION_CODES, FrameBits, MessageBits, connection: Object.keys(new ConnectionIndex(0)), index: Object.keys(new CaptureIndex()),
}));

class SnapshotError extends Error {
  constructor(readonly use: 'corrupt' | 'stale', message: string) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * Writes the snapshot of an index that stands for the capture file's bytes [0, end) (all of them in
 * the file or readable through `read`), to a new file (0600) renamed over the old one.
 */
export function writeIndexSnapshot(capturePath: string, index: CaptureIndex, end: number, read: (position: number, length: number) => Buffer): void {
  const connections = index.all();
  const parts: Buffer[] = [];
  let length = 0;
  const add = (part: Buffer | ArrayBufferView): void => {
    const bytes = Buffer.isBuffer(part) ? part : Buffer.from(part.buffer, part.byteOffset, part.byteLength);
    parts.push(bytes);
    length += bytes.length;
  };

  const samples = sampleOffsets(index, connections, end);
  const head = Buffer.alloc(HEADER_LENGTH);
  add(head);
  const sampleBytes = Buffer.alloc(samples.length * SAMPLE_LENGTH);
  samples.forEach((offset, i) => {
    sampleBytes.writeDoubleLE(offset, i * SAMPLE_LENGTH);
    const bytes = read(offset, SAMPLE_BYTES);
    if (bytes.length !== SAMPLE_BYTES) throw new Error(`the capture file has no ${SAMPLE_BYTES} bytes at ${offset}`);
    bytes.copy(sampleBytes, i * SAMPLE_LENGTH + 8);
  });
  add(sampleBytes);
  for (const view of index.keptRecords.views()) add(view);
  for (const entry of connections) addConnection(entry, add);

  head.write('FSINDEX1', 0, 'latin1');
  head.writeUInt32LE(VERSION, 8);
  head.writeUInt32LE(FINGERPRINT, 12);
  head[16] = NATIVE_ORDER;
  head.writeUInt32LE(connections.length, 20);
  head.writeDoubleLE(end, 24);
  head.writeDoubleLE(index.keptRecords.length, 32);
  head.writeDoubleLE(index.otherRecords, 40);
  head.writeUInt32LE(samples.length, 48);
  head.writeDoubleLE(length + TRAILER_LENGTH, 56);
  let crc = 0;
  for (const part of parts) crc = crc32(part, crc);
  const trailer = Buffer.alloc(TRAILER_LENGTH);
  trailer.writeUInt32LE(crc, 0);
  parts.push(trailer);

  const path = indexSnapshotPath(capturePath);
  const temporary = `${path}.tmp`;
  rmSync(temporary, { force: true });
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    for (const part of parts) {
      for (let done = 0; done < part.length;) done += writeSync(fd, part, done, part.length - done);
    }
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, path);
}

function addConnection(entry: ConnectionIndex, add: (part: Buffer | ArrayBufferView) => void): void {
  const fixed = Buffer.alloc(CONNECTION_FIXED_LENGTH);
  fixed.writeUInt32LE(entry.id >>> 0, 0);
  fixed.writeUInt32LE(entry.anchorsSorted ? 1 : 0, 4);
  const counts = [entry.frameCount, entry.messageCount, entry.framesSent, entry.framesReceived, entry.messagesSent, entry.messagesReceived,
    entry.bytesSent, entry.bytesReceived, entry.violationCount, entry.exactLengths.size];
  counts.forEach((n, i) => fixed.writeDoubleLE(n, 8 + 8 * i));
  add(fixed);
  const exact = Buffer.alloc(16 * entry.exactLengths.size);
  [...entry.exactLengths].forEach(([n, value], i) => {
    exact.writeDoubleLE(n, 16 * i);
    exact.writeBigUInt64LE(value, 16 * i + 8);
  });
  add(exact);
  for (const column of [entry.frameOffset, entry.frameTime, entry.frameLength, entry.frameBits, entry.frameViolations,
    entry.messageOffset, entry.messageTime, entry.messageAnchor, entry.messageBits, entry.messageViolations]) {
    for (const view of (column as Column<Float64Array | Uint32Array>).views()) add(view);
  }
  // Frames' u32 columns come in pairs (8 bytes a frame); messages' are three: pad an odd count.
  if (entry.messageCount % 2 === 1) add(Buffer.alloc(4));
}

/** Offsets of records to sample: the file's head, records spread over the index, the file's last bytes. */
function sampleOffsets(index: CaptureIndex, connections: ConnectionIndex[], end: number): number[] {
  const offsets = new Set<number>();
  if (end >= FILE_HEADER_LENGTH + SAMPLE_BYTES) offsets.add(0);
  const columns = [index.keptRecords, ...connections.flatMap((c) => [c.frameOffset, c.messageOffset])];
  const total = columns.reduce((sum, column) => sum + column.length, 0);
  if (total > 0) {
    for (let k = 0; k < Math.min(SAMPLES, total); k++) {
      let at = Math.floor((k * total) / Math.min(SAMPLES, total));
      for (const column of columns) {
        if (at < column.length) {
          const offset = column.get(at);
          if (offset + SAMPLE_BYTES <= end) offsets.add(offset);
          break;
        }
        at -= column.length;
      }
    }
  }
  if (end >= FILE_HEADER_LENGTH + SAMPLE_BYTES) offsets.add(end - SAMPLE_BYTES);
  return [...offsets].sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------
// Loading

/**
 * Loads the snapshot of the capture file open as fd, if there is one that holds together and fits
 * the file. Never throws: whatever is wrong with the snapshot, the answer is to scan the file.
 */
export function loadIndexSnapshot(capturePath: string, fd: number): SnapshotLoad {
  let snapshotFd: number;
  try {
    snapshotFd = openSync(indexSnapshotPath(capturePath), 'r');
  } catch {
    return { use: 'absent' };
  }
  try {
    const bytes = readSnapshot(snapshotFd, fstatSync(fd).size);
    return { use: 'loaded', start: parseSnapshot(bytes, fd) };
  } catch (error) {
    return { use: error instanceof SnapshotError ? error.use : 'corrupt' };
  } finally {
    closeSync(snapshotFd);
  }
}

function readSnapshot(snapshotFd: number, captureSize: number): Buffer {
  const size = fstatSync(snapshotFd).size;
  if (size < HEADER_LENGTH + TRAILER_LENGTH || size > captureSize + SLACK) throw new SnapshotError('corrupt', `a snapshot of ${size} bytes`);
  // Its own memory (not a pooled slice), 8-aligned: the columns become views of it.
  const bytes = Buffer.from(new ArrayBuffer(size));
  for (let done = 0; done < size;) {
    const n = readSync(snapshotFd, bytes, done, size - done, done);
    if (n === 0) throw new SnapshotError('corrupt', 'the snapshot ended early');
    done += n;
  }
  if (!bytes.subarray(0, 8).equals(MAGIC)) throw new SnapshotError('corrupt', 'bad magic');
  if (bytes.readDoubleLE(56) !== size) throw new SnapshotError('corrupt', 'its length is not the one it says');
  if (crc32(bytes.subarray(0, size - TRAILER_LENGTH)) !== bytes.readUInt32LE(size - TRAILER_LENGTH)) throw new SnapshotError('corrupt', 'CRC mismatch');
  return bytes;
}

/** Reads sections of the snapshot in order, checking each fits. */
class Cursor {
  at = HEADER_LENGTH;

  constructor(private readonly bytes: Buffer) {}

  take(length: number): number {
    if (!Number.isSafeInteger(length) || length < 0 || this.at + length > this.bytes.length - TRAILER_LENGTH) {
      throw new SnapshotError('corrupt', 'a section runs past the end');
    }
    const at = this.at;
    this.at += length;
    return at;
  }

  float64(count: number): Float64Array<ArrayBuffer> {
    return new Float64Array(this.bytes.buffer as ArrayBuffer, this.bytes.byteOffset + this.take(8 * count), count);
  }

  uint32(count: number): Uint32Array<ArrayBuffer> {
    return new Uint32Array(this.bytes.buffer as ArrayBuffer, this.bytes.byteOffset + this.take(4 * count), count);
  }
}

function parseSnapshot(bytes: Buffer, fd: number): ScanStart {
  if (bytes.readUInt32LE(8) !== VERSION || bytes.readUInt32LE(12) !== FINGERPRINT || bytes[16] !== NATIVE_ORDER) {
    throw new SnapshotError('stale', 'another version\'s index');
  }
  const end = bytes.readDoubleLE(24);
  const captureSize = fstatSync(fd).size;
  if (!Number.isSafeInteger(end) || end < FILE_HEADER_LENGTH || end > captureSize) throw new SnapshotError('stale', 'the capture file is shorter than the snapshot');
  const cursor = new Cursor(bytes);
  const sampleCount = bytes.readUInt32LE(48);
  const samplesAt = cursor.take(sampleCount * SAMPLE_LENGTH);
  const found = Buffer.alloc(SAMPLE_BYTES);
  for (let i = 0; i < sampleCount; i++) {
    const at = samplesAt + i * SAMPLE_LENGTH;
    const offset = bytes.readDoubleLE(at);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + SAMPLE_BYTES > end) throw new SnapshotError('corrupt', 'a sample past the end');
    if (readSync(fd, found, 0, SAMPLE_BYTES, offset) !== SAMPLE_BYTES || !found.equals(bytes.subarray(at + 8, at + 8 + SAMPLE_BYTES))) {
      throw new SnapshotError('stale', `the capture file changed at ${offset}`);
    }
  }
  const kept = cursor.float64(bytes.readDoubleLE(32));
  checkOffsets(kept, end);

  const index = new CaptureIndex();
  const connectionCount = bytes.readUInt32LE(20);
  for (let c = 0; c < connectionCount; c++) {
    const fixed = cursor.take(CONNECTION_FIXED_LENGTH);
    const entry = index.connection(bytes.readUInt32LE(fixed));
    if (entry.frameCount > 0 || entry.messageCount > 0) throw new SnapshotError('corrupt', `connection ${entry.id} twice`);
    entry.anchorsSorted = (bytes.readUInt32LE(fixed + 4) & 1) !== 0;
    const count = (i: number): number => {
      const n = bytes.readDoubleLE(fixed + 8 + 8 * i);
      if (!Number.isSafeInteger(n) || n < 0) throw new SnapshotError('corrupt', 'a bad count');
      return n;
    };
    // Byte counts add length fields, which may pass 2^53.
    const total = (i: number): number => {
      const n = bytes.readDoubleLE(fixed + 8 + 8 * i);
      if (!(n >= 0 && n < Infinity)) throw new SnapshotError('corrupt', 'a bad byte count');
      return n;
    };
    const frames = count(0);
    const messages = count(1);
    entry.framesSent = count(2);
    entry.framesReceived = count(3);
    entry.messagesSent = count(4);
    entry.messagesReceived = count(5);
    entry.bytesSent = total(6);
    entry.bytesReceived = total(7);
    entry.violationCount = count(8);
    const exactAt = cursor.take(16 * count(9));
    for (let i = 0; i < count(9); i++) entry.exactLengths.set(bytes.readDoubleLE(exactAt + 16 * i), bytes.readBigUInt64LE(exactAt + 16 * i + 8));
    entry.frameOffset.adopt(cursor.float64(frames));
    entry.frameTime.adopt(cursor.float64(frames));
    entry.frameLength.adopt(cursor.float64(frames));
    entry.frameBits.adopt(cursor.uint32(frames));
    entry.frameViolations.adopt(cursor.uint32(frames));
    entry.messageOffset.adopt(cursor.float64(messages));
    entry.messageTime.adopt(cursor.float64(messages));
    entry.messageAnchor.adopt(cursor.uint32(messages));
    entry.messageBits.adopt(cursor.uint32(messages));
    entry.messageViolations.adopt(cursor.uint32(messages));
    if (messages % 2 === 1) cursor.take(4);
    checkColumn(entry.frameOffset, end);
    checkColumn(entry.messageOffset, end);
  }
  if (cursor.at !== bytes.length - TRAILER_LENGTH) throw new SnapshotError('corrupt', 'bytes left over');
  index.otherRecords = bytes.readDoubleLE(40);

  const { catalogue, catalogueFound } = readKeptRecords(index, kept, fd, end);
  return { index, catalogue, catalogueFound, end };
}

function checkColumn(column: Column<Float64Array>, end: number): void {
  for (const view of column.views()) checkOffsets(view, end);
}

function checkOffsets(offsets: Float64Array, end: number): void {
  for (let i = 0; i < offsets.length; i++) {
    const offset = offsets[i];
    if (!(offset >= FILE_HEADER_LENGTH && offset + RECORD_HEADER_LENGTH <= end)) throw new SnapshotError('corrupt', 'an offset outside the file');
  }
}

/** Reads the records the index keeps whole again, in file order, each checked by its CRC. */
function readKeptRecords(index: CaptureIndex, offsets: Float64Array, fd: number, end: number): { catalogue: ViolationCatalogue; catalogueFound: boolean } {
  let catalogue = new ViolationCatalogue();
  let catalogueFound = false;
  let window = Buffer.allocUnsafe(0);
  let windowStart = 0;
  let last = -1;
  for (let i = 0; i < offsets.length; i++) {
    const offset = offsets[i];
    if (offset <= last) throw new SnapshotError('corrupt', 'kept records out of order');
    last = offset;
    const inWindow = (length: number): boolean => offset >= windowStart && offset + length <= windowStart + window.length;
    const load = (length: number): void => {
      window = Buffer.allocUnsafe(Math.min(end - offset, Math.max(KEPT_WINDOW, length)));
      windowStart = offset;
      for (let done = 0; done < window.length;) {
        const n = readSync(fd, window, done, window.length - done, offset + done);
        if (n === 0) throw new SnapshotError('stale', 'the capture file ended early');
        done += n;
      }
    };
    if (!inWindow(RECORD_HEADER_LENGTH)) load(RECORD_HEADER_LENGTH);
    const bodyLength = window.readUInt32LE(offset - windowStart + 4);
    const total = RECORD_HEADER_LENGTH + bodyLength;
    if (offset + total > end) throw new SnapshotError('stale', `no whole record at ${offset}`);
    if (!inWindow(total)) load(total);
    const at = offset - windowStart;
    const type = window[at + 8];
    if (!isKeptRecordType(type) || !recordIntact(window, at, bodyLength)) throw new SnapshotError('stale', `no intact record at ${offset}`);
    indexRecord(index, type, window.subarray(at + RECORD_HEADER_LENGTH, at + total), offset, catalogue, (c) => {
      catalogue = c;
      catalogueFound = true;
    });
  }
  return { catalogue, catalogueFound };
}
