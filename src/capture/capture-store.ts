// The embedded session store: an append-only capture file (payloads on disk) and a compact in-memory
// index, so a session can run for hours and millions of frames without running out of memory, and a
// saved session reopens by scanning its file. Nothing is dropped silently: a torn tail is cut and
// counted, and past the disk budget payloads stop being stored, which is reported.
import type { ConnectionCounts, FrameSummary as ApiFrameSummary, SearchHitInfo } from '../control/api-types.js';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ViolationCode } from '../protocol/violations.js';
import {
  FILE_HEADER_LENGTH, FRAME_FIXED_LENGTH, MESSAGE_FIXED_LENGTH, NO_FRAME, RECORD_HEADER_LENGTH, RecordType, ViolationCatalogue,
  decodeConnectionBody, decodeErrorBody, decodeFrameBody, decodeMessageBody, encodeCatalogueBody, encodeConnectionBody,
  encodeErrorBody, encodeFileHeader, frameBodyPrefixLength, measureFrameBody, measureMessageBody, recordBodyLength, recordIntact,
  violationBit, violationMask, writeFrameBody, writeMessageBody, type DecodedFrame, type DecodedMessage, type FrameRecordInput,
  type MessageRecordInput, type StoredError,
} from './capture-file.js';
import {
  CaptureIndex, ConnectionIndex, MessageBits, UnitCursor, UnitQueue, directionOfBits, frameBits, messageBits, opcodeOfBits,
  scanCaptureFile, type RecoveryReport,
} from './capture-index.js';
import type { CapturedFrame, CapturedMessage, ConnectionRecord, Direction } from './capture-model.js';
import { CaptureWriter } from './capture-writer.js';

/** 20 GiB: the default disk budget of one session. */
export const DEFAULT_DISK_BUDGET = 20 * 1024 ** 3;
/** The share of the budget at which the warning comes. */
export const BUDGET_WARNING_RATIO = 0.8;
/** Bytes of payload in a frame summary's preview. */
export const PREVIEW_BYTES = 64;

export type BudgetLevel = 'warning' | 'reached';

export interface CaptureStoreOptions {
  /** Bytes the session's file may take before payloads stop being stored. Default 20 GiB. */
  diskBudget?: number;
  /** Told once at 80% of the budget ('warning') and once when it is reached ('reached'). */
  onBudget?: (level: BudgetLevel, usage: number, budget: number) => void;
  /** A write to the file failed; the records stay in memory and the write is retried. */
  onError?: (error: Error) => void;
  /** Longest time a record waits in memory before it is written, ms. Default 50. */
  maxDelayMs?: number;
  /** A batch of records this large is written at once, bytes. Default 1 MiB. */
  batchBytes?: number;
  /**
   * Bytes of records held in memory until they are in the file (written asynchronously) past which
   * onBackpressure(true) is called. Default 64 MiB.
   */
  highWaterMark?: number;
  /** Bytes held at or below which onBackpressure(false) follows. Default half the high-water mark. */
  lowWaterMark?: number;
  /**
   * true: the file falls behind, pause what produces records (the proxy's sockets) until false
   * comes. Records put meanwhile are still kept, never dropped: this only bounds memory. Called
   * synchronously from a put (true) or when a write ends, a flush or close (false).
   */
  onBackpressure?: (paused: boolean) => void;
}

export type { RecoveryReport } from './capture-index.js';

/** A connection's record fields and its counts, for the connection list. */
export interface ConnectionSummary extends Omit<ConnectionRecord, 'frames' | 'messages'>, ConnectionCounts {}

/** Which frames (or search units) to keep. Absent fields match everything. */
export interface FrameFilter {
  /** Only this direction. */
  direction?: Direction;
  /** Only this opcode (a message's opcode for messages). */
  opcode?: number;
  /** Only with this violation, or with any violation. */
  violation?: ViolationCode | 'any';
}

/**
 * One row of a virtualized frame list: the header fields and a short preview, no whole payload.
 * The control API's wire type, with violations typed as the catalogue's codes.
 */
export type FrameSummary = Omit<ApiFrameSummary, 'violations'> & {
  /** Violation codes, in the order found. */
  violations: ViolationCode[];
};

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

/** What to look for. Text and regex match a data message's (decompressed) data, or a lone frame's payload. */
export interface SearchQuery extends FrameFilter {
  /** A literal, matched on the bytes (UTF-8); with flags 'i' case-insensitively. */
  text?: string;
  /** A JavaScript regular expression, matched on the data decoded as UTF-8. With text, both must match. */
  regex?: string;
  /** Regular-expression flags (i, m, s, u); 'g' and 'y' are ignored. */
  flags?: string;
}

