// A HAR file imported into a session as a stream: the file is read in chunks, each entry is written
// to the store as soon as it has been read, and its bytes come from the spool one message at a time.
// Memory holds a chunk, the entry being read (its fields, not its data) and the largest message.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { CaptureStore } from '../capture-store.js';
import type { ConnectionRecord } from '../capture-model.js';
import { FileSpool, type DataSpool } from './data-spool.js';
import type { SpooledBytes } from './entry-reader.js';
import { HarImporter } from './har-importer.js';
import { writeSpooledMessages } from './spooled-messages-writer.js';
import { writeLinkedRecord } from './linked-record-writer.js';
import type { HarFormat, HarImportProblem } from './problems.js';

/** Bytes read from the file at a time. */
const CHUNK = 1024 * 1024;

export interface HarImportOptions {
  /** Aborting stops the import; the promise rejects with a HarImportCancelled. */
  signal?: AbortSignal;
  /** Called after each chunk read. */
  onProgress?: (progress: { bytesRead: number; bytesTotal: number; connections: number }) => void;
}

/** What a file import did. */
export interface HarFileImport {
  /** Connections written to the store. */
  connections: number;
  problems: HarImportProblem[];
  format: HarFormat;
}

/** The import was cancelled; what was written so far is the caller's to discard. */
export class HarImportCancelled extends Error {
  override name = 'HarImportCancelled';
  constructor() {
    super('the import was cancelled');
  }
}

/**
 * Imports the HAR at path into store. Throws HarImportError when the file is not a HAR, and the file
 * system's errors (ENOENT, EISDIR, EACCES) as they are: the caller words them.
 */
export async function importHarFile(path: string, store: CaptureStore, options: HarImportOptions = {}): Promise<HarFileImport> {
  const info = await stat(path);
  if (info.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), { code: 'EISDIR' });
  const spool = new FileSpool();
  try {
    const importer = new HarImporter(spool, (record, bytes, s) => writeImportedRecord(store, record, bytes, s));
    const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: CHUNK });
    let bytesRead = 0;
    try {
      for await (const chunk of stream as AsyncIterable<string>) {
        if (options.signal?.aborted) throw new HarImportCancelled();
        bytesRead = stream.bytesRead;
        if (!importer.write(chunk)) break;
        options.onProgress?.({ bytesRead, bytesTotal: info.size, connections: importer.connections });
      }
    } finally {
      stream.destroy();
    }
    const { problems, format } = importer.end();
    store.flush();
    return { connections: importer.connections, problems, format };
  } finally {
    spool.close();
  }
}

/** Imports a HAR that arrives as pieces of text (the UI's upload over the control API). */
export class HarTextImport {
  private readonly spool = new FileSpool();
  private readonly importer: HarImporter;
  private open = true;
  /** What made the text unreadable, told at end(). */
  private error: Error | undefined;

  constructor(store: CaptureStore) {
    this.importer = new HarImporter(this.spool, (record, bytes, s) => writeImportedRecord(store, record, bytes, s));
  }

  /** Connections written so far. */
  get connections(): number {
    return this.importer.connections;
  }

  /**
   * Reads the next piece. Pieces past a point where the text stopped being JSON are ignored; when it
   * was not a HAR at all, end() says so (the sender goes on sending until it is done).
   */
  write(text: string): void {
    if (!this.open) return;
    try {
      this.open = this.importer.write(text);
    } catch (error) {
      this.open = false;
      this.error = error as Error;
    }
  }

  /** The text is complete. Throws HarImportError when it was not a HAR. */
  end(): { problems: HarImportProblem[]; format: HarFormat } {
    try {
      if (this.error) throw this.error;
      return this.importer.end();
    } finally {
      this.close();
    }
  }

  /** Releases the spool (after end, or when the upload is abandoned). */
  close(): void {
    this.open = false;
    try {
      this.spool.close();
    } catch {
      // Already closed.
    }
  }
}

/**
 * Writes a record read from a HAR, frames and messages in time order (a message right after its final
 * frame), each message's bytes read from the spool when its turn comes.
 */
export function writeImportedRecord(store: CaptureStore, record: ConnectionRecord, bytes: SpooledBytes, spool: DataSpool): void {
  store.putConnection(record);
  if (bytes.linked) writeLinkedRecord(store, record, bytes.linked, spool);
  else if (bytes.spooled) writeSpooledMessages(store, record, bytes.spooled, spool);
  // Read through the lens the HAR's `_protocol` names, beside the connection's note.
  if (bytes.lens) store.putAnnotation({ connectionId: record.id, target: 'connection', number: 0, note: record.note ?? '', pinned: false, time: Date.now(), lens: bytes.lens });
}

