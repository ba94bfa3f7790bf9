// One matcher for every rule, breakpoints included: a rule's scope and match compiled once (regular
// expressions, substrings as bytes, JSON paths), then tested per connection and per message. A
// message is decoded to text or JSON only when a rule asks for it, and at most once.
import { isUtf8 } from 'node:buffer';
import type { Direction } from '../capture/capture-model.js';
import type { WirePayload } from '../protocol/frame.js';
import { unmaskWire } from '../protocol/wire-payload.js';
import { wireByteAt, wireIncludes } from '../protocol/wire-search.js';
import { jsonEquals, parseJsonPath, valueAt, type PathStep } from './json-path.js';
import { protocolMatches, protocolTerms, type LensSource } from './rule-protocol.js';
import type { Rule, RuleDirection } from './rule-types.js';
import { leadingLiteral } from '../regex-literal.js';

/**
 * A message being matched: its text and JSON are worked out once, on first need. A binary message
 * has text only when it is valid UTF-8 (checked fast, without decoding); protobuf or MessagePack
 * bytes are never decoded for a regex or a JSON path to fail on. Its payload may be the bytes as they
 * crossed the wire (masked): looking for bytes in it, or at its first bytes, does not unmask it.
 */
export class MatchedMessage {
  private textValue: string | null | undefined;
  private jsonValue: unknown;
  private jsonDone = false;
  private dataValue: Buffer | undefined;

  constructor(
    readonly opcode: number,
    private readonly payload: Buffer | WirePayload,
    /** Which way it travels (protocol lenses read it). */
    readonly direction: Direction = 'send',
  ) {}

  /** The payload's bytes, unmasked (once, when first asked for). */
  get data(): Buffer {
    this.dataValue ??= Buffer.isBuffer(this.payload) ? this.payload : unmaskWire(this.payload);
    return this.dataValue;
  }

  /** True when the payload holds bytes. */
  includes(bytes: Buffer): boolean {
    if (this.dataValue === undefined && !Buffer.isBuffer(this.payload)) return wireIncludes(this.payload, bytes);
    const data = this.data;
    return data.length < SHORT_DATA ? shortIncludes(data, bytes) : data.includes(bytes);
  }

  /** The text; '' for binary data that is not UTF-8 (use hasText to tell). */
  get text(): string {
    return this.textOrNull ?? '';
  }

  get hasText(): boolean {
    return this.textOrNull !== null;
  }

  private get textOrNull(): string | null {
    if (this.textValue === undefined) this.textValue = this.opcode === 2 && !isUtf8(this.data) ? null : this.data.toString('utf8');
    return this.textValue;
  }

  /** Its first byte other than JSON whitespace (RFC 8259 section 2) opens an object or an array. */
  private startsLikeJson(): boolean {
    const payload = this.dataValue ?? this.payload;
    const length = Buffer.isBuffer(payload) ? payload.length : payload.length;
    for (let i = 0; i < length; i++) {
      const byte = Buffer.isBuffer(payload) ? payload[i]! : wireByteAt(payload, i);
      if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
      return byte === 0x7b || byte === 0x5b;
    }
    return false;
  }

  /** The message parsed as JSON; undefined when it is not JSON. */
  get json(): unknown {
    if (!this.jsonDone) {
      this.jsonDone = true;
      // Only an object or an array is parsed: a failed JSON.parse costs an exception per message.
      if (this.startsLikeJson() && this.hasText) {
        try {
          this.jsonValue = JSON.parse(this.text);
        } catch {
          this.jsonValue = undefined;
        }
      }
    }
    return this.jsonValue;
  }
}

/** Data shorter than this is searched in JavaScript: the native search costs more to call than it saves. */
const SHORT_DATA = 256;

