// The import's pipeline: text (whole or in chunks) -> the stream reader -> one entry at a time -> the
// entry reader -> a record whose bytes wait in the spool -> the caller, who writes it (to a session, or
// into memory) before the next entry is read, so that the spool holds one entry's data at a time.
import type { ConnectionRecord } from '../capture-model.js';
import type { DataSpool, SpooledData } from './data-spool.js';
import { EntryReader, type SpooledBytes } from './entry-reader.js';
import { detectFormat, isWebSocketEntry } from './entry-kind.js';
import { HarStreamReader } from './har-stream-reader.js';
import { isObject } from './json-values.js';
import type { HarFormat, HarImportProblem } from './problems.js';

const BOM = 0xfeff;

/** Receives each record read, with where its bytes are; they stay readable until it returns. */
export type RecordSink = (record: ConnectionRecord, bytes: SpooledBytes, spool: DataSpool) => void;

export class HarImporter {
  readonly problems: HarImportProblem[] = [];
  private readonly reader: HarStreamReader;
  private started = false;
  /** Records handed to the sink. */
  connections = 0;

  constructor(private readonly spool: DataSpool, private readonly sink: RecordSink) {
    this.reader = new HarStreamReader({ entry: (index, value) => this.entry(index, value) }, spool, this.problems);
  }

  /** Reads the next piece of the text; false once the rest cannot matter (the text stopped being JSON). */
  write(chunk: string): boolean {
    // A UTF-8 byte order mark (Windows tools write one) is not part of the JSON.
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === BOM) chunk = chunk.slice(1);
    }
    return this.reader.write(chunk);
  }

  /** The text has ended. Throws HarImportError when it was not a HAR at all. */
  end(): { problems: HarImportProblem[]; format: HarFormat } {
    this.reader.end();
    return { problems: this.problems, format: detectFormat(this.reader.creator, this.reader.hasOwnFields) };
  }

  private entry(index: number, value: unknown): void {
    try {
      if (!isObject(value)) {
        this.problems.push({ entry: index, field: '', message: 'not an object; entry skipped' });
        return;
      }
      if (!isWebSocketEntry(value)) return;
      const reader = new EntryReader(index, this.problems);
      const record = reader.read(value, this.connections + 1);
      if (!record) return;
      this.connections += 1;
      this.sink(record, reader.data, this.spool);
    } finally {
      this.spool.clear();
    }
  }
}

/** Puts a record's items and bytes in place, in memory (for a HAR imported as a whole). */
export function materialize(record: ConnectionRecord, bytes: SpooledBytes, spool: DataSpool): ConnectionRecord {
  const read = (data: SpooledData): Buffer => spool.read(data);
  const links = bytes.linked;
  const messages = bytes.spooled;
  if (links) for (let j = 0; j < links.frames.count; j++) record.frames.push(links.frame(j, spool));
  if (messages) {
    for (let m = 0; m < messages.count; m++) {
      const { captured, data } = links ? links.message(m) : messages.get(m);
      captured.message.data = read(data);
      record.messages.push(captured);
    }
  }
  return record;
}