/** One match: a data message, or a frame that belongs to no message (control frames). The API's wire type. */
export type SearchHit = SearchHitInfo;

export interface SearchOptions {
  /** Hits per onHits call at most. Default 100. Hits found so far are also sent every ~16 ms of scanning. */
  batch?: number;
  /** Aborts the search: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Longest stretch of scanning between turns of the event loop, ms. Default 16. */
  sliceMs?: number;
}

/** A message found by its final frame. */
export interface MessageAt {
  /** Its number in the connection. */
  number: number;
  /** The message, its data read back. */
  captured: StoredMessage;
  /** The numbers of its frames in the connection, first to last (empty when they were unknown). */
  frameNumbers: number[];
}

/** A frame of a message in progress, kept until the message comes, to know its frames and whether its data is theirs. */
interface AssemblingFrame {
  /** Index in its direction's stream. */
  index: number;
  /** Number in the connection. */
  number: number;
  /** Its stored payload (null when not stored). */
  payload: Buffer | null;
}

/** Frames tracked per message in progress before giving up on linking them (a pathological fragment storm). */
const MAX_ASSEMBLING_FRAMES = 65_536;
const SEARCH_WINDOW = 4 * 1024 * 1024;
const LIST_WINDOW = 256 * 1024;
const SINGLE_READ = 4096;
const SEARCH_SLICE_MS = 16;

export class CaptureStore {
  private catalogue: ViolationCatalogue;
  /** True once the file's catalogue names every current code (before the first record that needs it). */
  private catalogueWritten: boolean;
  private readonly writer: CaptureWriter;
  private readonly budget: number;
  private readonly onBudget: CaptureStoreOptions['onBudget'];
  private readonly onError: (error: Error) => void;
  private warned = false;
  private payloadsOff = false;
  private readonly assembling = new Map<number, [AssemblingFrame[], AssemblingFrame[]]>();
  private closed = false;

  private constructor(
    /** The capture file's path. */
    readonly path: string,
    private readonly fd: number,
    private readonly index: CaptureIndex,
    end: number,
    catalogue: ViolationCatalogue,
    catalogueWritten: boolean,
    /** What open() found; zeros for a new store. */
    readonly recovery: RecoveryReport,
    options: CaptureStoreOptions,
  ) {
    this.catalogue = catalogue;
    this.catalogueWritten = catalogueWritten;
    this.budget = options.diskBudget ?? DEFAULT_DISK_BUDGET;
    this.onBudget = options.onBudget;
    this.onError = options.onError ?? (() => {});
    this.writer = new CaptureWriter(fd, end, {
      maxDelayMs: options.maxDelayMs, batchBytes: options.batchBytes, onError: this.onError,
      highWaterMark: options.highWaterMark, lowWaterMark: options.lowWaterMark, onBackpressure: options.onBackpressure,
    });
  }

