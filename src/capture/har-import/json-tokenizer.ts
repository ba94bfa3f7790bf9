// An incremental JSON tokenizer (RFC 8259): text goes in as chunks of any size, tokens come out to a
// handler, and memory holds only the token being read (a string as long as the longest in the file).
// It checks the grammar itself, with a stack of one small state per open container, so depth costs
// one array slot per level and nothing recurses. A syntax error throws a JsonSyntaxError at the
// character where it is found; whitespace is exactly RFC 8259's four (space, tab, LF, CR).

/** Receives the tokens in order. Keys and values of an object alternate. */
export interface JsonHandler {
  startObject(): void;
  endObject(): void;
  startArray(): void;
  endArray(): void;
  key(name: string): void;
  value(value: string | number | boolean | null): void;
}

/** The text is not JSON; position counts UTF-16 characters from the start (as JSON.parse does). */
export class JsonSyntaxError extends Error {
  override name = 'JsonSyntaxError';
  constructor(message: string, readonly position: number) {
    super(`${message} at character ${position}`);
  }
}

/** What may come next inside a container (or at the top). */
const enum Expect {
  /** The top-level value. */
  RootValue,
  /** After the top-level value: only whitespace. */
  RootDone,
  /** Just after '{': a key or '}'. */
  FirstKey,
  /** After ',' in an object: a key. */
  Key,
  /** After a key: ':'. */
  Colon,
  /** After ':': a value. */
  ObjectValue,
  /** After a value in an object: ',' or '}'. */
  ObjectNext,
  /** Just after '[': a value or ']'. */
  FirstItem,
  /** After ',' in an array: a value. */
  Item,
  /** After a value in an array: ',' or ']'. */
  ArrayNext,
}

/** A token split across chunks. */
const enum Partial { None, String, Number, Literal }

/** V8's longest string (2^29 - 24 characters): a longer one cannot be held, so the text stops being readable there. */
export const MAX_STRING_LENGTH = 2 ** 29 - 24;

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const NUMBER_CHAR = /[-+0-9.eE]/;
const LITERALS: Record<string, boolean | null> = { true: true, false: false, null: null };
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f]/;

export class JsonTokenizer {
  /** One state per open container, the innermost last; [0] is the top level. */
  private readonly stack: Expect[] = [Expect.RootValue];
  private partial = Partial.None;
  /** The pieces of a string, number or literal read so far. */
  private pieces: string[] = [];
  /** In a string: after a backslash (the escape's text so far, e.g. "\\u00"), else ''. */
  private escape = '';
  /** The string being read is an object key. */
  private isKey = false;
  /** Characters consumed before the current chunk. */
  private consumed = 0;
  /** Where the current token began (a character count). */
  tokenStart = 0;
  /** Characters of the number or word being read. */
  private wordLength = 0;
  /** Characters of the string being read. */
  private stringLength = 0;
  /** Just past the token the handler is being told about (for where a value ends). */
  offset = 0;

  constructor(private readonly handler: JsonHandler) {}

  /** Characters read so far. */
  get position(): number {
    return this.consumed;
  }

  /** Containers open now. */
  get depth(): number {
    return this.stack.length - 1;
  }

