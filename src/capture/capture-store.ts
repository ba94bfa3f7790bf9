// The embedded session store: an append-only capture file (payloads on disk) and a compact in-memory
// index, so a session can run for hours and millions of frames without running out of memory, and a
// saved session reopens by scanning its file. Nothing is dropped silently: a torn tail is cut and
// counted, and past the disk budget payloads stop being stored, which is reported.
import type { ConnectionCounts } from '../control/api-types.js';
import { closeSync, constants, openSync, rmSync, writeSync } from 'node:fs';
import {
  FILE_HEADER_LENGTH, NO_FRAME, RecordType, ViolationCatalogue, decodeConnectionBody, decodeErrorBody,
  encodeCatalogueBody, encodeConnectionBody, encodeErrorBody, encodeFileHeader, measureFrameBody, measureMessageBody, violationMask,
  writeFrameBody, writeMessageBody, type FrameRecordInput, type MessageRecordInput, type StoredError,
} from './capture-file.js';
import { CaptureIndex, ConnectionIndex, frameBits, messageBits } from './capture-index.js';
import { scanCaptureFile, type RecoveryReport } from './capture-scan.js';
import type { CapturedFrame, CapturedMessage, ConnectionRecord } from './capture-model.js';
import { searchCapture, type SearchHit, type SearchOptions, type SearchQuery } from './capture-search.js';
import { pathNamesFile, restoreCaptureFile } from './capture-file-restore.js';
import { indexSnapshotPath, loadIndexSnapshot, writeIndexSnapshot, type SnapshotUse } from './index-snapshot.js';
import { CaptureWriter } from './capture-writer.js';
import { connectionSummaryOf, totalsOf, type ConnectionSummary } from './connection-summary.js';
import { DEFAULT_DISK_BUDGET, DiskBudget, type BudgetLevel } from './disk-budget.js';
import { frameMatcher, type FrameFilter } from './frame-filter.js';
import { FrameOrder, type FrameSort } from './frame-order.js';
import { summaryOf, type FrameSummary } from './frame-summary.js';
import { MessageFrames, dataIsPayloads } from './message-frames.js';
import { unmaskWire } from '../protocol/wire-payload.js';
import type { Annotation } from './annotations.js';
import { encodeAnnotationBody } from './annotation-record.js';
import { encodeRuleMarkBody, type RuleMark } from './rule-mark-record.js';
import type { RecordPolicyChange } from './record-policy.js';
import { encodePolicyBody } from './record-policy-record.js';
import { PausedRecording, encodeGapBody, pauseFor, type RecordingGap, type RecordingPause } from './recording-gap.js';
import {
  RecordReader, readFrame, readFramePrefix, readMessage, readMessageRecord, type StoredFrame, type StoredMessage,
} from './record-reader.js';

export { type SearchHit, type SearchOptions, type SearchQuery } from './capture-search.js';
export type { FrameFilter } from './frame-filter.js';
export { PREVIEW_BYTES, previewOf, type FrameSummary } from './frame-summary.js';
export type { StoredFrame, StoredMessage } from './record-reader.js';
export type { SnapshotUse } from './index-snapshot.js';

/** 16 MiB: a capture file this large gets an index snapshot when it closes (a smaller one scans in a few ms). */
export const DEFAULT_INDEX_SNAPSHOT_FROM = 16 * 1024 * 1024;
export { BUDGET_WARNING_RATIO, DEFAULT_DISK_BUDGET, type BudgetLevel } from './disk-budget.js';

