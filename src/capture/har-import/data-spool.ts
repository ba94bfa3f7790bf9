// Message data set aside while an entry is read: the entry's other fields decide how its messages are
// stored (times, frame links), and they may come after the messages. The data waits in a spool, in
// memory for a HAR given as text, in a temporary file for a HAR read as a stream, until it is written.
import { closeSync, ftruncateSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A message's data, decoded from the HAR and held in a spool. */
export class SpooledData {
  constructor(
    /** Where in the spool. */
    readonly offset: number,
    /** Bytes. */
    readonly length: number,
    /** False for binary data that was not base64 (nothing was spooled). */
    readonly valid: boolean,
  ) {}
}

export interface DataSpool {
  put(bytes: Buffer): SpooledData;
  /** Bytes [at, at + length) of spooled data (a copy). */
  read(data: SpooledData, at?: number, length?: number): Buffer;
  /** Forgets everything spooled (after an entry has been written). */
  clear(): void;
  /** Releases the spool. */
  close(): void;
}

export class MemorySpool implements DataSpool {
  private chunks: Buffer[] = [];

  put(bytes: Buffer): SpooledData {
    this.chunks.push(bytes);
    return new SpooledData(this.chunks.length - 1, bytes.length, true);
  }

  read(data: SpooledData, at = 0, length = data.length - at): Buffer {
    return Buffer.from(this.chunks[data.offset]!.subarray(at, at + length));
  }

  clear(): void {
    this.chunks = [];
  }

  close(): void {
    this.clear();
  }
}

/** A spool in a private temporary directory (0700, file 0600), removed on close. */
export class FileSpool implements DataSpool {
  private readonly dir = mkdtempSync(join(tmpdir(), 'framescope-import-'));
  private readonly fd = openSync(join(this.dir, 'spool'), 'w+', 0o600);
  private end = 0;

  put(bytes: Buffer): SpooledData {
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written, this.end + written);
    const data = new SpooledData(this.end, bytes.length, true);
    this.end += bytes.length;
    return data;
  }

  read(data: SpooledData, at = 0, length = data.length - at): Buffer {
    const out = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const n = readSync(this.fd, out, filled, length - filled, data.offset + at + filled);
      if (n === 0) throw new Error('the import spool is shorter than what was put in it');
      filled += n;
    }
    return out;
  }

  clear(): void {
    this.end = 0;
    ftruncateSync(this.fd, 0);
  }

  close(): void {
    closeSync(this.fd);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Spooled data with no bytes. */
export const INVALID_DATA = new SpooledData(0, 0, false);
