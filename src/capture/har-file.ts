// Writing a HAR to a file in bounded memory: pieces are gathered into blocks of about 1 MiB and written
// as they come, into a temporary file (mode 0600: a HAR holds cookies and tokens) that is fsynced and then
// renamed over the target, so a reader never sees half a HAR and a failed or cancelled export leaves
// nothing behind. Writing yields to the event loop between blocks, so an engine serving a UI stays live.
import { open, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { harText, type HarProgress } from './har-text.js';
import type { ConnectionToRead } from './session-reader.js';

/** Bytes gathered before a write. */
const BLOCK = 1024 * 1024;

export interface HarWriteOptions {
  /** Aborting stops the export; the promise rejects with a HarExportCancelled. */
  signal?: AbortSignal;
  /** Called after each message or frame (often: throttle what it does). */
  onProgress?: (progress: HarProgress) => void;
}

/** What an export wrote. */
export interface HarWritten {
  /** Connections written. */
  connections: number;
  /** Bytes of the HAR. */
  bytes: number;
}

/** The export was cancelled; nothing was left at the target. */
export class HarExportCancelled extends Error {
  override name = 'HarExportCancelled';
  constructor() {
    super('the export was cancelled');
  }
}

/** Writes the connections as a HAR file at path, atomically. */
export async function writeHarFile(path: string, connections: readonly ConnectionToRead[], options: HarWriteOptions = {}): Promise<HarWritten> {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  let handle: FileHandle | undefined = await open(temporary, 'wx', 0o600);
  try {
    const written = await writeBlocks(connections, options, (block) => handle!.write(block).then(() => undefined));
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, path);
    await syncDirectory(dirname(path));
    return written;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** Writes the connections as HAR text to a stream (standard output), waiting for it to drain. */
export function writeHarStream(stream: Writable, connections: readonly ConnectionToRead[], options: HarWriteOptions = {}): Promise<HarWritten> {
  return writeBlocks(connections, options, (block) => new Promise<void>((resolve, reject) => {
    stream.write(block, (error) => (error ? reject(error) : resolve()));
  }));
}

/**
 * Encodes the pieces into one block buffer, reused (written only once the previous write has ended),
 * and writes it when full; a piece larger than a block goes as its own buffer.
 */
async function writeBlocks(connections: readonly ConnectionToRead[], options: HarWriteOptions, write: (block: Buffer) => Promise<void>): Promise<HarWritten> {
  const block = Buffer.allocUnsafe(BLOCK);
  let used = 0;
  let bytes = 0;
  const send = async (bytesOut: Buffer) => {
    if (options.signal?.aborted) throw new HarExportCancelled();
    bytes += bytesOut.length;
    await write(bytesOut);
  };
  const flush = async () => {
    const full = used;
    used = 0;
    await send(block.subarray(0, full));
  };
  for (const piece of harText(connections, options.onProgress)) {
    // At most 3 bytes of UTF-8 for each UTF-16 unit.
    if (used + 3 * piece.length > BLOCK) {
      if (used > 0) await flush();
      if (3 * piece.length > BLOCK) {
        await send(Buffer.from(piece, 'utf8'));
        continue;
      }
    }
    used += block.write(piece, used, 'utf8');
  }
  used += block.write('\n', used, 'utf8');
  await flush();
  return { connections: connections.length, bytes };
}

/** Makes the rename durable where the platform allows it (a directory cannot be opened on Windows). */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r').catch(() => undefined);
  await handle?.sync().catch(() => undefined);
  await handle?.close().catch(() => undefined);
}