export interface CaptureStoreOptions {
  /** Bytes the session's file may take before payloads stop being stored. Default 20 GiB. */
  diskBudget?: number;
  /** Told once at 80% of the budget ('warning') and once when it is reached ('reached'). */
  onBudget?: (level: BudgetLevel, usage: number, budget: number) => void;
  /** Something failed that the store cannot answer for (a write failed, a callback threw). */
  onError?: (error: Error) => void;
  /**
   * Writes to the file fail (disk full, I/O error, read-only file system): recording pauses. What
   * is put meanwhile is counted, not recorded, and the producers are never held for it.
   */
  onPause?: (pause: RecordingPause) => void;
  /** Writes succeed again: recording resumed, and the gap (also written to the file) says what was not recorded. */
  onResume?: (gap: RecordingGap) => void;
  /** How often failed writes are tried again, ms. Default 1000. */
  retryMs?: number;
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
  /**
   * Bytes of capture file from which close() writes an index snapshot beside it, so the next open
   * loads the index instead of scanning the file (index-snapshot.ts). Default 16 MiB; Infinity: never.
   */
  indexSnapshotFrom?: number;
}

export type { RecoveryReport } from './capture-scan.js';

export type { ConnectionSummary } from './connection-summary.js';

/** A message found by its final frame. */
export interface MessageAt {
  /** Its number in the connection. */
  number: number;
  /** The message, its data read back. */
  captured: StoredMessage;
  /** The numbers of its frames in the connection, first to last (empty when they were unknown). */
  frameNumbers: number[];
}

const LIST_WINDOW = 256 * 1024;
const SINGLE_READ = 4096;
/** Errors kept while recording is paused, to be recorded when it resumes; later ones are not kept. */
const MAX_PAUSED_ERRORS = 1000;
/** Bytes read at once when whole connections are read back (for HAR export). */
const EXPORT_WINDOW = 4 * 1024 * 1024;
/** Bytes read before a message when messages are read in turn: its frames come just before it. */
const EXPORT_BACKOFF = 256 * 1024;
/** Rows of a list closer than this are read through one window; farther ones (large frames) each alone, so their payloads are not read. */
const DENSE_ROWS = 16 * 1024;

export class CaptureStore {
  private catalogue: ViolationCatalogue;
  /** True once the file's catalogue names every current code (before the first record that needs it). */
  private catalogueWritten: boolean;
  private readonly writer: CaptureWriter;
  private readonly budget: DiskBudget;
  private readonly onError: (error: Error) => void;
  private readonly messageFrames = new MessageFrames();
  /** Sorted frame orders of the list, cached per connection. */
  private readonly frameOrder = new FrameOrder();
  /** Set while writes fail: what is put is counted here instead of recorded. */
  private paused: PausedRecording | null = null;
  /** Connections whose record changed while paused, and errors put meanwhile: recorded when writes succeed again. */
  private readonly pausedConnections = new Set<number>();
  private pausedErrors: StoredError[] = [];
  /** Policy changes made while paused: written when writes succeed again. */
  private pausedPolicies: RecordPolicyChange[] = [];
  private readonly onPause: CaptureStoreOptions['onPause'];
  private readonly onResume: CaptureStoreOptions['onResume'];
  private closed = false;
  private readonly indexSnapshotFrom: number;
  /** How open() used the index snapshot ('absent' for a new store). */
  indexSource: SnapshotUse = 'absent';
  /** The file's end when its snapshot was last loaded or written (-1: none fits): close() writes none while it still fits. */
  private snapshotEnd = -1;
  /** The file's header names this format version (a new file; or one opened, once rewritten). */
  private headerCurrent = false;

  private constructor(
    /** The capture file's path. */
    readonly path: string,
    fd: number,
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
    this.onError = options.onError ?? (() => {});
    this.onPause = options.onPause;
    this.onResume = options.onResume;
    this.indexSnapshotFrom = options.indexSnapshotFrom ?? DEFAULT_INDEX_SNAPSHOT_FROM;
    this.writer = new CaptureWriter(fd, end, {
      maxDelayMs: options.maxDelayMs, batchBytes: options.batchBytes, onError: this.onError,
      highWaterMark: options.highWaterMark, lowWaterMark: options.lowWaterMark, onBackpressure: options.onBackpressure,
      retryMs: options.retryMs, onFailing: (error) => this.pauseRecording(error), onRecovered: () => this.resumeRecording(),
      // Its directory removed while recording: the file is written again where it was.
      restore: (oldFd) => restoreCaptureFile(path, oldFd),
    });
    this.budget = new DiskBudget(options.diskBudget ?? DEFAULT_DISK_BUDGET, () => this.writer.position, options.onBudget, this.onError,
      (message) => this.putError({ message, time: Date.now() }));
  }

