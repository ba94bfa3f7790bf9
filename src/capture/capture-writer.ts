// Appends records to a capture file in batches, off the engine's thread. Records are encoded straight
// into a batch buffer. A batch is sealed when it passes batchBytes, or maxDelayMs after its first
// record: it is closed with a checkpoint record (the CRC of the batch, so that opening checks the file
// a batch at a time) and never changes again. Sealed batches go to the file with asynchronous
// positioned writes (libuv's threadpool), one write in flight at a time, in file order, the batches
// that queued up meanwhile together in one writev: the kernel's copy into the page cache runs on
// another core while the engine's thread keeps relaying.
//
// Every byte stays readable at every moment: a batch is served from memory until its write has
// ended (a pread of a region still being written could return stale bytes). flush() and close() are
// synchronous and complete: they write whatever is not yet in the file with positioned writes, in
// flight or not; an asynchronous write that ends later puts the same bytes at the same place.
//
// A failed write (disk full, I/O error, read-only file system) is not a slow disk: the batches that
// failed stay in memory (readable, bounded by what was held when it failed) and are retried every
// retryMs, and backpressure is released, because a failed disk must never hold the traffic. The
// caller is told when writes start failing (onFailing) and when everything held is in the file again
// (onRecovered); between the two it stops appending (the store pauses recording).
//
// No fsync: what reached the operating system survives a kill -9 of the process, and that is within
// maxDelayMs plus one write. Memory is bounded by backpressure, never by dropping: past highWaterMark
// bytes held, onBackpressure(true) asks the caller to pause what produces records, and at lowWaterMark
// onBackpressure(false) lets it go on. Past twice the high-water mark (a caller that does not pause),
// or when batches pile up behind a write within one synchronous run of code (a loop of appends that
// never returns to the event loop, so no write can be seen to end), the writer writes synchronously.
import { closeSync, readSync, writev, writevSync } from 'node:fs';
import { fileUnlinked } from './capture-file-restore.js';
import { CRC_TABLE, crc32Range } from './record-crc.js';
import { CHECKPOINT_BODY_LENGTH, RECORD_HEADER_LENGTH, RecordType, sealRecord } from './capture-file.js';

const CHECKPOINT_LENGTH = RECORD_HEADER_LENGTH + CHECKPOINT_BODY_LENGTH;
/** Sealed batches one write takes at most (Linux's IOV_MAX is 1024). */
const MAX_BATCHES_PER_WRITE = 64;
/** One asynchronous write takes batches up to about this many bytes, so a backlog drains in writes of a few ms each. */
const MAX_BYTES_PER_WRITE = 8 * 1024 * 1024;
/**
 * Batch buffers kept for reuse: a reused buffer costs no fresh memory and no page faults, and no
 * external-memory pressure, which makes V8 run full GCs. Enough for one write's batches in flight and as
 * many filling behind it: with 4, a quarter of the batches at 16 KiB messages were fresh 2 MiB
 * buffers, and the proxy ran 30 mark-compacts in 6 s on a 10 MB heap (21 with 16). At most 32 MiB.
 */
const SPARE_BUFFERS = 16;
/** Sealed batches (in batches' worth of bytes) that may wait behind a write within the synchronous run that started it. */
const STALLED_BATCHES = 2;