function shortIncludes(data: Buffer, needle: Buffer): boolean {
  const first = needle[0];
  if (first === undefined) return true;
  const last = data.length - needle.length;
  outer: for (let at = 0; at <= last; at++) {
    if (data[at] !== first) continue;
    for (let j = 1; j < needle.length; j++) if (data[at + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** The connection a rule is asked about (its record: the protocol lens state is kept beside it). */
export type MatchConnection = LensSource;

type MessageTest = (m: MatchedMessage, connection: MatchConnection) => boolean;

export class CompiledRule {
  private readonly url: ((url: string) => boolean) | undefined;
  private readonly host: ((host: string) => boolean) | undefined;
  private readonly direction: RuleDirection;
  private readonly tests: MessageTest[] = [];

  /** Compiles; throws an Error whose message starts with the field at fault (e.g. "match.regex: ..."). */
  constructor(readonly rule: Rule) {
    const scope = rule.scope ?? {};
    this.direction = scope.direction ?? 'both';
    if (scope.url !== undefined) this.url = field('scope.url', () => textPattern(scope.url!));
    if (scope.host !== undefined) this.host = field('scope.host', () => textPattern(scope.host!));
    const match = rule.match ?? {};
    if (match.opcode !== undefined) {
      const opcode = match.opcode;
      this.tests.push((m) => m.opcode === opcode);
    }
    if (match.contains !== undefined) {
      // Looked for in the bytes: no decoding for messages that do not contain it.
      const bytes = Buffer.from(match.contains, 'utf8');
      this.tests.push((m) => m.includes(bytes));
    }
    if (match.regex !== undefined) {
      const re = field('match.regex', () => regexOf(match.regex!));
      // A message without the regex's literal cannot match: it is not decoded to be tested.
      const literal = leadingLiteral(re);
      this.tests.push((m) => (literal === null || m.includes(literal)) && m.hasText && re.test(m.text));
    }
    if (match.json !== undefined) {
      const { path, equals, matches } = match.json;
      const steps = field('match.json.path', () => parseJsonPath(path));
      const test = field('match.json', () => valueTest(equals, matches));
      this.tests.push((m) => jsonTest(m.json, steps, test));
    }
    if (match.protocol !== undefined) {
      const terms = field('match.protocol', () => protocolTerms(match.protocol!));
      this.tests.push((m, connection) => protocolMatches(connection, m, terms));
    }
  }

  get name(): string {
    return this.rule.name;
  }

  /** Whether the rule applies to this connection at all (URL and host). */
  inScope(url: string): boolean {
    if (!this.rule.enabled) return false;
    if (this.url && !this.url(url)) return false;
    if (this.host && !this.host(hostOf(url))) return false;
    return true;
  }

  /** Whether the rule looks at this direction's messages. */
  watchesDirection(direction: Direction): boolean {
    return this.direction === 'both' || this.direction === direction;
  }

  /** Whether a message (of a connection in scope, travelling a watched direction) matches. */
  matches(message: MatchedMessage, connection: MatchConnection): boolean {
    for (const test of this.tests) if (!test(message, connection)) return false;
    return true;
  }
}

/** Runs a compile step; an error names the field. */
function field<T>(name: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    throw new Error(`${name}: ${(error as Error).message}`);
  }
}

/** "/regex/flags" is a regular expression; anything else a substring. */
export function textPattern(pattern: string): (text: string) => boolean {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(pattern);
  if (m) {
    const re = new RegExp(m[1]!, m[2]);
    return (text) => re.test(text);
  }
  return (text) => text.includes(pattern);
}

/** "pattern" or "/pattern/flags"; a global or sticky flag would make test() keep state, so it is dropped. */
function regexOf(source: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(source);
  return m ? new RegExp(m[1]!, m[2]!.replace(/[gy]/g, '')) : new RegExp(source);
}

function valueTest(equals: unknown, matches: string | undefined): (value: unknown) => boolean {
  if (matches !== undefined) {
    if (typeof matches !== 'string') throw new Error('matches must be a regular expression (a string)');
    const re = regexOf(matches);
    return (value) => value !== undefined && re.test(typeof value === 'string' ? value : JSON.stringify(value));
  }
  if (equals === undefined) return (value) => value !== undefined;
  return (value) => jsonEquals(value, equals);
}

function jsonTest(json: unknown, steps: PathStep[], test: (value: unknown) => boolean): boolean {
  if (json === undefined) return false;
  return test(valueAt(json, steps));
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}
