// A pcap or pcapng capture imported into a session as a stream: the file is read in chunks and each
// WebSocket connection found in it is written to the store as it is decoded (src/capture/pcap/).
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { CaptureStore } from './capture-store.js';
import { CaptureImporter, type CaptureImportResult, type CaptureImporterOptions } from './pcap/capture-importer.js';

export { CaptureImporter, type CaptureImportResult } from './pcap/capture-importer.js';
export { CaptureImportError, formatCaptureProblem, type CaptureProblem } from './pcap/capture-problems.js';

/** Bytes read from the file at a time. */
const CHUNK = 1024 * 1024;

export interface CaptureFileImportOptions extends CaptureImporterOptions {
  /** Aborting stops the import; the promise rejects with an AbortError. */
  signal?: AbortSignal;
  /** Called after each chunk read. */
  onProgress?: (progress: { bytesRead: number; bytesTotal: number; connections: number }) => void;
}

/** The first four bytes of a pcap (either byte order, micro- or nanoseconds) or pcapng file. */
export function isCaptureMagic(first: Buffer): boolean {
  if (first.length < 4) return false;
  const m = first.readUInt32BE(0);
  return [0x0a0d0d0a, 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1].includes(m);
}

/** Whether the file at path starts like a capture (pcap or pcapng). */
export async function isCaptureFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const first = Buffer.alloc(4);
    const { bytesRead } = await handle.read(first, 0, 4, 0);
    return isCaptureMagic(first.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/**
 * Imports the capture at path into store. Throws CaptureImportError when the file is not a capture, and
 * the file system's errors (ENOENT, EISDIR, EACCES) as they are: the caller words them.
 */
export async function importCaptureFile(path: string, store: CaptureStore, options: CaptureFileImportOptions = {}): Promise<CaptureImportResult> {
  const info = await stat(path);
  if (info.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), { code: 'EISDIR' });
  const importer = new CaptureImporter(store, options);
  const stream = createReadStream(path, { highWaterMark: CHUNK });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      options.signal?.throwIfAborted();
      importer.push(chunk);
      options.onProgress?.({ bytesRead: stream.bytesRead, bytesTotal: info.size, connections: importer.connections });
      // The session's file falls behind: wait for it rather than hold what it has not written.
      while (store.backpressure) await delay(5);
    }
  } finally {
    stream.destroy();
  }
  const result = importer.end();
  store.flush();
  return result;
}
