// Appends records to a capture file in batches: records are encoded straight into one buffer and
// written with one write per batch, at the latest maxDelayMs after the first unwritten record, or at
// once when the batch passes batchBytes. Each batch ends with a checkpoint record (the CRC of the
// batch) so that opening a file checks it a batch at a time. No fsync: what reached the operating
// system survives a kill -9 of the process, and that is within maxDelayMs + a turn of the event loop.
import { readSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { CHECKPOINT_BODY_LENGTH, RECORD_HEADER_LENGTH, RecordType, sealRecord } from './capture-file.js';

const CHECKPOINT_LENGTH = RECORD_HEADER_LENGTH + CHECKPOINT_BODY_LENGTH;

export interface CaptureWriterOptions {
  /** Longest time a record waits in memory before it is written, ms. Default 50. */
  maxDelayMs?: number;
  /** A batch this large is written at once, bytes. Default 1 MiB. */
  batchBytes?: number;
  /** A write failed (disk full, I/O error). The batch stays pending and is retried at the next flush. */
  onError?: (error: Error) => void;
}

export const DEFAULT_MAX_DELAY_MS = 50;
export const DEFAULT_BATCH_BYTES = 1024 * 1024;

export class CaptureWriter {
  private readonly maxDelayMs: number;
  private readonly batchBytes: number;
  private readonly onError: (error: Error) => void;
  /** Encoded records not yet written, from byte 0 to `used`; they start at file offset `written`. */
  private batch: Buffer;
  private used = 0;
  /** File offset up to which everything was written. */
  private written: number;
  /** Records too large for the batch, written after it, in order. */
  private large: Buffer[] = [];
  private largeBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** A write failed and no write succeeded since: the next failures are not reported again. */
  private failing = false;
  /** CRC-32 and length of the bytes written since the last checkpoint. */
  private spanCrc = 0;
  private spanLength = 0;

  /** fd: opened for writing; position: the file offset where the next record goes (its end). */
  constructor(private readonly fd: number, position: number, options: CaptureWriterOptions = {}) {
    this.maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    this.batchBytes = options.batchBytes ?? DEFAULT_BATCH_BYTES;
    this.onError = options.onError ?? (() => {});
    this.written = position;
    this.batch = Buffer.allocUnsafe(this.batchBytes * 2);
  }

  /** The end of the file once everything pending is written: where the next record goes. */
  get position(): number {
    return this.written + this.used + this.largeBytes;
  }

  /** Bytes accepted but not yet written. */
  get pending(): number {
    return this.used + this.largeBytes;
  }

  /**
   * Appends one record whose body `writeBody` writes at the given offset of the given buffer, and
   * returns the record's file offset.
   */
  append(type: RecordType, bodyLength: number, writeBody: (buf: Buffer, offset: number) => void): number {
    if (this.closed) throw new Error('the capture file is closed');
    const offset = this.position;
    const size = RECORD_HEADER_LENGTH + bodyLength;
    // The batch keeps room for its checkpoint.
    if (this.largeBytes === 0 && this.used + size + CHECKPOINT_LENGTH <= this.batch.length) {
      writeBody(this.batch, this.used + RECORD_HEADER_LENGTH);
      sealRecord(this.batch, this.used, type, bodyLength);
      this.used += size;
    } else {
      // Too large for what is left of the batch: its own buffer, written right after the batch.
      const record = Buffer.allocUnsafe(size);
      writeBody(record, RECORD_HEADER_LENGTH);
      sealRecord(record, 0, type, bodyLength);
      this.large.push(record);
      this.largeBytes += size;
    }
    if (this.pending >= this.batchBytes) this.flush();
    else this.timer ??= setTimeout(() => this.onTimer(), this.maxDelayMs).unref();
    return offset;
  }

  /** Writes everything pending now (synchronously). A failed write is reported and stays pending. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending === 0 && this.spanLength === 0) return;
    try {
      if (this.largeBytes === 0 && this.used > 0) {
        // The usual case: the batch and its checkpoint in one write.
        const crc = crc32(this.batch.subarray(0, this.used), this.spanCrc);
        this.writeCheckpoint(this.batch, this.used, crc, this.spanLength + this.used);
        this.writeAll(this.batch, this.used + CHECKPOINT_LENGTH);
        this.used = 0;
        this.spanCrc = 0;
        this.spanLength = 0;
      } else {
        if (this.used > 0) {
          this.writeAll(this.batch, this.used);
          this.addToSpan(this.batch.subarray(0, this.used));
          this.used = 0;
        }
        while (this.large.length > 0) {
          const record = this.large[0];
          this.writeAll(record, record.length);
          this.addToSpan(record);
          this.large.shift();
          this.largeBytes -= record.length;
        }
        if (this.spanLength > 0) {
          const checkpoint = Buffer.allocUnsafe(CHECKPOINT_LENGTH);
          this.writeCheckpoint(checkpoint, 0, this.spanCrc, this.spanLength);
          this.writeAll(checkpoint, CHECKPOINT_LENGTH);
          this.spanCrc = 0;
          this.spanLength = 0;
        }
      }
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.onError(error as Error);
      this.failing = true;
      // Retry later rather than lose records.
      if (!this.closed) this.timer ??= setTimeout(() => this.onTimer(), this.maxDelayMs).unref();
    }
  }

  /** Reads bytes of the file, pending ones included (a record just appended reads back at once). */
  read(position: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(Math.max(0, Math.min(position + length, this.position) - position));
    return out.subarray(0, this.readInto(out, position, out.length));
  }

  /** Reads bytes of the file into out (from its start), pending ones included; returns how many (fewer at the end). */
  readInto(out: Buffer, position: number, length: number): number {
    const end = Math.min(position + length, this.position, position + out.length);
    let filled = 0;
    // From the file.
    while (position + filled < Math.min(end, this.written)) {
      const n = readSync(this.fd, out, filled, Math.min(end, this.written) - position - filled, position + filled);
      if (n === 0) break;
      filled += n;
    }
    // From the batch, then the large records.
    let from = this.written;
    const parts: Buffer[] = [this.batch.subarray(0, this.used), ...this.large];
    for (const part of parts) {
      const partEnd = from + part.length;
      const a = Math.max(position + filled, from);
      const b = Math.min(end, partEnd);
      if (a < b) {
        part.copy(out, a - position, a - from, b - from);
        filled = b - position;
      }
      from = partEnd;
    }
    return filled;
  }

  /** Writes what is pending and stops accepting records. The caller closes the fd. */
  close(): void {
    if (this.closed) return;
    this.flush();
    // Never silent: what could not be written is lost now, and said so.
    if (this.pending > 0) this.onError(new Error(`${this.pending} bytes of records could not be written to the capture file`));
    this.closed = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private addToSpan(bytes: Buffer): void {
    this.spanCrc = crc32(bytes, this.spanCrc);
    this.spanLength += bytes.length;
  }

  private writeCheckpoint(buf: Buffer, offset: number, crc: number, spanLength: number): void {
    const body = offset + RECORD_HEADER_LENGTH;
    buf.writeUInt32LE(crc >>> 0, body);
    buf.writeDoubleLE(spanLength, body + 4);
    sealRecord(buf, offset, RecordType.Checkpoint, CHECKPOINT_BODY_LENGTH);
  }

  private onTimer(): void {
    this.timer = null;
    this.flush();
  }

  /** One write syscall for the buffer, at its explicit file position (a retry never duplicates). */
  private writeAll(buf: Buffer, length: number): void {
    let done = 0;
    while (done < length) {
      done += writeSync(this.fd, buf, done, length - done, this.written + done);
    }
    this.written += length;
  }
}