  /** Reads a chunk. Throws JsonSyntaxError (and stays failed) at the first error. */
  write(chunk: string): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.partial !== Partial.None) {
        i = this.partial === Partial.String ? this.continueString(chunk, i) : this.continueWord(chunk, i);
        continue;
      }
      const c = chunk.charCodeAt(i);
      // RFC 8259 §2: insignificant whitespace is space, tab, line feed and carriage return, nothing else.
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        i += 1;
        continue;
      }
      this.tokenStart = this.consumed + i;
      this.structural(chunk[i]!, chunk, i);
      i = this.partial === Partial.None ? i + 1 : this.partial === Partial.String ? this.continueString(chunk, i + 1) : this.continueWord(chunk, i);
    }
    this.consumed += n;
  }

  /**
   * The text has ended: throws JsonSyntaxError unless it held exactly one complete value. A number at
   * the very end of a cut text may itself be cut ("12" of "123"): it completes only a top-level value.
   */
  end(): void {
    if ((this.partial === Partial.Number || this.partial === Partial.Literal) && this.stack.length === 1) this.finishWord(this.consumed);
    if (this.partial !== Partial.None) throw new JsonSyntaxError('the text ends inside a value', this.consumed);
    if (this.stack.length > 1) throw new JsonSyntaxError(`the text ends with ${this.stack.length - 1} container(s) still open`, this.consumed);
    if (this.stack[0] === Expect.RootValue) throw new JsonSyntaxError('the file holds no JSON value (it is empty or only whitespace)', this.consumed);
  }

  private structural(ch: string, chunk: string, i: number): void {
    const top = this.stack.length - 1;
    const state = this.stack[top]!;
    const at = this.consumed + i;
    switch (ch) {
      case '{':
      case '[':
        this.valueAllowed(state, ch, at);
        this.afterValue(top);
        this.stack.push(ch === '{' ? Expect.FirstKey : Expect.FirstItem);
        if (ch === '{') this.handler.startObject();
        else this.handler.startArray();
        return;
      case '}':
        if (state !== Expect.FirstKey && state !== Expect.ObjectNext) throw new JsonSyntaxError(`unexpected "}"`, at);
        this.stack.pop();
        this.offset = at + 1;
        this.handler.endObject();
        return;
      case ']':
        if (state !== Expect.FirstItem && state !== Expect.ArrayNext) throw new JsonSyntaxError(`unexpected "]"`, at);
        this.stack.pop();
        this.offset = at + 1;
        this.handler.endArray();
        return;
      case ':':
        if (state !== Expect.Colon) throw new JsonSyntaxError('unexpected ":"', at);
        this.stack[top] = Expect.ObjectValue;
        return;
      case ',':
        if (state === Expect.ObjectNext) this.stack[top] = Expect.Key;
        else if (state === Expect.ArrayNext) this.stack[top] = Expect.Item;
        else throw new JsonSyntaxError('unexpected ","', at);
        return;
      case '"':
        if (state === Expect.FirstKey || state === Expect.Key) {
          this.isKey = true;
          this.stack[top] = Expect.Colon;
        } else {
          this.valueAllowed(state, ch, at);
          this.isKey = false;
          this.afterValue(top);
        }
        this.partial = Partial.String;
        this.pieces = [];
        this.escape = '';
        this.stringLength = 0;
        return;
      default:
        this.valueAllowed(state, ch, at);
        if (ch === '-' || (ch >= '0' && ch <= '9')) this.partial = Partial.Number;
        else if (ch >= 'a' && ch <= 'z') this.partial = Partial.Literal;
        else throw new JsonSyntaxError(`unexpected ${describeChar(chunk.charCodeAt(i))}`, at);
        this.afterValue(top);
        this.pieces = [];
        this.wordLength = 0;
    }
  }

  private valueAllowed(state: Expect, ch: string, at: number): void {
    if (state === Expect.RootValue || state === Expect.ObjectValue || state === Expect.FirstItem || state === Expect.Item) return;
    if (state === Expect.RootDone) throw new JsonSyntaxError(`unexpected ${describeChar(ch.charCodeAt(0))} after the end of the value`, at);
    throw new JsonSyntaxError(`unexpected ${describeChar(ch.charCodeAt(0))}`, at);
  }

  /** The state of the container at `top` once the value starting now has been read. */
  private afterValue(top: number): void {
    const state = this.stack[top]!;
    this.stack[top] = state === Expect.RootValue ? Expect.RootDone : state === Expect.ObjectValue ? Expect.ObjectNext : Expect.ArrayNext;
  }

  /** Reads string characters from chunk[i]; returns where it stopped (past the closing quote, or the chunk's end). */
  private continueString(chunk: string, i: number): number {
    const n = chunk.length;
    while (i < n) {
      if (this.escape !== '') {
        i = this.continueEscape(chunk, i);
        continue;
      }
      const quote = chunk.indexOf('"', i);
      const backslash = chunk.indexOf('\\', i);
      const stop = quote < 0 ? (backslash < 0 ? n : backslash) : backslash < 0 ? quote : Math.min(quote, backslash);
      if (stop > i) {
        this.stringLength += stop - i;
        if (this.stringLength > MAX_STRING_LENGTH) throw new JsonSyntaxError(`a string longer than ${MAX_STRING_LENGTH} characters`, this.tokenStart);
        const run = chunk.slice(i, stop);
        const control = CONTROL.exec(run);
        if (control) throw new JsonSyntaxError(`unescaped ${describeChar(run.charCodeAt(control.index))} in a string`, this.consumed + i + control.index);
        this.pieces.push(run);
      }
      if (stop === n) return n;
      if (stop === backslash) {
        this.escape = '\\';
        i = stop + 1;
        continue;
      }
      const text = this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join('');
      this.pieces = [];
      this.partial = Partial.None;
      this.offset = this.consumed + stop + 1;
      if (this.isKey) this.handler.key(text);
      else this.handler.value(text);
      return stop + 1;
    }
    return i;
  }

  private continueEscape(chunk: string, i: number): number {
    const ch = chunk[i]!;
    if (this.escape === '\\') {
      if (ch === 'u') {
        this.escape = '\\u';
        return i + 1;
      }
      const replacement = ESCAPES[ch];
      if (replacement === undefined) throw new JsonSyntaxError(`bad escape "\\${ch}" in a string`, this.consumed + i);
      this.pieces.push(replacement);
      this.escape = '';
      return i + 1;
    }
    if (!/[0-9a-fA-F]/.test(ch)) throw new JsonSyntaxError(`bad escape "${this.escape}${ch}" in a string`, this.consumed + i);
    this.escape += ch;
    if (this.escape.length === 6) {
      this.pieces.push(String.fromCharCode(parseInt(this.escape.slice(2), 16)));
      this.escape = '';
    }
    return i + 1;
  }

  /** Reads number or literal characters from chunk[i]; the token ends at the first other character. */
  private continueWord(chunk: string, i: number): number {
    const start = i;
    const n = chunk.length;
    const literal = this.partial === Partial.Literal;
    while (i < n) {
      const ch = chunk[i]!;
      if (literal ? !(ch >= 'a' && ch <= 'z') : !NUMBER_CHAR.test(ch)) break;
      i += 1;
      if (++this.wordLength > 400) throw new JsonSyntaxError('a number or word longer than 400 characters', this.tokenStart);
    }
    if (i > start) this.pieces.push(chunk.slice(start, i));
    if (i < n) this.finishWord(this.consumed + i);
    return i;
  }

  private finishWord(at: number): void {
    this.offset = at;
    const text = this.pieces.join('');
    this.pieces = [];
    const literal = this.partial === Partial.Literal;
    this.partial = Partial.None;
    if (literal) {
      if (!Object.hasOwn(LITERALS, text)) throw new JsonSyntaxError(`unexpected word "${text.slice(0, 20)}"`, this.tokenStart);
      this.handler.value(LITERALS[text]!);
      return;
    }
    if (!NUMBER.test(text)) throw new JsonSyntaxError(`"${text.slice(0, 20)}" is not a number`, this.tokenStart);
    this.handler.value(Number(text));
  }
}

function describeChar(code: number): string {
  if (code >= 0x20 && code < 0x7f) return `"${String.fromCharCode(code)}"`;
  return `character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}
