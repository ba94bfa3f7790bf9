// A HAR's text a piece at a time: exactly JSON.stringify(exportHar(records), null, 2), written entry by
// entry and message by message, so that memory holds one message at a time (issue 9).
import { connectionToEntry, frameToHar, harLogHead, messageToHar, STREAMED_ENTRY_FIELDS, type HarMessage } from './har-export.js';
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

/**
 * JSON.stringify(value, null, 2) as it reads nested `indent` spaces deep. Plain objects and arrays are
 * laid out here, so that a message's data (a string of megabytes) is stringified once and never
 * scanned again for newlines to indent; anything else (a Buffer, a Date: whatever has its own
 * toJSON or is not a plain object) goes through JSON.stringify and is indented after.
 */
export function nested(value: unknown, indent: string): string {
  return pretty(value, indent) as string;
}

/** Text that is JSON already: written as it is. */
class JsonText {
  constructor(readonly text: string) {}
}

/**
 * A HAR message item whose data is base64 (every opcode but text): base64 needs no escaping, so it is
 * quoted as it is instead of going through JSON.stringify, which scans it char by char (about
 * 300 MB/s: the slowest step of an export).
 */
function withQuotedBase64(item: HarMessage): HarMessage | Record<string, unknown> {
  return item.opcode === 1 ? item : { ...item, data: new JsonText(`"${item.data}"`) };
}

function pretty(value: unknown, indent: string): string | undefined {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (value instanceof JsonText) return value.text;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    let text = `[\n${inner}`;
    for (let i = 0; i < value.length; i++) text += `${i === 0 ? '' : `,\n${inner}`}${pretty(value[i], inner) ?? 'null'}`;
    return `${text}\n${indent}]`;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return JSON.stringify(value, null, 2)?.replaceAll('\n', `\n${indent}`);
  }
  let text = '';
  for (const key of Object.keys(value)) {
    const field = pretty((value as Record<string, unknown>)[key], inner);
    if (field !== undefined) text += `${text === '' ? '' : ','}\n${inner}${JSON.stringify(key)}: ${field}`;
  }
  return text === '' ? '{}' : `{${text}\n${indent}}`;
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
        ? mapItems(c.messages(), (m) => withQuotedBase64(protocol(m, messageToHar(m))))
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
