// A HAR's text a piece at a time: exactly JSON.stringify(exportHar(records), null, 2), written entry by
// entry and message by message, so that memory holds one message at a time (issue 9).
import { connectionToEntry, frameToHar, harLogHead, messageToHar, STREAMED_ENTRY_FIELDS } from './har-export.js';
import type { ConnectionToRead } from './session-reader.js';
import { protocolWriter } from './har-protocol.js';

/** How far a HAR's writing has come: items are messages and frames. */
export interface HarProgress {
  /** Messages and frames written. */
  done: number;
  /** Messages and frames when the export began. */
  total: number;
  /** Connections begun. */
  connections: number;
}

/** JSON.stringify(value, null, 2) as it reads nested `indent` spaces deep (JSON strings hold no raw newline). */
function nested(value: unknown, indent: string): string {
  return JSON.stringify(value, null, 2).replaceAll('\n', `\n${indent}`);
}

const ENTRY_INDENT = ' '.repeat(6);
const FIELD_INDENT = ' '.repeat(8);
const ITEM_INDENT = ' '.repeat(10);

/** Yields the HAR text in pieces; onProgress is called after each message or frame. */
export function* harText(connections: readonly ConnectionToRead[], onProgress?: (progress: HarProgress) => void): Generator<string> {
  const progress: HarProgress = { done: 0, total: connections.reduce((sum, c) => sum + c.messageCount + c.frameCount, 0), connections: 0 };
  const head = Object.entries(harLogHead()).map(([key, value]) => `    ${JSON.stringify(key)}: ${nested(value, '    ')},\n`).join('');
  yield `{\n  "log": {\n${head}    "entries": [`;
  for (const [i, c] of connections.entries()) {
    progress.connections = i + 1;
    yield `${i === 0 ? '' : ','}\n${ENTRY_INDENT}{`;
    const fields = Object.entries(connectionToEntry(c.record));
    for (const [k, [key, value]] of fields.entries()) {
      yield `${k === 0 ? '' : ','}\n${FIELD_INDENT}${JSON.stringify(key)}: `;
      const protocol = key === STREAMED_ENTRY_FIELDS[0] ? protocolWriter(c.record, c.messages(), c.lens) : undefined;
      const items = protocol
        ? mapItems(c.messages(), (m) => protocol(m, messageToHar(m)))
        : key === STREAMED_ENTRY_FIELDS[1] ? mapItems(c.frames(), frameToHar) : null;
      if (!items) {
        yield nested(value, FIELD_INDENT);
        continue;
      }
      let count = 0;
      for (const item of items) {
        yield `${count === 0 ? '[' : ','}\n${ITEM_INDENT}${nested(item, ITEM_INDENT)}`;
        count += 1;
        progress.done += 1;
        onProgress?.(progress);
      }
      yield count === 0 ? '[]' : `\n${FIELD_INDENT}]`;
    }
    yield fields.length === 0 ? '}' : `\n${ENTRY_INDENT}}`;
  }
  yield `${connections.length === 0 ? ']' : '\n    ]'}\n  }\n}`;
}

function* mapItems<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item);
}
