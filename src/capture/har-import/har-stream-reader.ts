// A HAR read as a stream of JSON tokens, in bounded memory: each entry is built whole and handed on as
// soon as it ends, except that its `_webSocketMessages` items go to a spool as each message ends, their
// data decoded (so an entry costs its frames' fields and a few bytes a message), and parts of the file that import does
// not use (everything outside log.creator and log.entries) are read past without being kept.
//
// A file that breaks off, or turns into something that is not JSON, is read as far as its last complete
// value: the containers open there are closed, those opened after it dropped (a HAR cut short by a
// capture killed while writing, or a partial download, keeps what it holds).
import { Opcode } from '../../protocol/frame.js';
import { INVALID_DATA, type DataSpool } from './data-spool.js';
import { isBase64, isObject, type Json } from './json-values.js';
import { JsonSyntaxError, JsonTokenizer, type JsonHandler } from './json-tokenizer.js';
import { HarImportError, type HarImportProblem } from './problems.js';
import { SpilledItems } from './spilled-items.js';

/** Deepest a value inside an entry may nest; a HAR entry nests about 5 levels. */
export const MAX_ENTRY_DEPTH = 100;
/**
 * Most values an entry may hold outside its message and frame items, and each item: a browser's entry
 * holds hundreds (headers, timings, initiator stacks), and this bounds the memory of one built entry.
 */
export const MAX_ENTRY_VALUES = 100_000;

/** What a container is to the reader. */
const enum Role {
  /** Holds the top-level value. */
  Top,
  Root,
  Log,
  Entries,
  /** An entry object, built. */
  Entry,
  /** An entry's _webSocketMessages: items built one by one, data spooled. */
  Messages,
  /** An entry's _webSocketFrames: items built one by one, set aside in the spool. */
  Frames,
  /** A value that is kept. */
  Build,
  /** A value that is read past. */
  Skip,
}

interface Open {
  role: Role;
  /** The object or array being built (null when read past; the items set aside for _webSocketMessages and _webSocketFrames). */
  value: Json | unknown[] | SpilledItems | null;
  /** In an object: the key whose value comes next. */
  key: string;
  /** Values completed in it. */
  count: number;
  /** Its key or index in the container around it. */
  name: string | number;
  /** It is an array (its values are named by index). */
  isArray: boolean;
  /** Levels of built values below the entry (0 outside entries). */
  depth: number;
}

/** Receives what the reader finds. */
export interface HarStreamSink {
  /** An entry of log.entries (any JSON value; an object when well formed), with its message data spooled. */
  entry(index: number, value: unknown): void;
}

export class HarStreamReader implements JsonHandler {
  private readonly tokenizer = new JsonTokenizer(this);
  private readonly stack: Open[] = [{ role: Role.Top, value: null, key: '', count: 0, name: '', depth: 0, isArray: false }];
  /** Stack length when the last value completed, and where it ended. */
  private last: { length: number; end: number } | undefined;
  private sawLog = false;
  private sawEntries = false;
  private entryCount = 0;
  /** The text stopped being JSON: the rest is not read. */
  private broken = false;
  /** Values built since the entry (or the message or frame item) began. */
  private built = 0;
  /** log.creator.name, when there is one. */
  creator = '';
  /** Some entry has our own fields (_framescope or _webSocketFrames). */
  hasOwnFields = false;

  constructor(private readonly sink: HarStreamSink, private readonly spool: DataSpool, private readonly problems: HarImportProblem[]) {}

  /** Reads a chunk of the text. Stops reading (returns false) once the text is no longer JSON. */
  write(chunk: string): boolean {
    if (this.broken) return false;
    try {
      this.tokenizer.write(chunk);
      return true;
    } catch (error) {
      if (!(error instanceof JsonSyntaxError)) throw error;
      this.cut(error);
      return false;
    }
  }

  /** The text has ended: finishes what a cut left open and checks that it was a HAR. */
  end(): void {
    if (!this.broken) {
      try {
        this.tokenizer.end();
      } catch (error) {
        if (!(error instanceof JsonSyntaxError)) throw error;
        this.cut(error);
      }
    }
    if (!this.sawLog) throw new HarImportError('no "log" object: this is not a HAR file');
    if (!this.sawEntries) throw new HarImportError('"log.entries" is not an array: this is not a HAR file');
  }

  // --- JsonHandler -----------------------------------------------------------------------------------

  startObject(): void {
    this.open(true);
  }

  startArray(): void {
    this.open(false);
  }

  endObject(): void {
    this.close();
  }

  endArray(): void {
    this.close();
  }

  key(name: string): void {
    this.stack.at(-1)!.key = name;
    if (this.stack.at(-1)!.role === Role.Entry && (name === '_framescope' || name === '_webSocketFrames')) this.hasOwnFields = true;
  }

  value(value: string | number | boolean | null): void {
    this.childRole(null);
    this.complete(value);
  }

  // --- Building ------------------------------------------------------------------------------------