export interface CaptureWriterOptions {
  /** Longest time a record waits in memory before its batch is sealed and written, ms. Default 50. */
  maxDelayMs?: number;
  /** A batch this large is sealed and written at once, bytes. Default 1 MiB. */
  batchBytes?: number;
  /** A write failed (disk full, I/O error). Told once until a write succeeds; the bytes stay in memory and are retried. */
  onError?: (error: Error) => void;
  /** Bytes held in memory (not yet in the file, being written included) past which onBackpressure(true) is called. Default 64 MiB. */
  highWaterMark?: number;
  /** Bytes held at or below which onBackpressure(false) is called after a true. Default half the high-water mark. */
  lowWaterMark?: number;
  /** Told true when the caller should pause what produces records, false when it may go on. Nothing is ever dropped. */
  onBackpressure?: (paused: boolean) => void;
  /** How often a failed write is tried again, ms. Default 1000. */
  retryMs?: number;
  /**
   * Writes started failing (told once, with the first error, until onRecovered): the caller should
   * stop appending. Backpressure is released while they fail.
   */
  onFailing?: (error: Error) => void;
  /** After onFailing: every byte held is in the file now; appending may go on. */
  onRecovered?: () => void;
  /**
   * The file was found unlinked (its directory removed): writes to it would succeed and be lost.
   * Writes the file again at its path from the old descriptor and returns the new descriptor, or
   * throws (then writes count as failing, and it is tried again every retryMs). Without it, an
   * unlinked file is a failure that never ends.
   */
  restore?: (oldFd: number) => number;
}

export const DEFAULT_MAX_DELAY_MS = 50;
export const DEFAULT_BATCH_BYTES = 1024 * 1024;
export const DEFAULT_HIGH_WATER_MARK = 64 * 1024 * 1024;
export const DEFAULT_RETRY_MS = 1000;

/** A sealed batch: records and the checkpoint that ends them, at a fixed place in the file. */
interface SealedBatch {
  /** File offset of bytes[0]. */
  start: number;
  /** The records and the checkpoint. */
  bytes: Buffer;
  /** Bytes of records in it (the checkpoint not counted). */
  recordBytes: number;
  /** The batch buffer to reuse once the bytes are in the file; null when it is not a batch buffer. */
  buffer: Buffer | null;
  /** Bytes from its start known to be in the file (a short write goes on from there). */
  done: number;
  /** An asynchronous write of it is in flight: its buffer must not be reused yet. */
  writing: boolean;
  /** All its bytes are in the file. */
  inFile: boolean;
}

