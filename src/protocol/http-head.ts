// A tolerant reader and an exact writer of HTTP/1.x message heads (RFC 7230 §3), for the opening
// handshake. The proxy records handshakes as they crossed the wire, malformed ones included, so the
// parser never throws and never gives up: it reports each deviation in `problems` and keeps going.
//
// Header octets are read and written as latin1 (one byte, one char), as Node's http module does, so
// any byte sequence survives a parse and a serialize unchanged.

/** The start line of a request: `method SP target SP HTTP/version` (RFC 7230 §3.1.1). */
export interface HttpRequestLine {
  /** The method as written, e.g. "GET". */
  method: string;
  /** The request target as written, e.g. "/chat?room=1" or "http://host/chat". */
  target: string;
  /** The version without "HTTP/", e.g. "1.1", as Node's `httpVersion`. */
  version: string;
}

/** The start line of a response: `HTTP/version SP status-code SP reason-phrase` (RFC 7230 §3.1.2). */
export interface HttpStatusLine {
  /** The version without "HTTP/", e.g. "1.1", as Node's `httpVersion`. */
  version: string;
  /** The three-digit status code; 0 when the line had none. */
  statusCode: number;
  /** The reason phrase as written, possibly empty. */
  statusMessage: string;
}

/** A message head as parsed. */
export interface HttpHead {
  /** True once the blank line that ends the head has arrived. */
  complete: boolean;
  /** Bytes of the head including the blank line (the body or frames start here); 0 while incomplete. */
  headLength: number;
  /** True when no blank line came within `maxHeadSize` bytes: stop buffering, it will not end. */
  tooLarge: boolean;
  /** The request line, when the first line is not a status line. */
  request?: HttpRequestLine;
  /** The status line, when the first line starts with "HTTP/". */
  response?: HttpStatusLine;
  /**
   * Header fields as [name, value, name, value, ...] in wire order, name case kept, duplicates kept,
   * values without surrounding whitespace (as Node's `rawHeaders`). While incomplete: the lines so far.
   */
  rawHeaders: string[];
  /** One line per deviation from RFC 7230 message syntax. Empty for a well-formed head. */
  problems: string[];
}

/** What `serializeHttpHead` writes: a request line or a status line, then the headers. */
export interface HttpHeadFields {
  /** The request line; takes precedence over `response` when both are given. */
  request?: HttpRequestLine;
  /** The status line, written when there is no `request`. */
  response?: HttpStatusLine;
  /** Header fields as [name, value, ...]. */
  rawHeaders: string[];
}

export interface ParseHttpHeadOptions {
  /** Largest head accepted, blank line included, in bytes. Default 65536 (64 KiB). */
  maxHeadSize?: number;
}

export const DEFAULT_MAX_HEAD_SIZE = 64 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VERSION = /^HTTP\/(\d\.\d)$/;

/**
 * Parses the message head at the start of `bytes`. Bytes after the head (a body, WebSocket frames)
 * are ignored; `headLength` says where they start. Never throws.
 */
export function parseHttpHead(bytes: Buffer, options: ParseHttpHeadOptions = {}): HttpHead {
  const maxHeadSize = options.maxHeadSize ?? DEFAULT_MAX_HEAD_SIZE;
  const window = bytes.subarray(0, maxHeadSize);
  const head: HttpHead = { complete: false, headLength: 0, tooLarge: false, rawHeaders: [], problems: [] };
  const lines: string[] = [];
  let leadingEmptyLines = 0;
  let bareLineFeeds = 0;
  let pos = 0;
  for (;;) {
    const nl = window.indexOf(LF, pos);
    if (nl === -1) break;
    const crlf = nl > pos && window[nl - 1] === CR;
    if (!crlf) bareLineFeeds++;
    const line = window.toString('latin1', pos, crlf ? nl - 1 : nl);
    pos = nl + 1;
    if (line !== '') {
      lines.push(line);
    } else if (lines.length === 0) {
      leadingEmptyLines++; // RFC 7230 §3.5: tolerated before a request line
    } else {
      head.complete = true;
      head.headLength = pos;
      break;
    }
  }
  if (!head.complete && bytes.length >= maxHeadSize) {
    head.tooLarge = true;
    head.problems.push(`the head does not end within ${maxHeadSize} bytes (the size cap)`);
  }
  if (leadingEmptyLines > 0) head.problems.push(`${leadingEmptyLines} empty line(s) before the start line`);
  if (bareLineFeeds > 0) head.problems.push(`${bareLineFeeds} line(s) end with LF alone instead of CRLF`);
  const [startLine, ...fieldLines] = lines;
  if (startLine === undefined) return head;
  if (startLine.startsWith('HTTP/')) head.response = parseStatusLine(startLine, head.problems);
  else head.request = parseRequestLine(startLine, head.problems);
  parseFieldLines(fieldLines, head.rawHeaders, head.problems);
  return head;
}

