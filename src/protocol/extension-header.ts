// Parsing of the list-valued handshake headers: Sec-WebSocket-Extensions (RFC 6455 §9.1, with
// RFC 7230 §3.2.6 tokens and quoted strings) and Sec-WebSocket-Protocol (RFC 6455 §11.3.4).

/** One extension in a Sec-WebSocket-Extensions header, with its parameters in order. */
export interface ExtensionOffer {
  /** The extension token, e.g. "permessage-deflate" (as written; compare case-insensitively). */
  name: string;
  /** Parameters in the order written; value is null for a parameter without "=". */
  params: ExtensionParam[];
}

export interface ExtensionParam {
  /** The parameter token, e.g. "client_max_window_bits". */
  name: string;
  /** The value with quotes and escapes removed, or null when the parameter had no value. */
  value: string | null;
  /** True when the value was written as a quoted string. */
  quoted: boolean;
}

export interface ParsedList<T> {
  /** What could be parsed. */
  items: T[];
  /** One line per syntax problem, naming the position. Empty when the header is well formed. */
  problems: string[];
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/** A small cursor over a header value. */
class Scanner {
  pos = 0;
  constructor(readonly text: string) {}
  get done(): boolean { return this.pos >= this.text.length; }
  peek(): string { return this.text[this.pos] ?? ''; }
  skipSpace(): void { while (this.peek() === ' ' || this.peek() === '\t') this.pos++; }
  token(): string {
    const start = this.pos;
    while (!this.done && TCHAR.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }
  /** Reads a quoted-string (RFC 7230 §3.2.6) at the cursor; returns null if it is not closed. */
  quoted(): string | null {
    this.pos++; // opening quote
    let value = '';
    while (!this.done) {
      const c = this.text[this.pos++];
      if (c === '"') return value;
      if (c === '\\') {
        if (this.done) return null;
        value += this.text[this.pos++];
      } else {
        value += c;
      }
    }
    return null;
  }
  /** Skips to just after the next comma (error recovery). */
  skipPastComma(): void {
    while (!this.done && this.peek() !== ',') this.pos++;
    if (!this.done) this.pos++;
  }
}

/**
 * Parses one or more Sec-WebSocket-Extensions header values (several header lines are one list).
 * Malformed elements are reported in `problems` and skipped; the rest are still returned.
 */
export function parseExtensions(headerValues: string | string[] | undefined): ParsedList<ExtensionOffer> {
  const items: ExtensionOffer[] = [];
  const problems: string[] = [];
  for (const text of toList(headerValues)) {
    const s = new Scanner(text);
    while (true) {
      s.skipSpace();
      if (s.done) break;
      if (s.peek() === ',') { s.pos++; continue; } // empty list elements are allowed (RFC 7230 §7)
      const start = s.pos;
      const name = s.token();
      if (!name) {
        problems.push(`extension name expected at position ${s.pos} of "${text}"`);
        s.skipPastComma();
        continue;
      }
      const offer: ExtensionOffer = { name, params: [] };
      let ok = true;
      s.skipSpace();
      while (ok && s.peek() === ';') {
        s.pos++;
        s.skipSpace();
        const paramName = s.token();
        if (!paramName) {
          problems.push(`parameter name expected at position ${s.pos} of "${text}"`);
          ok = false;
          break;
        }
        s.skipSpace();
        let value: string | null = null;
        let quoted = false;
        if (s.peek() === '=') {
          s.pos++;
          s.skipSpace();
          if (s.peek() === '"') {
            value = s.quoted();
            quoted = true;
            if (value === null) {
              problems.push(`unterminated quoted value for "${paramName}" in "${text}"`);
              ok = false;
              break;
            }
          } else {
            value = s.token();
            if (!value) {
              problems.push(`value expected for "${paramName}" at position ${s.pos} of "${text}"`);
              ok = false;
              break;
            }
          }
          s.skipSpace();
        }
        offer.params.push({ name: paramName, value, quoted });
      }
      if (ok && !s.done && s.peek() !== ',') {
        problems.push(`unexpected "${s.peek()}" at position ${s.pos} of "${text}" in "${text.slice(start)}"`);
        ok = false;
      }
      if (ok) items.push(offer);
      s.skipPastComma();
    }
  }
  return { items, problems };
}

/** Parses Sec-WebSocket-Protocol header values: a comma-separated list of tokens. */
export function parseProtocols(headerValues: string | string[] | undefined): ParsedList<string> {
  const items: string[] = [];
  const problems: string[] = [];
  for (const text of toList(headerValues)) {
    for (const raw of text.split(',')) {
      const value = raw.trim();
      if (value === '') continue;
      if (![...value].every((c) => TCHAR.test(c))) {
        problems.push(`"${value}" is not a valid subprotocol token`);
        continue;
      }
      items.push(value);
    }
  }
  return { items, problems };
}

/** Writes an extension list back as a header value (quoting values that are not tokens). */
export function formatExtensions(offers: ExtensionOffer[]): string {
  return offers
    .map((o) => [o.name, ...o.params.map((p) => (p.value === null ? p.name : `${p.name}=${formatValue(p.value, p.quoted)}`))].join('; '))
    .join(', ');
}

function formatValue(value: string, quoted: boolean): string {
  if (!quoted && value !== '' && [...value].every((c) => TCHAR.test(c))) return value;
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

function toList(values: string | string[] | undefined): string[] {
  if (values === undefined) return [];
  return Array.isArray(values) ? values : [values];
}