  /** Creates a new capture file (it must not exist) and a store that writes to it. */
  static create(path: string, options: CaptureStoreOptions = {}): CaptureStore {
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      writeSync(fd, encodeFileHeader(), 0, FILE_HEADER_LENGTH, 0);
      const store = new CaptureStore(path, fd, new CaptureIndex(), FILE_HEADER_LENGTH, new ViolationCatalogue(), false, { tornBytes: 0, records: 0 }, options);
      store.writeCatalogue();
      store.writer.flush();
      return store;
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /**
   * Opens a saved capture file: scans it, builds the index, cuts a torn tail (reported in
   * `recovery`). The store reads like a live one, and further records are appended.
   */
  static async open(path: string, options: CaptureStoreOptions = {}): Promise<CaptureStore> {
    const fd = openSync(path, 'r+');
    try {
      const scan = await scanCaptureFile(fd);
      return new CaptureStore(path, fd, scan.index, scan.end, scan.catalogue, scan.catalogueFound && scan.catalogue.coversCurrent(), scan.recovery, options);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  /** Records a new or updated connection (its frames and messages arrays are ignored). */
  putConnection(connection: ConnectionRecord): void {
    const body = encodeConnectionBody(connection);
    this.writer.append(RecordType.Connection, body.length, (buf, at) => body.copy(buf, at));
    this.index.connection(connection.id).record = decodeConnectionBody(body);
    if (connection.state === 'closed' || connection.state === 'failed') this.assembling.delete(connection.id);
    this.checkWarning();
  }

  /** Records a frame and returns its number in the connection (from 0). */
  putFrame(connectionId: number, captured: CapturedFrame): number {
    const frame = captured.frame;
    this.prepareCatalogue(frame.violations);
    const input: FrameRecordInput = { connectionId, captured, storePayload: !this.payloadsOff };
    let parts = measureFrameBody(input);
    if (input.storePayload && frame.payload.length > 0 && this.overBudget(parts.length)) {
      this.reachBudget();
      input.storePayload = false;
      parts = measureFrameBody(input);
    }
    const offset = this.writer.append(RecordType.Frame, parts.length, (buf, at) => writeFrameBody(buf, at, input, parts, this.catalogue));
    const entry = this.index.connection(connectionId);
    const n = entry.addFrame(offset, captured.time, frameBits(captured, !input.storePayload), violationMask(frame.violations),
      frame.violations.length, frame.headerLength + frame.payloadLength);
    this.track(connectionId, captured, n, input.storePayload);
    this.checkWarning();
    return n;
  }

  /** Records a data message and returns its number in the connection (from 0). */
  putMessage(connectionId: number, captured: CapturedMessage): number {
    const message = captured.message;
    this.prepareCatalogue(message.violations);
    const entry = this.index.connection(connectionId);
    const frames = this.framesOf(connectionId, captured);
    const dataFromFrames = frames !== null && !message.compressed && dataIsPayloads(message.data, frames);
    const input: MessageRecordInput = {
      connectionId,
      captured,
      frameNumbers: frames && frames.map((f) => f.number),
      anchorFrame: frames ? frames[frames.length - 1].number : entry.frameCount > 0 ? entry.frameCount - 1 : NO_FRAME,
      dataFromFrames,
      storeData: !this.payloadsOff,
    };
    if (!dataFromFrames && input.storeData && message.data.length > 0 && this.overBudget(measureMessageBody(input))) {
      this.reachBudget();
      input.storeData = false;
    }
    const length = measureMessageBody(input);
    const offset = this.writer.append(RecordType.Message, length, (buf, at) => writeMessageBody(buf, at, input, this.catalogue));
    const bits = messageBits(captured, dataFromFrames, !dataFromFrames && !input.storeData, frames?.length ?? 0);
    const n = entry.addMessage(offset, captured.time, input.anchorFrame, bits, violationMask(message.violations),
      message.violations.length, input.frameNumbers ?? []);
    this.checkWarning();
    return n;
  }

  /** Records an error that is not a connection's own story. */
  putError(error: StoredError): void {
    const body = encodeErrorBody(error);
    this.writer.append(RecordType.Error, body.length, (buf, at) => body.copy(buf, at));
    this.index.errors.push(decodeErrorBody(body));
    this.checkWarning();
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /** Every connection that has a record, by id, with its counts. */
  connections(): ConnectionSummary[] {
    return this.index.all().filter((entry) => entry.record !== undefined).map((entry) => {
      const { frames: _frames, messages: _messages, ...record } = entry.record!;
      return {
        ...record,
        frameCount: entry.frameCount,
        messageCount: entry.messageCount,
        framesSent: entry.framesSent,
        framesReceived: entry.framesReceived,
        messagesSent: entry.messagesSent,
        messagesReceived: entry.messagesReceived,
        bytesSent: entry.bytesSent,
        bytesReceived: entry.bytesReceived,
        violationCount: entry.violationCount,
      };
    });
  }

  /** The latest record of a connection, with empty frames and messages arrays. */
  connection(id: number): ConnectionRecord | undefined {
    const record = this.index.find(id)?.record;
    return record && { ...record, frames: [], messages: [] };
  }

  /** Errors recorded with putError, in order. */
  errors(): StoredError[] {
    return this.index.errors.map((e) => ({ ...e }));
  }

  /** Frames of a connection, or how many pass a filter. */
  frameCount(connectionId: number, filter?: FrameFilter): number {
    const entry = this.index.find(connectionId);
    if (!entry) return 0;
    return filter ? this.frameNumbers(connectionId, filter).length : entry.frameCount;
  }

  /** Messages of a connection. */
  messageCount(connectionId: number): number {
    return this.index.find(connectionId)?.messageCount ?? 0;
  }

  /** The numbers of a connection's frames that pass a filter, in order (from the index: no reads). */
  frameNumbers(connectionId: number, filter: FrameFilter = {}): Uint32Array {
    const entry = this.index.find(connectionId);
    if (!entry) return new Uint32Array(0);
    const match = frameMatcher(filter);
    const numbers = new Uint32Array(entry.frameCount);
    let count = 0;
    for (let n = 0; n < entry.frameCount; n++) {
      if (match(entry.frameBits.get(n), entry.frameViolations.get(n))) numbers[count++] = n;
    }
    return numbers.slice(0, count);
  }

  /**
   * Rows start (inclusive) to end (exclusive) of a connection's frame list: frame numbers without a
   * filter, positions among the frames that pass it with one.
   */
  frames(connectionId: number, start: number, end: number, filter?: FrameFilter): FrameSummary[] {
    const entry = this.index.find(connectionId);
    if (!entry) return [];
    const numbers = filter ? this.frameNumbers(connectionId, filter) : null;
    const total = numbers ? numbers.length : entry.frameCount;
    const from = Math.max(0, Math.floor(start));
    const to = Math.min(total, Math.floor(end));
    const reader = this.reader(SINGLE_READ);
    const rows: FrameSummary[] = [];
    for (let i = from; i < to; i++) {
      const n = numbers ? numbers[i] : i;
      const offset = entry.frameOffset.get(n);
      // Read up to the next row at once when it is near (a dense list), else just this row's start.
      const next = i + 1 < to ? entry.frameOffset.get(numbers ? numbers[i + 1] : i + 1) - offset : 0;
      const span = entry.frameOffset.get(numbers ? numbers[to - 1] : to - 1) - offset;
      reader.readAhead = next > 0 && next < LIST_WINDOW ? Math.min(LIST_WINDOW, span + SINGLE_READ) : SINGLE_READ;
      rows.push(summaryOf(entry.id, n, this.readFramePrefix(reader, offset)));
    }
    return rows;
  }

  /** A whole frame, its stored payload read back from the file. */
  frame(connectionId: number, n: number): StoredFrame {
    const entry = this.frameEntry(connectionId, n);
    return this.readFrame(this.reader(SINGLE_READ), entry.frameOffset.get(n));
  }

  /** Messages start (inclusive) to end (exclusive) of a connection, data read back (and rebuilt from frames). */
  messages(connectionId: number, start: number, end: number): StoredMessage[] {
    const entry = this.index.find(connectionId);
    if (!entry) return [];
    const reader = this.reader(LIST_WINDOW);
    const out: StoredMessage[] = [];
    for (let m = Math.max(0, Math.floor(start)); m < Math.min(entry.messageCount, Math.floor(end)); m++) {
      out.push(this.readMessage(reader, entry, m));
    }
    return out;
  }

  /** The message whose final frame is frame n of the connection (for a frame's detail view), if there is one. */
  messageEndingAt(connectionId: number, n: number): MessageAt | undefined {
    const entry = this.index.find(connectionId);
    if (!entry || !Number.isInteger(n) || n < 0) return undefined;
    const m = entry.messageEndingAt(n);
    if (m < 0) return undefined;
    const decoded = this.readMessageRecord(this.reader(SINGLE_READ), entry, m);
    return { number: m, captured: decoded.captured, frameNumbers: decoded.frameNumbers };
  }

  /**
   * Searches one connection (or all, for null) for data messages and lone frames (control frames,
   * frames of no message) that pass the query, and streams the hits in batches as they are found.
   * Resolves with how many units were scanned and how many hit.
   */
  async search(
    connectionId: number | null,
    query: SearchQuery,
    onHits: (hits: SearchHit[]) => void,
    options: SearchOptions = {},
  ): Promise<{ scanned: number; hits: number }> {
    const batch = Math.max(1, options.batch ?? 100);
    const signal = options.signal;
    const sliceMs = options.sliceMs ?? SEARCH_SLICE_MS;
    const matchContent = contentMatcher(query);
    const matchUnit = frameMatcher(query);
    const entries = connectionId === null ? this.index.all() : [this.index.find(connectionId)].filter((e) => e !== undefined);
    // Units of every connection in file order, so the file is read once from start to end.
    const cursors = new UnitQueue(entries.map((entry) => new UnitCursor(entry)).filter((cursor) => cursor.next()));
    // Views into its windows are used before the next record is read: the windows can be recycled.
    const reader = this.reader(SEARCH_WINDOW, SEARCH_WINDOW >> 4, true);
    let scanned = 0;
    let hitCount = 0;
    let pending: SearchHit[] = [];
    let sliceStart = performance.now();
    const emit = () => {
      // Nothing more is delivered once the search is aborted.
      if (pending.length === 0 || signal?.aborted) return;
      const hits = pending;
      pending = [];
      onHits(hits);
    };
    throwIfAborted(signal);

    let delivered = false;
    for (let cursor = cursors.pop(); cursor !== undefined; cursor = cursors.pop()) {
      // The first hits go out at once: the UI shows them while the scan goes on.
      if (!delivered && pending.length > 0 && (scanned & 127) === 127) {
        emit();
        delivered = true;
      }
      if ((scanned & 127) === 127 && performance.now() - sliceStart >= sliceMs) {
        // Show what was found so far, and let the event loop (and an abort) in.
        emit();
        await nextTurn();
        throwIfAborted(signal);
        // Its file descriptor may already name another file.
        if (this.closed) throw new Error('the capture store was closed during the search');
        sliceStart = performance.now();
      }
      scanned++;
      const { entry, unit, n } = cursor;
      const bits = unit === 'frame' ? entry.frameBits.get(n) : entry.messageBits.get(n);
      const violations = unit === 'frame' ? entry.frameViolations.get(n) : entry.messageViolations.get(n);
      if (matchUnit(bits, violations)) {
        let snippet: string | null = '';
        if (matchContent) {
          const data = unit === 'frame' ? this.payloadView(reader, entry.frameOffset.get(n)) : this.messageDataView(reader, entry, n);
          snippet = data === null ? null : matchContent(data);
        }
        if (snippet !== null) {
          const anchor = unit === 'frame' ? n : entry.messageAnchor.get(n);
          const hit: SearchHit = {
            connectionId: entry.id,
            frame: anchor === NO_FRAME ? -1 : anchor,
            direction: directionOfBits(bits),
            time: unit === 'frame' ? entry.frameTime.get(n) : entry.messageTime.get(n),
            opcode: opcodeOfBits(bits),
            snippet,
          };
          if (unit === 'message') hit.message = n;
          pending.push(hit);
          hitCount++;
          if (pending.length >= batch) emit();
        }
      }
      if (cursor.next()) cursors.push(cursor);
    }
    emit();
    return { scanned, hits: hitCount };
  }

  /** Whole connection records with their frames and messages (for HAR export); all connections without ids. */
  toConnectionRecords(ids?: number[]): ConnectionRecord[] {
    const wanted = ids ? new Set(ids) : null;
    const reader = this.reader(SEARCH_WINDOW);
    return this.index.all()
      .filter((entry) => entry.record !== undefined && (!wanted || wanted.has(entry.id)))
      .map((entry) => {
        const frames: CapturedFrame[] = [];
        for (let n = 0; n < entry.frameCount; n++) frames.push(this.readFrame(reader, entry.frameOffset.get(n)));
        const messages: CapturedMessage[] = [];
        for (let m = 0; m < entry.messageCount; m++) messages.push(this.readMessage(reader, entry, m));
        return { ...entry.record!, frames, messages };
      });
  }

  /** Bytes of the capture file, records not yet written included. */
  diskUsage(): number {
    return this.writer.position;
  }

  /** The disk budget, bytes. */
  get diskBudget(): number {
    return this.budget;
  }

  /** Where the session is against its disk budget. */
  get budgetLevel(): 'ok' | BudgetLevel {
    return this.payloadsOff ? 'reached' : this.warned ? 'warning' : 'ok';
  }

  /** Bytes held by the in-memory index's arrays. */
  get indexBytes(): number {
    return this.index.byteLength;
  }

  /** True while the file falls behind and producers should pause (see CaptureStoreOptions.onBackpressure). */
  get backpressure(): boolean {
    return this.writer.backpressure;
  }

  /** Writes every pending record to the file now, synchronously: afterwards the file holds everything put. */
  flush(): void {
    if (this.closed) return;
    this.writer.flush();
  }

  /**
   * Writes what is pending (synchronously) and closes the file. Reading after close throws. The fd
   * itself is closed once no asynchronous write is in flight: at once, or when the last one ends.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.writer.close(() => {
      try {
        closeSync(this.fd);
      } catch (error) {
        this.onError(error as Error);
      }
    });
  }

  // ---------------------------------------------------------------------------------------------

  private frameEntry(connectionId: number, n: number): ConnectionIndex {
    const entry = this.index.find(connectionId);
    if (!entry || !Number.isInteger(n) || n < 0 || n >= entry.frameCount) {
      throw new RangeError(`connection ${connectionId} has no frame ${n}`);
    }
    return entry;
  }

  private reader(readAhead: number, backoff = 0, recycle = false): RecordReader {
    if (this.closed) throw new Error('the capture store is closed');
    return new RecordReader(this.writer, readAhead, backoff, recycle);
  }

  /** The frame record at offset, its body read up to the preview. */
  private readFramePrefix(reader: RecordReader, offset: number): DecodedFrame {
    const fixed = reader.bytes(offset, RECORD_HEADER_LENGTH + FRAME_FIXED_LENGTH);
    const length = recordBodyLength(fixed, 0);
    const prefix = Math.min(length, frameBodyPrefixLength(fixed.subarray(RECORD_HEADER_LENGTH)) + PREVIEW_BYTES);
    return decodeFrameBody(reader.bytes(offset + RECORD_HEADER_LENGTH, prefix), this.catalogue, length);
  }

  /**
   * The stored payload of the frame record at offset, as a view into the reader's window. For the
   * search: no objects, no CRC (open() checked the file, or this process wrote it).
   */
  private payloadView(reader: RecordReader, offset: number): Buffer {
    const fixed = reader.bytes(offset, RECORD_HEADER_LENGTH + FRAME_FIXED_LENGTH);
    const end = RECORD_HEADER_LENGTH + recordBodyLength(fixed, 0);
    const start = RECORD_HEADER_LENGTH + frameBodyPrefixLength(fixed.subarray(RECORD_HEADER_LENGTH));
    return reader.bytes(offset + start, end - start);
  }

  /** A message's data as a view (rebuilt when it has several frames), or null when it was not stored. For the search. */
  private messageDataView(reader: RecordReader, entry: ConnectionIndex, m: number): Buffer | null {
    const bits = entry.messageBits.get(m);
    if (bits & MessageBits.DataNotStored) return null;
    if (bits & MessageBits.DataFromFrames) {
      if (bits & MessageBits.OneFrame) return this.payloadView(reader, entry.frameOffset.get(entry.messageAnchor.get(m)));
      return this.readMessage(reader, entry, m, false).message.data;
    }
    const offset = entry.messageOffset.get(m);
    const fixed = reader.bytes(offset, RECORD_HEADER_LENGTH + MESSAGE_FIXED_LENGTH);
    const body = fixed.subarray(RECORD_HEADER_LENGTH);
    const dataAt = MESSAGE_FIXED_LENGTH + body[9] + 8 * body.readUInt32LE(28) + 4 * body.readUInt32LE(32);
    return reader.bytes(offset + RECORD_HEADER_LENGTH + dataAt, recordBodyLength(fixed, 0) - dataAt);
  }

  /** The whole frame record at offset; copy: false leaves the payload a view into the reader's window. */
  private readFrame(reader: RecordReader, offset: number, copy = true): StoredFrame {
    const decoded = decodeFrameBody(reader.record(offset, RecordType.Frame), this.catalogue);
    const stored: StoredFrame = decoded.captured;
    if (copy) stored.frame.payload = Buffer.from(stored.frame.payload);
    if (decoded.payloadNotStored) stored.payloadNotStored = true;
    return stored;
  }

  private readMessage(reader: RecordReader, entry: ConnectionIndex, m: number, copy = true): StoredMessage {
    return this.readMessageRecord(reader, entry, m, copy).captured;
  }

  private readMessageRecord(reader: RecordReader, entry: ConnectionIndex, m: number, copy = true): DecodedMessage & { captured: StoredMessage } {
    const decoded: DecodedMessage = decodeMessageBody(reader.record(entry.messageOffset.get(m), RecordType.Message), this.catalogue);
    const stored: StoredMessage = decoded.captured;
    if (decoded.dataFromFrames) {
      const numbers = decoded.frameNumbers;
      // Several payloads are copied as they are read: a recycled window does not outlive two more reads.
      const payloads = numbers.map((n) => this.readFrame(reader, entry.frameOffset.get(n), numbers.length > 1).frame.payload);
      stored.message.data = payloads.length === 1 && !copy ? payloads[0] : Buffer.concat(payloads);
    } else if (copy) {
      stored.message.data = Buffer.from(stored.message.data);
    }
    if (decoded.dataNotStored) stored.dataNotStored = true;
    return decoded;
  }

  /** The frames of a message, from those tracked for its direction, or null when some are unknown. */
  private framesOf(connectionId: number, captured: CapturedMessage): AssemblingFrame[] | null {
    const lists = this.assembling.get(connectionId);
    if (!lists) return null;
    const list = lists[captured.direction === 'receive' ? 1 : 0];
    const indexes = captured.message.frameIndexes;
    const found: AssemblingFrame[] = [];
    // Both are in stream order: one pass.
    let at = 0;
    for (const index of indexes) {
      while (at < list.length && list[at].index !== index) at++;
      if (at === list.length) break;
      found.push(list[at++]);
    }
    // The message is done: its frames need no tracking.
    list.length = 0;
    return found.length === indexes.length && found.length > 0 ? found : null;
  }

  /** Keeps the data frames of the message in progress in a direction, to link them to the message. */
  private track(connectionId: number, captured: CapturedFrame, n: number, stored: boolean): void {
    const opcode = captured.frame.opcode;
    // Only text, binary and continuation frames make messages (RFC 6455 §5.4).
    if (opcode > 2) return;
    let lists = this.assembling.get(connectionId);
    if (!lists) {
      lists = [[], []];
      this.assembling.set(connectionId, lists);
    }
    const list = lists[captured.direction === 'receive' ? 1 : 0];
    if (opcode !== 0) list.length = 0;
    if (list.length >= MAX_ASSEMBLING_FRAMES) {
      list.length = 0;
      return;
    }
    list.push({ index: captured.frame.index, number: n, payload: stored ? captured.frame.payload : null });
  }

  /** Writes a catalogue record first when a code is missing from the file's list. */
  private prepareCatalogue(codes: readonly string[]): void {
    if (!this.catalogueWritten) {
      this.writeCatalogue();
    }
    if (codes.length === 0) return;
    let added = false;
    for (const code of codes) {
      if (this.catalogue.ordinalOf(code) < 0) {
        this.catalogue.add(code);
        added = true;
      }
    }
    if (added) this.writeCatalogue();
  }

  private writeCatalogue(): void {
    for (const code of new ViolationCatalogue().names) this.catalogue.add(code);
    const body = encodeCatalogueBody(this.catalogue);
    this.writer.append(RecordType.Catalogue, body.length, (buf, at) => body.copy(buf, at));
    this.catalogueWritten = true;
  }

  private overBudget(bodyLength: number): boolean {
    return this.writer.position + RECORD_HEADER_LENGTH + bodyLength > this.budget;
  }

  /** Past the budget: payloads stop being stored, which the file and the callback both say. */
  private reachBudget(): void {
    if (this.payloadsOff) return;
    this.payloadsOff = true;
    if (!this.warned) {
      this.warned = true;
      this.tell('warning');
    }
    this.putError({ message: `disk budget of ${this.budget} bytes reached: payloads are no longer stored`, time: Date.now() });
    this.tell('reached');
  }

  private checkWarning(): void {
    if (!this.warned && this.writer.position >= this.budget * BUDGET_WARNING_RATIO) {
      this.warned = true;
      this.tell('warning');
    }
  }

  private tell(level: BudgetLevel): void {
    try {
      this.onBudget?.(level, this.writer.position, this.budget);
    } catch (error) {
      this.onError(error as Error);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reading records back through windows, so a list or a scan reads the file in large pieces.

/** A piece of the file held in memory. */
interface Window {
  /** File offset of bytes[0]. */
  start: number;
  /** The bytes read. */
  bytes: Buffer;
  /** The buffer they were read into (reused with recycling). */
  buffer: Buffer;
}

class RecordReader {
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

// ---------------------------------------------------------------------------------------------

/** True when data is exactly the frames' stored payloads, one after the other. */
function dataIsPayloads(data: Buffer, frames: readonly AssemblingFrame[]): boolean {
  let total = 0;
  for (const f of frames) {
    if (f.payload === null) return false;
    total += f.payload.length;
  }
  if (total !== data.length) return false;
  if (frames.length === 1 && frames[0].payload === data) return true;
  let at = 0;
  for (const f of frames) {
    const p = f.payload!;
    if (data.compare(p, 0, p.length, at, at + p.length) !== 0) return false;
    at += p.length;
  }
  return true;
}

/** A test of index bits and a violation mask against a filter (the same bits layout for frames and messages). */
function frameMatcher(filter: FrameFilter): (bits: number, violations: number) => boolean {
  const direction = filter.direction === undefined ? -1 : filter.direction === 'receive' ? 1 : 0;
  const opcode = filter.opcode ?? -1;
  const violation = filter.violation === undefined ? 0 : filter.violation === 'any' ? 0xffffffff : bitMask(filter.violation);
  const anyViolation = filter.violation !== undefined;
  return (bits, violations) =>
    (direction < 0 || (bits & 1) === direction)
    && (opcode < 0 || opcodeOfBits(bits) === opcode)
    && (!anyViolation || (violations & violation) !== 0);
}

function bitMask(code: string): number {
  const bit = violationBit(code);
  return bit < 0 ? 0 : (1 << bit) >>> 0;
}

const decoder = new TextDecoder();
/** Characters (bytes for a text match) of context on each side of a match in a hit's snippet. */
const SNIPPET_CONTEXT = 40;

/**
 * The content test of a query: a snippet around the first match, or null. Null when the query has
 * neither text nor regex; with both, both must match (the snippet is the regex's).
 */
function contentMatcher(query: SearchQuery): ((data: Buffer) => string | null) | null {
  const flags = (query.flags ?? '').replace(/[gy]/g, '');
  const tests: ((data: Buffer) => string | null)[] = [];
  if (query.regex !== undefined) tests.push(regexMatcher(new RegExp(query.regex, flags)));
  if (query.text !== undefined && query.text !== '') {
    if (flags.includes('i')) {
      tests.push(regexMatcher(new RegExp(query.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), flags)));
    } else {
      // Case-sensitive text: matched on the bytes, no decoding.
      const needle = Buffer.from(query.text, 'utf8');
      tests.push((data) => {
        const at = data.indexOf(needle);
        return at < 0 ? null : decoder.decode(data.subarray(Math.max(0, at - SNIPPET_CONTEXT), at + needle.length + SNIPPET_CONTEXT));
      });
    }
  }
  if (tests.length === 0) return null;
  if (tests.length === 1) return tests[0];
  return (data) => {
    const snippet = tests[0](data);
    return snippet !== null && tests[1](data) !== null ? snippet : null;
  };
}

function regexMatcher(regex: RegExp): (data: Buffer) => string | null {
  // Data without the regex's leading literal cannot match: skip decoding it (bytes scan far faster).
  const literal = leadingLiteral(regex);
  return (data) => {
    if (literal && data.indexOf(literal) < 0) return null;
    const text = decoder.decode(data);
    const match = regex.exec(text);
    return match ? text.slice(Math.max(0, match.index - SNIPPET_CONTEXT), match.index + match[0].length + SNIPPET_CONTEXT) : null;
  };
}

/**
 * ASCII text that every match of the regex contains, as bytes: the literal characters it starts with
 * (after a leading ^), when it has no alternation and no case folding. Null when there is none worth
 * using. A prefilter only: data that contains it is still matched by the regex itself.
 */
export function leadingLiteral(regex: RegExp): Buffer | null {
  if (regex.flags.includes('i') || regex.source.includes('|')) return null;
  const source = regex.source.startsWith('^') ? regex.source.slice(1) : regex.source;
  let end = 0;
  while (end < source.length && !'\\^$.|?*+()[]{}'.includes(source[end]) && source.charCodeAt(end) < 0x80) end++;
  // A quantifier after the run makes its last character optional or repeatable.
  if (end < source.length && '?*{'.includes(source[end])) end--;
  return end >= 3 ? Buffer.from(source.slice(0, end), 'latin1') : null;
}

function summaryOf(connectionId: number, n: number, decoded: DecodedFrame): FrameSummary {
  const { captured } = decoded;
  const f = captured.frame;
  const preview = previewOf(f.payload.subarray(0, PREVIEW_BYTES), decoded.storedLength > PREVIEW_BYTES);
  const row: FrameSummary = {
    connectionId, number: n, direction: captured.direction, time: captured.time,
    fin: f.fin, rsv1: f.rsv1, rsv2: f.rsv2, rsv3: f.rsv3, opcode: f.opcode, masked: f.masked,
    payloadLength: f.payloadLength, lengthForm: f.lengthForm, headerLength: f.headerLength, index: f.index, offset: f.offset,
    truncated: f.truncated, violations: f.violations,
    injected: captured.injected === true, edited: captured.edited === true, dropped: captured.dropped === true,
    payloadNotStored: decoded.payloadNotStored, storedLength: decoded.storedLength,
    preview: preview.text, previewKind: preview.kind,
  };
  if (f.maskKey !== undefined) row.maskKey = f.maskKey.toString('hex');
  if (f.closeCode !== undefined) row.closeCode = f.closeCode;
  if (f.closeReason !== undefined) row.closeReason = f.closeReason;
  return row;
}

/** Text when the bytes are UTF-8 without control characters (a code point cut at the end is allowed), else hex. */
export function previewOf(bytes: Buffer, cut: boolean): { text: string; kind: 'text' | 'hex' } {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: cut });
    // eslint-disable-next-line no-control-regex
    if (!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return { text, kind: 'text' };
  } catch {
    // Not UTF-8: hex.
  }
  return { text: bytes.toString('hex'), kind: 'hex' };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException('The search was aborted', 'AbortError');
}