export class CaptureWriter {
  private readonly maxDelayMs: number;
  private readonly batchBytes: number;
  private readonly highWaterMark: number;
  private readonly lowWaterMark: number;
  private readonly onError: (error: Error) => void;
  private readonly onBackpressure: (paused: boolean) => void;
  private readonly retryMs: number;
  private readonly onFailing: (error: Error) => void;
  private readonly onRecovered: () => void;
  /** Between onFailing and onRecovered. */
  private recovering = false;
  private readonly restore: ((oldFd: number) => number) | undefined;
  /** The file is unlinked and could not be written again yet. */
  private unlinked = false;
  /** When the file was last checked for being unlinked (ms, performance.now()). */
  private linkCheckedAt = 0;
  /** The batch being filled, bytes 0 to `used` (null until its first record); it starts at file offset `batchStart`. */
  private batch: Buffer | null = null;
  private used = 0;
  private batchStart: number;
  /** CRC-32 of the batch's first `crcCovered` bytes: its checkpoint's CRC once it covers them all. */
  private batchCrc = 0;
  private crcCovered = 0;
  /** Sealed batches not yet (all) in the file, in file order: they follow each other with no gap. */
  private readonly unwritten: SealedBatch[] = [];
  /** Bytes of the batches in `unwritten`, and bytes of records among them. */
  private unwrittenBytes = 0;
  private unwrittenRecordBytes = 0;
  /** Asynchronous writes in flight (0 or 1), and the bytes of theirs not yet known to be in the file. */
  private inFlight = 0;
  private inFlightBytes = 0;
  /**
   * The synchronous run of code that started the write in flight has returned to the event loop
   * (until it does, the write's end cannot be seen, however fast the disk).
   */
  private runEnded = true;
  private runWatched = false;
  private readonly spares: Buffer[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** A write failed and none succeeded since: further failures are not reported again, and writes wait for the timer. */
  private failing = false;
  private paused = false;
  /** What close() left to do once no write is in flight (close the fd). */
  private afterWrites: (() => void) | null = null;
  private idleWaiters: (() => void)[] = [];

  /** fd: opened for reading and writing (not appending); position: the file offset where the next record goes (its end). */
  constructor(private fd: number, position: number, options: CaptureWriterOptions = {}) {
    this.maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    this.batchBytes = Math.max(1, options.batchBytes ?? DEFAULT_BATCH_BYTES);
    this.highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.lowWaterMark = Math.min(options.lowWaterMark ?? this.highWaterMark / 2, this.highWaterMark);
    this.onError = options.onError ?? (() => {});
    this.onBackpressure = options.onBackpressure ?? (() => {});
    this.retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
    this.onFailing = options.onFailing ?? (() => {});
    this.onRecovered = options.onRecovered ?? (() => {});
    this.restore = options.restore;
    this.batchStart = position;
  }

  /** The file's descriptor now (another one once an unlinked file was written again). */
  get fileDescriptor(): number {
    return this.fd;
  }

  /** The end of the file once everything pending is written: where the next record goes. */
  get position(): number {
    return this.batchStart + this.used;
  }

  /** Bytes of records accepted but not yet in the file (checkpoints not counted). */
  get pending(): number {
    return this.used + this.unwrittenRecordBytes;
  }

  /** Bytes held in memory until they are in the file: records, checkpoints, those being written included. */
  get buffered(): number {
    return this.used + this.unwrittenBytes;
  }

  /** True between onBackpressure(true) and onBackpressure(false). */
  get backpressure(): boolean {
    return this.paused;
  }

  /**
   * Appends one record whose body `writeBody` writes at the given offset of the given buffer, and
   * returns the record's file offset.
   */
  append(type: RecordType, bodyLength: number, writeBody: (buf: Buffer, offset: number) => void): number {
    if (this.closed) throw new Error('the capture file is closed');
    const size = RECORD_HEADER_LENGTH + bodyLength;
    // A batch keeps room for its checkpoint.
    if (this.batch !== null && this.used + size + CHECKPOINT_LENGTH > this.batch.length) this.seal();
    const offset = this.position;
    if (size + CHECKPOINT_LENGTH > this.batchCapacity) {
      // Larger than any batch: a batch of its own, in its own buffer (the batch before it was sealed above).
      const own = Buffer.allocUnsafe(size + CHECKPOINT_LENGTH);
      writeBody(own, RECORD_HEADER_LENGTH);
      sealRecord(own, 0, type, bodyLength);
      this.addSealed(own, size, size < COMBINE_FROM ? crc32Range(own, 0, size) : combineRecordCrc(0, own, 0, size), null);
    } else {
      this.batch ??= this.spares.pop() ?? Buffer.allocUnsafe(this.batchCapacity);
      writeBody(this.batch, this.used + RECORD_HEADER_LENGTH);
      sealRecord(this.batch, this.used, type, bodyLength);
      if (size >= COMBINE_FROM) this.extendBatchCrc(this.used, size);
      this.used += size;
      if (this.used >= this.batchBytes) this.seal();
    }
    if (this.used > 0) {
      this.timer ??= setTimeout(() => this.onTimer(), this.maxDelayMs).unref();
    } else if (!this.failing) {
      // The batch went out whole; the next record starts the clock again.
      this.clearTimer();
    }
    this.issue();
    this.bound();
    this.checkBackpressure();
    return offset;
  }

  /**
   * Writes everything not yet in the file now, synchronously: the batch being filled, the sealed
   * batches, and those being written asynchronously (the same bytes at the same place). A failed
   * write is reported (once until a write succeeds) and its bytes stay in memory, retried later.
   */
  flush(): void {
    // After close the fd is closed, or about to be.
    if (this.closed) return;
    this.clearTimer();
    this.seal();
    if (!this.linked(true)) {
      this.checkBackpressure();
      this.wakeIdle();
      return;
    }
    while (this.unwritten.length > 0) {
      const group = this.unwritten.slice(0, MAX_BATCHES_PER_WRITE);
      const from = group.map((b) => b.done);
      let written: number;
      try {
        written = writevSync(this.fd, group.map((b, i) => b.bytes.subarray(from[i])), group[0].start + from[0]);
        if (written === 0) throw new Error('the capture file took no bytes');
      } catch (error) {
        this.fail(error as Error);
        break;
      }
      this.failing = false;
      this.advance(group, from, written);
    }
    this.checkBackpressure();
    this.checkRecovered();
    this.wakeIdle();
  }

  /** True between onFailing and onRecovered: writes fail and what failed waits for a retry. */
  get failed(): boolean {
    return this.recovering;
  }

  /** Reads bytes of the file, those not yet written included (a record just appended reads back at once). */
  read(position: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(Math.max(0, Math.min(position + length, this.position) - position));
    return out.subarray(0, this.readInto(out, position, out.length));
  }

  /** Reads bytes of the file into out (from its start), those not yet written included; returns how many (fewer at the end). */
  readInto(out: Buffer, position: number, length: number): number {
    const end = Math.min(position + length, this.position, position + out.length);
    if (end <= position) return 0;
    const sealedEnd = Math.min(end, this.batchStart);
    let at = position;
    // Sealed bytes: from memory while a batch is not all in the file, from the file between them.
    for (const sealed of this.unwritten) {
      if (at >= sealedEnd || sealed.start >= sealedEnd) break;
      const sealedStop = sealed.start + sealed.bytes.length;
      if (sealedStop <= at) continue;
      if (sealed.start > at) {
        at += this.readFile(out, position, at, sealed.start);
        if (at < sealed.start) return at - position;
      }
      const to = Math.min(sealedStop, sealedEnd);
      sealed.bytes.copy(out, at - position, at - sealed.start, to - sealed.start);
      at = to;
    }
    if (at < sealedEnd) {
      at += this.readFile(out, position, at, sealedEnd);
      if (at < sealedEnd) return at - position;
    }
    // Then the batch being filled.
    if (at < end && this.batch !== null) {
      this.batch.copy(out, at - position, at - this.batchStart, end - this.batchStart);
      at = end;
    }
    return at - position;
  }

  /**
   * Writes what is pending (synchronously) and stops accepting records. `afterWrites` (closing the
   * fd) runs once no asynchronous write is in flight: at once, or when the last one ends. Ends
   * backpressure: nothing is held for the file any more.
   */
  close(afterWrites?: () => void): void {
    if (this.closed) return;
    this.flush();
    // Never silent: what could not be written is lost now, and said so.
    if (this.pending > 0) this.onError(new Error(`${this.pending} bytes of records could not be written to the capture file`));
    this.closed = true;
    this.clearTimer();
    if (this.paused) {
      this.paused = false;
      this.tellBackpressure(false);
    }
    this.afterWrites = afterWrites ?? null;
    if (this.inFlight === 0) this.runAfterWrites();
    this.wakeIdle();
  }

  /**
   * Resolves once no write is in flight and no sealed batch waits for one (the batch being filled
   * waits for its timer), or at once when writes are failing (they wait for their retry) or the
   * writer is closed.
   */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Bytes held past which the writer writes synchronously, whatever the caller does: twice the high-water mark. */
  private get hardLimit(): number {
    return 2 * this.highWaterMark;
  }

  private get batchCapacity(): number {
    return this.batchBytes * 2;
  }

  /** Closes the batch being filled with its checkpoint: from now on its bytes never change. */
  private seal(): void {
    if (this.used === 0 || this.batch === null) return;
    const crc = this.crcCovered < this.used ? crc32Range(this.batch, this.crcCovered, this.used, this.batchCrc) : this.batchCrc;
    this.addSealed(this.batch, this.used, crc, this.batch);
    this.batch = null;
    this.used = 0;
    this.batchCrc = 0;
    this.crcCovered = 0;
  }

  /**
   * Extends the batch's CRC over the long record at `at`: the short records before it in one crc32
   * call, then the record by combining its own CRC (no second pass over its bytes). Short records
   * wait for the next long one or the seal, so they too are run through crc32 in one call.
   */
  private extendBatchCrc(at: number, size: number): void {
    const batch = this.batch!;
    const before = this.crcCovered < at ? crc32Range(batch, this.crcCovered, at, this.batchCrc) : this.batchCrc;
    this.batchCrc = combineRecordCrc(before, batch, at, size);
    this.crcCovered = at + size;
  }

  /** Writes the checkpoint (crc: of the records) after `recordBytes` of records in buf (room for it is there) and queues the batch. */
  private addSealed(buf: Buffer, recordBytes: number, crc: number, buffer: Buffer | null): void {
    const body = recordBytes + RECORD_HEADER_LENGTH;
    buf.writeUInt32LE(crc, body);
    buf.writeDoubleLE(recordBytes, body + 4);
    sealRecord(buf, recordBytes, RecordType.Checkpoint, CHECKPOINT_BODY_LENGTH);
    const bytes = buf.subarray(0, recordBytes + CHECKPOINT_LENGTH);
    this.unwritten.push({ start: this.batchStart, bytes, recordBytes, buffer, done: 0, writing: false, inFile: false });
    this.unwrittenBytes += bytes.length;
    this.unwrittenRecordBytes += recordBytes;
    this.batchStart += bytes.length;
  }

  /** Starts an asynchronous write of the sealed batches waiting, unless one is in flight. */
  private issue(retry = false): void {
    if (this.inFlight > 0 || this.closed || this.unwritten.length === 0) return;
    // A failing disk is retried on the timer, not on every record.
    if (this.failing && !retry) return;
    if (!this.linked(retry)) return;
    const group: SealedBatch[] = [];
    let bytes = 0;
    for (const sealed of this.unwritten) {
      if (group.length === MAX_BATCHES_PER_WRITE || (group.length > 0 && bytes + sealed.bytes.length > MAX_BYTES_PER_WRITE)) break;
      group.push(sealed);
      bytes += sealed.bytes.length;
    }
    const from = group.map((b) => b.done);
    for (const sealed of group) sealed.writing = true;
    this.inFlight++;
    this.inFlightBytes = bytes;
    this.watchRun();
    writev(this.fd, group.map((b, i) => b.bytes.subarray(from[i])), group[0].start + from[0], (error, written) => {
      this.inFlight--;
      this.inFlightBytes = 0;
      for (const sealed of group) sealed.writing = false;
      if (!error && written === 0) error = new Error('the capture file took no bytes');
      if (error) {
        // A flush may have written them meanwhile: then nothing is missing.
        if (group.some((b) => !b.inFile)) this.fail(error);
      } else {
        this.failing = false;
        this.advance(group, from, written);
        // What was written may have gone to a file no directory holds any more.
        this.linked(false);
      }
      // Buffers of batches a flush wrote while this write was in flight can be reused now.
      for (const sealed of group) if (sealed.inFile) this.reuse(sealed);
      if (this.closed) {
        if (this.inFlight === 0) this.runAfterWrites();
      } else {
        this.issue();
        this.checkBackpressure();
        this.checkRecovered();
      }
      this.wakeIdle();
    });
  }

  /** Counts `written` bytes of a write of `group` that started at `from` in each; batches all in the file leave `unwritten`. */
  private advance(group: readonly SealedBatch[], from: readonly number[], written: number): void {
    let left = written;
    for (let i = 0; i < group.length && left > 0; i++) {
      const sealed = group[i];
      const took = Math.min(left, sealed.bytes.length - from[i]);
      left -= took;
      if (sealed.inFile) continue;
      sealed.done = Math.max(sealed.done, from[i] + took);
      if (sealed.done < sealed.bytes.length) continue;
      sealed.inFile = true;
      if (sealed.writing) this.inFlightBytes -= sealed.bytes.length;
      const at = this.unwritten.indexOf(sealed);
      if (at >= 0) this.unwritten.splice(at, 1);
      this.unwrittenBytes -= sealed.bytes.length;
      this.unwrittenRecordBytes -= sealed.recordBytes;
      this.reuse(sealed);
    }
  }

  /** Keeps a written batch's buffer for a later batch, once no write reads it. */
  private reuse(sealed: SealedBatch): void {
    if (sealed.buffer === null || sealed.writing) return;
    if (this.spares.length < SPARE_BUFFERS) this.spares.push(sealed.buffer);
    sealed.buffer = null;
  }

  private fail(error: Error): void {
    if (!this.failing) this.onError(error);
    this.failing = true;
    if (!this.recovering) {
      this.recovering = true;
      try {
        this.onFailing(error);
      } catch (thrown) {
        this.onError(thrown as Error);
      }
    }
    // Retry later rather than lose records; a batch timer already set makes the first retry.
    if (!this.closed) this.timer ??= setTimeout(() => this.onTimer(), this.retryMs).unref();
    this.checkBackpressure();
  }

  private onTimer(): void {
    this.timer = null;
    if (this.unlinked) this.linked(true);
    this.seal();
    this.issue(true);
    this.checkBackpressure();
    // Nothing was left to write: the failure is over.
    this.checkRecovered();
  }

  /**
   * False while the file is unlinked (its directory was removed) and cannot be written again yet;
   * then writes count as failing. Checked at most once per retryMs unless `now`.
   */
  private linked(now: boolean): boolean {
    if (this.closed) return true;
    if (!now && !this.unlinked && performance.now() - this.linkCheckedAt < this.retryMs) return true;
    this.linkCheckedAt = performance.now();
    let unlinked: boolean;
    try {
      unlinked = fileUnlinked(this.fd);
    } catch {
      return true;
    }
    if (!unlinked) {
      this.unlinked = false;
      return true;
    }
    if (this.restore && this.inFlight === 0) {
      try {
        const fd = this.restore(this.fd);
        const old = this.fd;
        this.fd = fd;
        this.unlinked = false;
        // Writes may go on: what waits is retried into the new file.
        this.failing = false;
        try {
          closeSync(old);
        } catch {
          // Closed already: nothing to release.
        }
        this.onError(Object.assign(new Error('the capture file was removed; it was written again at its path from what Framescope held'), { code: 'removed' }));
        return true;
      } catch (error) {
        this.unlinked = true;
        this.fail(Object.assign(new Error(`the capture file was removed and cannot be written again yet (${(error as Error).message})`), { code: 'removed' }));
        return false;
      }
    }
    this.unlinked = true;
    this.fail(Object.assign(new Error('the capture file was removed'), { code: 'removed' }));
    return false;
  }

  /** After a failure: tells onRecovered once every byte held is in the file. */
  private checkRecovered(): void {
    if (!this.recovering || this.failing || this.unlinked || this.closed || this.used > 0 || this.unwritten.length > 0) return;
    this.recovering = false;
    try {
      this.onRecovered();
    } catch (error) {
      this.onError(error as Error);
    }
  }

  private clearTimer(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  /**
   * Keeps memory bounded whatever the caller does: writes everything synchronously, as a flush, when
   * a producer went on past twice the high-water mark, or when records pile up behind a write within
   * the synchronous run that started it (a loop of puts that never returns to the event loop: no
   * write can end before it does, so waiting would only hold memory).
   */
  private bound(): void {
    if (this.failing) return;
    const stalled = this.inFlight > 0 && !this.runEnded && this.unwrittenBytes - this.inFlightBytes >= STALLED_BATCHES * this.batchBytes;
    if (stalled || this.buffered > this.hardLimit) this.flush();
  }

  /** Notes when the current synchronous run returns (its microtasks run then). */
  private watchRun(): void {
    this.runEnded = false;
    if (this.runWatched) return;
    this.runWatched = true;
    queueMicrotask(() => {
      this.runWatched = false;
      this.runEnded = true;
    });
  }

  private checkBackpressure(): void {
    if (this.closed) return;
    if (this.recovering) {
      // A failed disk is not a slow one: it never holds the traffic (the caller stops appending).
      if (this.paused) {
        this.paused = false;
        this.tellBackpressure(false);
      }
      return;
    }
    const held = this.buffered;
    if (!this.paused && held > this.highWaterMark) {
      this.paused = true;
      this.tellBackpressure(true);
    } else if (this.paused && held <= this.lowWaterMark) {
      this.paused = false;
      this.tellBackpressure(false);
    }
  }

  private tellBackpressure(paused: boolean): void {
    try {
      this.onBackpressure(paused);
    } catch (error) {
      this.onError(error as Error);
    }
  }

  /** Reads file bytes [from, to) into out at from - base; returns how many (fewer where the file ends). */
  private readFile(out: Buffer, base: number, from: number, to: number): number {
    let filled = 0;
    while (from + filled < to) {
      const n = readSync(this.fd, out, from - base + filled, to - from - filled, from + filled);
      if (n === 0) break;
      filled += n;
    }
    return filled;
  }

  private runAfterWrites(): void {
    const afterWrites = this.afterWrites;
    this.afterWrites = null;
    afterWrites?.();
  }

  private isIdle(): boolean {
    return this.inFlight === 0 && (this.unwritten.length === 0 || this.failing || this.closed);
  }

  private wakeIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

// ---------------------------------------------------------------------------------------------
// The checkpoint's CRC without a second pass over long records. A record's own CRC covers all of it
// but its first 4 bytes (the CRC itself), so the batch's CRC is extended by those 4 bytes and then
// combined with the record's CRC, as zlib's crc32_combine does: crc(A ‖ B) = crc(A)·x^(8·|B|) + crc(B)
// (mod the CRC-32 polynomial). For short records one crc32 call over many of them is cheaper.

/** Records this long or longer have their CRC combined into the batch's rather than run through again. */
const COMBINE_FROM = 512;
/** The CRC-32 polynomial, bit-reflected. */
const POLY = 0xedb88320;

/** CRC-32 of buf[at, at + size), which holds a sealed record, continuing crc. */
function combineRecordCrc(crc: number, buf: Buffer, at: number, size: number): number {
  let c = ~crc;
  for (let i = at; i < at + 4; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return combineCrc(~c >>> 0, buf.readUInt32LE(at), size - 4);
}

/** a(x)·b(x) modulo the polynomial (bit-reflected). */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) modulo the polynomial, k = 0..31. */
const X2N = new Uint32Array(32);
X2N[0] = 0x40000000;
for (let k = 1; k < 32; k++) X2N[k] = multModP(X2N[k - 1], X2N[k - 1]);

/** x^(8·length) modulo the polynomial, by length: records of a stream tend to repeat their lengths. */
const shiftOperators = new Map<number, number>();

function combineCrc(crcA: number, crcB: number, lengthB: number): number {
  let op = shiftOperators.get(lengthB);
  if (op === undefined) {
    op = 0x80000000;
    // 8·length bits: start at x^(2^3) and take the bits of length.
    for (let n = lengthB, k = 3; n > 0; n = Math.floor(n / 2), k++) if (n % 2 === 1) op = multModP(X2N[k & 31], op);
    if (shiftOperators.size >= 4096) shiftOperators.clear();
    shiftOperators.set(lengthB, op);
  }
  return (multModP(op, crcA) ^ crcB) >>> 0;
}
