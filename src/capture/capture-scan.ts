// Building the in-memory index (capture-index.ts) by scanning a saved capture file: record by record,
// a batch checkpoint at a time, cutting a torn or damaged tail (what open() reports), and how each kept
// record type enters the index (also used when an index snapshot is loaded and records after it are read).
import { fstatSync, ftruncateSync, readSync, writeSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { crc32 } from 'node:zlib';
import {
  CHECKPOINT_BODY_LENGTH, FILE_HEADER_LENGTH, FRAME_FIXED_LENGTH, FrameFlag, MESSAGE_FIXED_LENGTH,
  RECORD_HEADER_LENGTH, RecordType, ViolationCatalogue, checkFileHeader, decodeCatalogueBody, decodeCheckpointBody,
  decodeConnectionBody, decodeErrorBody, encodeFileHeader, readRecordHeader, recordIntact,
} from './capture-file.js';
import { decodeGapBody } from './recording-gap.js';
import { decodeAnnotationBody } from './annotation-record.js';
import { decodeRuleMarkBody } from './rule-mark-record.js';
import { decodePolicyBody } from './record-policy-record.js';
import { CaptureIndex, frameBitsOfFlags, messageBitsOfFlags } from './capture-index.js';

/** What open() found in the file. */
export interface RecoveryReport {
  /** Bytes cut off the end: a torn last record (or everything from the first damaged record on). */
  tornBytes: number;
  /** Intact records read (checkpoints not counted). */
  records: number;
}

// ---------------------------------------------------------------------------------------------
// Scanning a file to build the index

/** Bytes read at a time when scanning. */
const SCAN_CHUNK = 8 * 1024 * 1024;

/** What scanning a file built and found. */
export interface ScanResult {
  /** The index of every intact record. */
  index: CaptureIndex;
  /** Where the intact records end (the file is cut there). */
  end: number;
  /** The file's violation names (the current catalogue when it has none). */
  catalogue: ViolationCatalogue;
  /** The file has a catalogue record. */
  catalogueFound: boolean;
  /** What was cut. */
  recovery: RecoveryReport;
}

/** Where a scan starts when the file's head is indexed already (an index snapshot covers it). */
export interface ScanStart {
  /** The index of every record before `end`. */
  index: CaptureIndex;
  /** The file's catalogue as of `end`. */
  catalogue: ViolationCatalogue;
  catalogueFound: boolean;
  /** Where the indexed records end: a batch boundary (right after a checkpoint). */
  end: number;
}

/**
 * Reads a capture file from its start (or from where `start` says its head is indexed already),
 * indexes every intact record, and cuts the file after the last one (a torn tail, or everything from
 * the first damaged record). Yields to the event loop every few chunks. Throws when the file is not
 * a capture file.
 */
export async function scanCaptureFile(fd: number, start?: ScanStart): Promise<ScanResult> {
  const index = start?.index ?? new CaptureIndex();
  const size = fstatSync(fd).size;
  const head = Buffer.alloc(Math.min(size, FILE_HEADER_LENGTH));
  readSync(fd, head, 0, head.length, 0);
  if (size < FILE_HEADER_LENGTH && encodeFileHeader().subarray(0, size).equals(head)) {
    // Torn while the file was being created: write the header again.
    writeSync(fd, encodeFileHeader(), 0, FILE_HEADER_LENGTH, 0);
    return { index, end: FILE_HEADER_LENGTH, catalogue: new ViolationCatalogue(), catalogueFound: false, recovery: { tornBytes: size, records: 0 } };
  }
  checkFileHeader(head);

  let catalogue = start?.catalogue ?? new ViolationCatalogue();
  let catalogueFound = start?.catalogueFound ?? false;
  const take = (type: number, body: Buffer, offset: number): void => {
    if (type === RecordType.Checkpoint) return;
    indexRecord(index, type, body, offset, catalogue, (c) => {
      catalogue = c;
      catalogueFound = true;
    });
  };

  // A window of the file: bytes [chunkStart, chunkEnd).
  const chunk = Buffer.allocUnsafe(Math.min(SCAN_CHUNK, size));
  let chunkStart = 0;
  let chunkEnd = 0;
  let loads = 0;
  const reload = (from: number): void => {
    const want = Math.min(chunk.length, size - from);
    let n = 0;
    while (n < want) {
      const read = readSync(fd, chunk, n, want - n, from + n);
      if (read === 0) break;
      n += read;
    }
    chunkStart = from;
    chunkEnd = from + n;
    loads++;
  };
  const bodyAt = (offset: number): Buffer => {
    const at = offset - chunkStart;
    return chunk.subarray(at + RECORD_HEADER_LENGTH, at + RECORD_HEADER_LENGTH + chunk.readUInt32LE(at + 4));
  };
  /** Checks and indexes records one by one; returns the offset of the first damaged one, or -1. */
  const checkEach = (offsets: readonly number[]): number => {
    for (const offset of offsets) {
      const at = offset - chunkStart;
      if (!recordIntact(chunk, at, chunk.readUInt32LE(at + 4))) return offset;
      take(chunk[at + 8], bodyAt(offset), offset);
    }
    return -1;
  };

  let pos = start?.end ?? FILE_HEADER_LENGTH;
  const offsets: number[] = [];
  scan: while (pos < size) {
    // Let the event loop breathe every few chunks: opening a big session must not freeze the engine.
    if (loads >= 4) {
      loads = 0;
      await nextTurn();
    }
    if (pos < chunkStart || pos + RECORD_HEADER_LENGTH > chunkEnd) reload(pos);
    // The records from pos up to the next checkpoint, as far as the chunk holds them whole.
    offsets.length = 0;
    let at = pos;
    let checkpoint = -1;
    while (at + RECORD_HEADER_LENGTH <= chunkEnd) {
      const total = RECORD_HEADER_LENGTH + chunk.readUInt32LE(at - chunkStart + 4);
      if (at + total > chunkEnd) break;
      offsets.push(at);
      const type = chunk[at - chunkStart + 8];
      at += total;
      if (type === RecordType.Checkpoint) {
        checkpoint = offsets[offsets.length - 1];
        break;
      }
    }

    if (checkpoint >= 0) {
      const cp = checkpoint - chunkStart;
      const body = bodyAt(checkpoint);
      if (body.length === CHECKPOINT_BODY_LENGTH && recordIntact(chunk, cp, body.length)) {
        const { crc, spanLength } = decodeCheckpointBody(body);
        if (spanLength === checkpoint - pos && crc32(chunk.subarray(pos - chunkStart, cp)) === crc) {
          // The whole batch checks out with one CRC.
          for (const offset of offsets) take(chunk[offset - chunkStart + 8], bodyAt(offset), offset);
          pos = at;
          continue;
        }
      }
      // The batch does not check out as a whole (damage, or a file continued after a cut): one by one, below.
    }

    if (offsets.length === 0) {
      // The record at pos is not whole in the chunk.
      if (pos + RECORD_HEADER_LENGTH > size) break;
      if (chunkStart !== pos) {
        reload(pos);
        continue;
      }
      const header = readRecordHeader(chunk, 0);
      const total = RECORD_HEADER_LENGTH + header.length;
      if (pos + total > size) break;
      // Larger than a chunk: check its CRC piece by piece before trusting its length with an allocation.
      let crc = 0;
      for (let done = 4; done < total;) {
        const n = readSync(fd, chunk, 0, Math.min(chunk.length, total - done), pos + done);
        if (n === 0) break scan;
        crc = crc32(chunk.subarray(0, n), crc);
        done += n;
      }
      chunkStart = chunkEnd = 0;
      if (crc !== header.crc) break;
      const body = Buffer.allocUnsafe(header.length);
      readSync(fd, body, 0, header.length, pos + RECORD_HEADER_LENGTH);
      take(header.type, body, pos);
      pos += total;
      continue;
    }

    if (checkpoint < 0 && chunkStart !== pos && chunkEnd < size) {
      // Give the batch a whole chunk from its start.
      reload(pos);
      continue;
    }
    // A batch that failed its checkpoint, a batch longer than a chunk, or the tail after the last
    // checkpoint (where a crash tears): one by one.
    const bad = checkEach(offsets);
    if (bad >= 0) {
      pos = bad;
      break;
    }
    pos = at;
  }
  const tornBytes = size - pos;
  if (tornBytes > 0) ftruncateSync(fd, pos);
  return { index, end: pos, catalogue, catalogueFound, recovery: { tornBytes, records: index.records } };
}

/** The record types whose contents the index keeps whole (not in its columns). */
const KEPT_TYPES: ReadonlySet<number> = new Set([
  RecordType.Catalogue, RecordType.Connection, RecordType.Error, RecordType.Annotation, RecordType.RuleMark, RecordType.Gap, RecordType.Policy,
]);

/** True for a record type whose contents the index keeps whole (see CaptureIndex.keptRecords). */
export function isKeptRecordType(type: number): boolean {
  return KEPT_TYPES.has(type);
}

/** Indexes one intact record (not a checkpoint) found at offset. */
export function indexRecord(index: CaptureIndex, type: number, body: Buffer, offset: number, catalogue: ViolationCatalogue, setCatalogue: (c: ViolationCatalogue) => void): void {
  if (KEPT_TYPES.has(type)) index.keptRecords.push(offset);
  switch (type) {
    case RecordType.Catalogue:
      setCatalogue(decodeCatalogueBody(body));
      return;
    case RecordType.Connection: {
      const record = decodeConnectionBody(body);
      index.connection(record.id).record = record;
      return;
    }
    case RecordType.Frame: {
      const flags = body.readUInt32LE(4);
      const opcode = body[8];
      const count = body[11];
      let mask = 0;
      for (let i = 0; i < count; i++) mask |= catalogue.maskBitOf(body[FRAME_FIXED_LENGTH + i]);
      const length = flags & FrameFlag.ExactLength ? body.readBigUInt64LE(20) : body.readDoubleLE(20);
      index.connection(body.readUInt32LE(0)).addFrame(offset, body.readDoubleLE(12), frameBitsOfFlags(flags, opcode), mask >>> 0, count,
        body[10] + Number(length), length);
      return;
    }
    case RecordType.Message: {
      // Read in place: a million messages must not make a million objects.
      const flags = body.readUInt32LE(4);
      const count = body[9];
      let mask = 0;
      for (let i = 0; i < count; i++) mask |= catalogue.maskBitOf(body[MESSAGE_FIXED_LENGTH + i]);
      const numbersAt = MESSAGE_FIXED_LENGTH + count + 8 * body.readUInt32LE(28);
      const numbers: number[] = [];
      for (let i = 0, n = body.readUInt32LE(32); i < n; i++) numbers.push(body.readUInt32LE(numbersAt + 4 * i));
      const bits = messageBitsOfFlags(flags, body[8], numbers.length);
      index.connection(body.readUInt32LE(0)).addMessage(offset, body.readDoubleLE(12), body.readUInt32LE(36), bits, mask >>> 0, count, numbers);
      return;
    }
    case RecordType.Error:
      index.errors.push(decodeErrorBody(body));
      return;
    case RecordType.Annotation: {
      const annotation = decodeAnnotationBody(body);
      if (annotation) index.annotations.set(annotation);
      return;
    }
    case RecordType.RuleMark: {
      const mark = decodeRuleMarkBody(body);
      if (mark) index.ruleMarks.set(mark);
      return;
    }
    case RecordType.Gap: {
      const gap = decodeGapBody(body);
      if (gap) index.gaps.push(gap);
      return;
    }
    case RecordType.Policy: {
      const change = decodePolicyBody(body);
      if (change) index.policies.push(change);
      return;
    }
    default:
      // A record type from a later version: skipped.
      index.otherRecords++;
      return;
  }
}