  private open(isObject: boolean): void {
    const parent = this.stack.at(-1)!;
    const role = this.childRole(isObject);
    const depth = role === Role.Skip || role === Role.Root || role === Role.Log || role === Role.Entries ? 0 : parent.depth + 1;
    if (depth > MAX_ENTRY_DEPTH) {
      throw new HarImportError(`a value in entry ${this.entryCount} nests deeper than ${MAX_ENTRY_DEPTH} levels (at character ${this.tokenizer.tokenStart}): this is not a HAR file`);
    }
    if (role === Role.Entry || parent.role === Role.Messages || parent.role === Role.Frames) this.built = 0;
    const keep = role !== Role.Skip && role !== Role.Entries && role !== Role.Top;
    this.stack.push({
      role,
      value: role === Role.Messages || role === Role.Frames ? new SpilledItems(this.spool) : keep ? (isObject ? {} : []) : null,
      key: '',
      count: 0,
      name: parent.isArray ? parent.count : parent.key,
      depth,
      isArray: !isObject,
    });
  }

  private close(): void {
    const done = this.stack.pop()!;
    this.complete(done.value);
  }

  /** What the value starting now is, from where it is; throws when the file is plainly not a HAR. */
  private childRole(isObject: boolean | null): Role {
    const parent = this.stack.at(-1)!;
    switch (parent.role) {
      case Role.Top:
        if (isObject !== true) throw new HarImportError('no "log" object: this is not a HAR file');
        return Role.Root;
      case Role.Root:
        if (parent.key !== 'log') return Role.Skip;
        if (isObject !== true) throw new HarImportError('no "log" object: this is not a HAR file');
        this.sawLog = true;
        return Role.Log;
      case Role.Log:
        if (parent.key === 'entries') {
          if (isObject !== false) throw new HarImportError('"log.entries" is not an array: this is not a HAR file');
          this.sawEntries = true;
          return Role.Entries;
        }
        return parent.key === 'creator' ? Role.Build : Role.Skip;
      case Role.Entries:
        return isObject === true ? Role.Entry : isObject === false ? Role.Skip : Role.Build;
      case Role.Entry:
        if (isObject === false && parent.key === '_webSocketMessages') return Role.Messages;
        if (isObject === false && parent.key === '_webSocketFrames') return Role.Frames;
        return Role.Build;
      case Role.Messages:
      case Role.Frames:
      case Role.Build:
        return Role.Build;
      case Role.Skip:
        return Role.Skip;
    }
  }

  /** A value has ended: it goes where its container's role says. */
  private complete(value: unknown): void {
    const parent = this.stack.at(-1)!;
    if (parent.depth > 0 && ++this.built > MAX_ENTRY_VALUES) {
      throw new HarImportError(`entry ${this.entryCount} holds more than ${MAX_ENTRY_VALUES} values in one place (at character ${this.tokenizer.tokenStart}): this is not a HAR file`);
    }
    switch (parent.role) {
      case Role.Top:
      case Role.Root:
      case Role.Skip:
      case Role.Entries:
        break;
      case Role.Log:
        if (parent.key === 'creator' && isObject(value) && typeof value.name === 'string') this.creator = value.name;
        break;
      case Role.Messages:
        (parent.value as SpilledItems).put(this.spoolMessage(value));
        break;
      case Role.Frames:
        (parent.value as SpilledItems).put(value);
        break;
      default:
        if (Array.isArray(parent.value)) parent.value.push(value);
        else (parent.value as Json)[parent.key] = value;
    }
    if (parent.role === Role.Entries) {
      // An array in place of an entry is read past (null here): it is "not an object" all the same.
      this.sink.entry(parent.count, value);
      this.entryCount = parent.count + 1;
    }
    parent.count += 1;
    this.last = { length: this.stack.length, end: this.tokenizer.offset };
  }

  /** Decodes a message's data (as the entry reader will read it) into the spool; the item keeps a SpooledData. */
  private spoolMessage(item: unknown): unknown {
    if (!isObject(item) || (item.type !== 'send' && item.type !== 'receive') || typeof item.data !== 'string') return item;
    if (item.opcode === Opcode.Binary) {
      item.data = isBase64(item.data) ? this.spool.put(Buffer.from(item.data, 'base64')) : INVALID_DATA;
    } else {
      item.data = this.spool.put(Buffer.from(item.data, 'utf8'));
    }
    return item;
  }

  // --- A file cut short ----------------------------------------------------------------------------

  /** Closes what was open at the last complete value, names the break, or throws when nothing completed. */
  private cut(error: JsonSyntaxError): void {
    this.broken = true;
    const reason = error.message;
    const last = this.last;
    if (!last) throw new HarImportError(`not JSON: ${reason}`);
    const path = this.stack.slice(2, last.length).map((open) => open.name);
    this.problems.push(cutProblem(path, last.end, reason));
    // Containers opened after the last complete value hold nothing complete: dropped.
    this.stack.length = last.length;
    while (this.stack.length > 1) this.close();
  }
}

function cutProblem(path: (string | number)[], end: number, reason: string): HarImportProblem {
  const [log, entries, entry, ...rest] = path;
  if (log === 'log' && entries === 'entries' && typeof entry === 'number') {
    return { entry, field: formatPath(rest), message: `the file breaks off here (${reason}); this entry is imported as far as it goes` };
  }
  return { entry: -1, field: formatPath(path), message: `the file breaks off after character ${end} (${reason}); what came before is imported` };
}

function formatPath(path: (string | number)[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');
}