  /** Creates a new capture file (it must not exist) and a store that writes to it. */
  static create(path: string, options: CaptureStoreOptions = {}): CaptureStore {
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      // A snapshot left by an earlier file of that name is not this file's.
      rmSync(indexSnapshotPath(path), { force: true });
      writeSync(fd, encodeFileHeader(), 0, FILE_HEADER_LENGTH, 0);
      const store = new CaptureStore(path, fd, new CaptureIndex(), FILE_HEADER_LENGTH, new ViolationCatalogue(), false, { tornBytes: 0, records: 0 }, options);
      store.headerCurrent = true;
      store.writeCatalogue();
      store.writer.flush();
      return store;
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /**
   * Opens a saved capture file: loads its index snapshot when one fits the file (and scans what was
   * appended after it), else scans the whole file and builds the index; cuts a torn tail (reported
   * in `recovery`). The store reads like a live one, and further records are appended.
   */
  static async open(path: string, options: CaptureStoreOptions = {}): Promise<CaptureStore> {
    const fd = openSync(path, 'r+');
    try {
      const snapshot = loadIndexSnapshot(path, fd);
      const scan = await scanCaptureFile(fd, snapshot.start);
      const store = new CaptureStore(path, fd, scan.index, scan.end, scan.catalogue, scan.catalogueFound && scan.catalogue.coversCurrent(), scan.recovery, options);
      store.indexSource = snapshot.use;
      if (snapshot.start && snapshot.start.end === scan.end) store.snapshotEnd = scan.end;
      return store;
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  /** Records a new or updated connection (its frames and messages arrays are ignored). */
  putConnection(connection: ConnectionRecord): void {
    if (this.paused) {
      // Kept in the index (its counts go on), written when recording resumes.
      this.index.connection(connection.id).record = decodeConnectionBody(encodeConnectionBody(connection));
      this.pausedConnections.add(connection.id);
      this.paused.connection(connection.id);
      if (connection.state === 'closed' || connection.state === 'failed') this.messageFrames.forget(connection.id);
      return;
    }
    const body = encodeConnectionBody(connection);
    this.appendKept(RecordType.Connection, body);
    this.index.connection(connection.id).record = decodeConnectionBody(body);
    if (connection.state === 'closed' || connection.state === 'failed') this.messageFrames.forget(connection.id);
    this.budget.check();
  }

  /** Records a frame and returns its number in the connection (from 0); -1 while recording is paused (it is counted in the gap). */
  putFrame(connectionId: number, captured: CapturedFrame): number {
    if (this.paused) {
      this.paused.frame(connectionId, captured);
      return -1;
    }
    const frame = captured.frame;
    this.prepareCatalogue(frame.violations);
    const input: FrameRecordInput = { connectionId, captured, storePayload: !this.budget.payloadsOff };
    let parts = measureFrameBody(input);
    if (frame.wire?.maskKey && !this.headerCurrent) this.writeCurrentHeader();
    if (input.storePayload && (frame.wire?.length ?? frame.payload.length) > 0 && this.budget.over(parts.length)) {
      this.budget.reach();
      input.storePayload = false;
      parts = measureFrameBody(input);
    }
    const offset = this.writer.append(RecordType.Frame, parts.length, (buf, at) => writeFrameBody(buf, at, input, parts, this.catalogue));
    const entry = this.index.connection(connectionId);
    const n = entry.addFrame(offset, captured.time, frameBits(captured, !input.storePayload), violationMask(frame.violations),
      frame.violations.length, frame.headerLength + frame.payloadLength, frame.payloadLengthExact ?? frame.payloadLength);
    this.messageFrames.track(connectionId, captured, n, input.storePayload);
    if (captured.rule) this.putRuleMark({ connectionId, target: 'frame', number: n, rule: captured.rule });
    this.budget.check();
    return n;
  }

  /** Records a data message and returns its number in the connection (from 0); -1 while recording is paused. */
  putMessage(connectionId: number, captured: CapturedMessage): number {
    if (this.paused) {
      this.paused.message(connectionId);
      return -1;
    }
    this.prepareCatalogue(captured.message.violations);
    const entry = this.index.connection(connectionId);
    const frames = this.messageFrames.framesOf(connectionId, captured);
    const dataFromFrames = frames !== null && !captured.message.compressed && dataIsPayloads(captured.message, frames);
    // Wire bytes that are not its frame's (a case the relay does not make) are stored unmasked.
    const wire = captured.message.wire;
    if (wire && !dataFromFrames) captured = { ...captured, message: { ...captured.message, data: unmaskWire(wire), wire: undefined } };
    const message = captured.message;
    const input: MessageRecordInput = {
      connectionId,
      captured,
      frameNumbers: frames && frames.map((f) => f.number),
      anchorFrame: frames ? frames[frames.length - 1].number : entry.frameCount > 0 ? entry.frameCount - 1 : NO_FRAME,
      dataFromFrames,
      storeData: !this.budget.payloadsOff,
    };
    if (!dataFromFrames && input.storeData && message.data.length > 0 && this.budget.over(measureMessageBody(input))) {
      this.budget.reach();
      input.storeData = false;
    }
    const length = measureMessageBody(input);
    const offset = this.writer.append(RecordType.Message, length, (buf, at) => writeMessageBody(buf, at, input, this.catalogue));
    const bits = messageBits(captured, dataFromFrames, !dataFromFrames && !input.storeData, frames?.length ?? 0);
    const n = entry.addMessage(offset, captured.time, input.anchorFrame, bits, violationMask(message.violations),
      message.violations.length, input.frameNumbers ?? []);
    if (captured.rule) this.putRuleMark({ connectionId, target: 'message', number: n, rule: captured.rule });
    this.budget.check();
    return n;
  }

  /** Records an error that is not a connection's own story. */
  putError(error: StoredError): void {
    if (this.paused) {
      if (this.pausedErrors.length < MAX_PAUSED_ERRORS) this.pausedErrors.push({ ...error });
      return;
    }
    const body = encodeErrorBody(error);
    this.appendKept(RecordType.Error, body);
    this.index.errors.push(decodeErrorBody(body));
    this.budget.check();
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /** Every connection that has a record, by id, with its counts. */
  connections(): ConnectionSummary[] {
    return this.index.all().filter((entry) => entry.record !== undefined).map(connectionSummaryOf);
  }

  /** A connection's counts (read in place: nothing is built), when it has a record. */
  connectionCounts(id: number): Readonly<ConnectionCounts> | undefined {
    const entry = this.index.find(id);
    return entry?.record ? entry : undefined;
  }

  /** Connections with a record, and their frames, counted without building their summaries. */
  totals(): { connections: number; frames: number } {
    return totalsOf(this.index);
  }

  /** One connection's summary, when it has a record (without building every other one). */
  connectionSummary(id: number): ConnectionSummary | undefined {
    const entry = this.index.find(id);
    return entry?.record ? connectionSummaryOf(entry) : undefined;
  }

  /** The latest record of a connection, with empty frames and messages arrays. */
  connection(id: number): ConnectionRecord | undefined {
    const record = this.index.find(id)?.record;
    return record && { ...record, frames: [], messages: [] };
  }

  /** Saves a note, pin or highlight (annotations.ts); an empty one removes the target's mark. */
  putAnnotation(annotation: Annotation): void {
    if (this.paused) throw new Error(`recording is paused (${this.paused.pause.code}): the mark cannot be saved until writes succeed again`);
    const body = encodeAnnotationBody(annotation);
    this.appendKept(RecordType.Annotation, body);
    this.index.annotations.set(annotation);
  }

  /** A frame or message read back, with the rules that acted on it (record type 10). */
  private withRuleMark<T extends { rule?: string }>(item: T, connectionId: number, target: RuleMark['target'], n: number): T {
    const rule = this.index.ruleMarks.get(connectionId, target, n);
    return rule ? { ...item, rule } : item;
  }

  private putRuleMark(mark: RuleMark): void {
    const body = encodeRuleMarkBody(mark);
    this.appendKept(RecordType.RuleMark, body);
    this.index.ruleMarks.set(mark);
  }

  /** The notes, pins and highlights of a connection, or of every connection. */
  annotations(connectionId?: number): Annotation[] {
    return this.index.annotations.list(connectionId);
  }

  /**
   * Records the recording policy from now on (the one a session starts under, then each change).
   * While writes fail it is kept in the index and written when they succeed again.
   */
  putPolicy(change: RecordPolicyChange): void {
    this.index.policies.push({ ...change });
    if (this.paused) {
      this.pausedPolicies.push({ ...change });
      return;
    }
    const body = encodePolicyBody(change);
    this.appendKept(RecordType.Policy, body);
  }

  /** The recording policies of the session in order: the first it was recorded under, then each change (empty: full, a file older than policies). */
  policies(): RecordPolicyChange[] {
    return this.index.policies.map((p) => ({ ...p }));
  }

  /** Gaps where writes failed and traffic passed unrecorded, in order. */
  gaps(): RecordingGap[] {
    return this.index.gaps.map((gap) => ({ ...gap, connectionIds: [...gap.connectionIds] }));
  }

  /** Set while recording is paused because writes fail. */
  get recordingPause(): RecordingPause | null {
    return this.paused && { ...this.paused.pause };
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
   * The numbers of a connection's frames as its list shows them: those that pass a filter, in a
   * column's order (ties in wire order). Null for every frame in wire order.
   */
  listNumbers(connectionId: number, filter?: FrameFilter, sort?: FrameSort): Uint32Array | null {
    const entry = this.index.find(connectionId);
    if (!entry) return new Uint32Array(0);
    if (sort) return filter ? this.frameOrder.filtered(entry, sort, filter) : this.frameOrder.numbers(entry, sort);
    return filter ? this.frameNumbers(connectionId, filter) : null;
  }

  /**
   * Rows start (inclusive) to end (exclusive) of a connection's frame list: frame numbers without a
   * filter or sort, positions in the list (listNumbers) with one.
   */
  frames(connectionId: number, start: number, end: number, filter?: FrameFilter, sort?: FrameSort): FrameSummary[] {
    const entry = this.index.find(connectionId);
    if (!entry) return [];
    const numbers = this.listNumbers(connectionId, filter, sort);
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
      reader.readAhead = next > 0 && next < DENSE_ROWS ? Math.min(LIST_WINDOW, span + SINGLE_READ) : SINGLE_READ;
      rows.push(this.withRuleMark(summaryOf(entry.id, n, readFramePrefix(reader, this.catalogue, offset)), entry.id, 'frame', n));
    }
    return rows;
  }

  /** A whole frame, its stored payload read back from the file. */
  frame(connectionId: number, n: number): StoredFrame {
    const entry = this.frameEntry(connectionId, n);
    return this.withRuleMark(readFrame(this.reader(SINGLE_READ), this.catalogue, entry.frameOffset.get(n)), connectionId, 'frame', n);
  }

  /** Messages start (inclusive) to end (exclusive) of a connection, data read back (and rebuilt from frames). */
  messages(connectionId: number, start: number, end: number): StoredMessage[] {
    const entry = this.index.find(connectionId);
    if (!entry) return [];
    const reader = this.reader(LIST_WINDOW);
    const out: StoredMessage[] = [];
    for (let m = Math.max(0, Math.floor(start)); m < Math.min(entry.messageCount, Math.floor(end)); m++) {
      out.push(this.withRuleMark(readMessage(reader, this.catalogue, entry, m), connectionId, 'message', m));
    }
    return out;
  }

  /**
   * A connection's messages from `from` on, read one at a time through one reader whose window takes
   * their frames too (for export: memory holds a window and one message). Each is read when asked
   * for, as far as the connection has gone then.
   */
  *readMessages(connectionId: number, from = 0): Generator<StoredMessage> {
    const entry = this.index.find(connectionId);
    if (!entry) return;
    // Recycled windows: each message is copied out of them (readMessage copies), so none outlives its read.
    const reader = this.reader(EXPORT_WINDOW, EXPORT_BACKOFF, true);
    for (let m = Math.max(0, Math.floor(from)); m < entry.messageCount; m++) {
      if (this.closed) throw new Error('the capture store is closed');
      yield this.withRuleMark(readMessage(reader, this.catalogue, entry, m), connectionId, 'message', m);
    }
  }

  /** The frame numbers that carried message m of a connection, first to last (none for a message recorded alone). */
  messageFrameNumbers(connectionId: number, m: number): number[] {
    const entry = this.index.find(connectionId);
    if (!entry || !Number.isInteger(m) || m < 0 || m >= entry.messageCount) return [];
    return readMessageRecord(this.reader(SINGLE_READ), this.catalogue, entry, m).frameNumbers;
  }

  /** The message whose final frame is frame n of the connection (for a frame's detail view), if there is one. */
  /** The number of the message frame n ends, from the index alone (no read); undefined when it ends none. */
  messageNumberEndingAt(connectionId: number, n: number): number | undefined {
    const entry = this.index.find(connectionId);
    if (!entry || !Number.isInteger(n) || n < 0) return undefined;
    const m = entry.messageEndingAt(n);
    return m < 0 ? undefined : m;
  }

  messageEndingAt(connectionId: number, n: number): MessageAt | undefined {
    const m = this.messageNumberEndingAt(connectionId, n);
    if (m === undefined) return undefined;
    const decoded = readMessageRecord(this.reader(SINGLE_READ), this.catalogue, this.index.find(connectionId)!, m);
    return { number: m, captured: decoded.captured, frameNumbers: decoded.frameNumbers };
  }

  /**
   * Searches one connection (or all, for null) for data messages and lone frames (control frames,
   * frames of no message) that pass the query, and streams the hits in batches as they are found.
   * Resolves with how many units were scanned and how many hit.
   */
  search(
    connectionId: number | null,
    query: SearchQuery,
    onHits: (hits: SearchHit[]) => void,
    options: SearchOptions = {},
  ): Promise<{ scanned: number; hits: number }> {
    const source = {
      index: this.index,
      catalogue: this.catalogue,
      reader: (readAhead: number, backoff: number, recycle: boolean) => this.reader(readAhead, backoff, recycle),
      isClosed: () => this.closed,
    };
    return searchCapture(source, connectionId, query, onHits, options);
  }

  /** Whole connection records with their frames and messages (for HAR export); all connections without ids. */
  toConnectionRecords(ids?: number[]): ConnectionRecord[] {
    const wanted = ids ? new Set(ids) : null;
    const reader = this.reader(EXPORT_WINDOW);
    return this.index.all()
      .filter((entry) => entry.record !== undefined && (!wanted || wanted.has(entry.id)))
      .map((entry) => {
        const frames: CapturedFrame[] = [];
        for (let n = 0; n < entry.frameCount; n++) frames.push(this.withRuleMark(readFrame(reader, this.catalogue, entry.frameOffset.get(n)), entry.id, 'frame', n));
        const messages: CapturedMessage[] = [];
        for (let m = 0; m < entry.messageCount; m++) messages.push(this.withRuleMark(readMessage(reader, this.catalogue, entry, m), entry.id, 'message', m));
        return { ...entry.record!, frames, messages };
      });
  }

  /** Bytes of the capture file, records not yet written included. */
  diskUsage(): number {
    return this.writer.position;
  }

  /** The disk budget, bytes. */
  get diskBudget(): number {
    return this.budget.limit;
  }

  /** Where the session is against its disk budget. */
  get budgetLevel(): 'ok' | BudgetLevel {
    return this.budget.level;
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
    // A last try: writes that succeed now end the pause and record its gap before the file closes.
    if (this.paused) this.writer.flush();
    this.saveIndexSnapshot();
    this.closed = true;
    this.writer.close(() => {
      try {
        closeSync(this.writer.fileDescriptor);
      } catch (error) {
        this.onError(error as Error);
      }
    });
  }

  // ---------------------------------------------------------------------------------------------

  /** Appends a record whose contents the index keeps whole, and notes its offset (for the index snapshot). */
  private appendKept(type: RecordType, body: Buffer): void {
    this.index.keptRecords.push(this.writer.append(type, body.length, (buf, at) => body.copy(buf, at)));
  }

  /** Writes the index snapshot when the file is big enough, everything is in it, and the snapshot there does not fit already. */
  private saveIndexSnapshot(): void {
    this.writer.flush();
    const end = this.writer.position;
    if (end < this.indexSnapshotFrom || end === this.snapshotEnd || this.paused || this.writer.failed || this.writer.pending > 0) return;
    // Renamed or removed meanwhile: its path names another file, or none.
    if (!pathNamesFile(this.path, this.writer.fileDescriptor)) return;
    try {
      writeIndexSnapshot(this.path, this.index, end, (position, length) => this.writer.read(position, length));
      this.snapshotEnd = end;
    } catch (error) {
      // Only a cache is missing: the next open scans the file.
      rmSync(indexSnapshotPath(this.path), { force: true });
      this.onError(new Error(`the index snapshot could not be written: ${(error as Error).message}`));
    }
  }

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

  /**
   * Before the first masked payload goes into a file opened from disk: the header says this version,
   * so that an older Framescope refuses the file rather than show masked bytes as they are.
   */
  private writeCurrentHeader(): void {
    writeSync(this.writer.fileDescriptor, encodeFileHeader(), 0, FILE_HEADER_LENGTH, 0);
    this.headerCurrent = true;
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
    this.appendKept(RecordType.Catalogue, body);
    this.catalogueWritten = true;
  }

  /** Writes fail: from now on nothing is recorded, only counted, until they succeed again. */
  private pauseRecording(error: Error): void {
    if (this.paused || this.closed) return;
    this.paused = new PausedRecording(pauseFor(error, Date.now()));
    const pause = this.paused.pause;
    this.call(() => this.onPause?.({ ...pause }));
  }

  /** Everything held is in the file again: the records kept while paused, then the gap, and recording goes on. */
  private resumeRecording(): void {
    const paused = this.paused;
    if (!paused) return;
    this.paused = null;
    for (const id of this.pausedConnections) {
      const record = this.index.find(id)?.record;
      if (record) this.putConnection(record);
    }
    this.pausedConnections.clear();
    const errors = this.pausedErrors;
    this.pausedErrors = [];
    for (const error of errors) this.putError(error);
    const policies = this.pausedPolicies;
    this.pausedPolicies = [];
    for (const change of policies) {
      const body = encodePolicyBody(change);
      this.appendKept(RecordType.Policy, body);
    }
    const gap = paused.gap(Date.now());
    const body = encodeGapBody(gap);
    this.appendKept(RecordType.Gap, body);
    this.index.gaps.push(gap);
    this.call(() => this.onResume?.({ ...gap, connectionIds: [...gap.connectionIds] }));
  }

  private call(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.onError(error as Error);
    }
  }
}