function parseRequestLine(line: string, problems: string[]): HttpRequestLine {
  let parts = line.split(' ');
  if (parts.length !== 3 || parts.includes('')) {
    problems.push(`request line "${line}" is not "method SP target SP HTTP-version"`);
    // Best effort: the first word is the method, the last the version, what lies between the target.
    parts = line.trim().split(/[ \t]+/);
    if (parts.length < 3) parts = [parts[0] ?? '', parts[1] ?? '', ''];
    else parts = [parts[0], parts.slice(1, -1).join(' '), parts[parts.length - 1]];
  }
  const [method, target, versionToken] = parts;
  if (!TOKEN.test(method)) problems.push(`method "${method}" is not a token`);
  return { method, target, version: parseVersion(versionToken, problems) };
}

function parseStatusLine(line: string, problems: string[]): HttpStatusLine {
  const first = line.indexOf(' ');
  const versionToken = first === -1 ? line : line.slice(0, first);
  const rest = first === -1 ? '' : line.slice(first + 1);
  const second = rest.indexOf(' ');
  const codeText = second === -1 ? rest : rest.slice(0, second);
  const statusMessage = second === -1 ? '' : rest.slice(second + 1);
  const version = parseVersion(versionToken, problems);
  let statusCode = 0;
  if (/^\d{3}$/.test(codeText)) statusCode = Number(codeText);
  else problems.push(`status code "${codeText}" is not three digits`);
  if (second === -1) problems.push(`status line "${line}" has no space before the reason phrase`);
  if (hasControl(statusMessage)) problems.push(`reason phrase "${statusMessage}" contains control characters`);
  return { version, statusCode, statusMessage };
}

function parseVersion(token: string, problems: string[]): string {
  const match = VERSION.exec(token);
  if (match) return match[1];
  problems.push(token === '' ? 'the HTTP version is missing' : `"${token}" is not an HTTP version (HTTP/d.d)`);
  return token.startsWith('HTTP/') ? token.slice('HTTP/'.length) : token;
}

function parseFieldLines(lines: string[], rawHeaders: string[], problems: string[]): void {
  for (const line of lines) {
    if (line[0] === ' ' || line[0] === '\t') {
      // RFC 7230 §3.2.4: obs-fold continues the previous value; a recipient replaces it with SP.
      if (rawHeaders.length === 0) {
        problems.push(`whitespace-led line "${line}" before the first header field was ignored`);
      } else {
        problems.push(`header "${rawHeaders[rawHeaders.length - 2]}" is folded over several lines (obs-fold)`);
        const last = rawHeaders.length - 1;
        const more = trimSpace(line);
        rawHeaders[last] = rawHeaders[last] === '' ? more : more === '' ? rawHeaders[last] : `${rawHeaders[last]} ${more}`;
      }
      continue;
    }
    const colon = line.indexOf(':');
    if (colon === -1) {
      problems.push(`header line "${line}" has no colon and was ignored`);
      continue;
    }
    const written = line.slice(0, colon);
    const name = trimSpace(written);
    if (name === '') {
      problems.push(`header line "${line}" has an empty name and was ignored`);
      continue;
    }
    if (name !== written) problems.push(`header name "${written}" has whitespace around it`);
    else if (!TOKEN.test(name)) problems.push(`header name "${name}" is not a token`);
    const value = trimSpace(line.slice(colon + 1));
    if (hasControl(value)) problems.push(`value of header "${name}" contains control characters`);
    rawHeaders.push(name, value);
  }
}

/** Field values may hold visible characters, SP, HTAB and obs-text (RFC 7230 §3.2); no other controls. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

function trimSpace(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, '');
}

/**
 * Writes a head back: the start line, then `name: value` per header, each line ending in CRLF, then
 * the blank line. Fields are written as given (malformed ones too: Framescope crafts bad handshakes
 * on purpose), so for a well-formed head `serializeHttpHead(parseHttpHead(x))` equals x. Characters
 * are written as latin1, like Node; the caller keeps them within U+0000-U+00FF.
 */
export function serializeHttpHead(fields: HttpHeadFields): Buffer {
  let text: string;
  if (fields.request) {
    const { method, target, version } = fields.request;
    text = `${method} ${target} HTTP/${version}\r\n`;
  } else if (fields.response) {
    const { version, statusCode, statusMessage } = fields.response;
    text = `HTTP/${version} ${statusCode} ${statusMessage}\r\n`;
  } else {
    throw new TypeError('serializeHttpHead needs a request line or a status line');
  }
  if (fields.rawHeaders.length % 2 !== 0) throw new TypeError('rawHeaders must hold name, value pairs');
  for (let i = 0; i < fields.rawHeaders.length; i += 2) {
    text += `${fields.rawHeaders[i]}: ${fields.rawHeaders[i + 1]}\r\n`;
  }
  return Buffer.from(`${text}\r\n`, 'latin1');
}

/** Every value of header `name` (compared case-insensitively), in wire order. */
export function headerValues(rawHeaders: readonly string[], name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() === wanted) values.push(rawHeaders[i + 1]);
  }
  return values;
}
