// STOMP frames (STOMP 1.2 §"STOMP Frames", 1.1, 1.0): a command line, header lines, a blank line, a body
// ended by NUL (or exactly content-length bytes, then NUL). Lines end in LF or, from 1.2, CRLF. Header
// names and values are escaped from 1.1 on (\r \n \c \\), except in CONNECT and CONNECTED frames.

export interface StompFrame {
  command: string;
  /** Headers in order, decoded; a repeated header keeps every entry (the first one counts, §"Repeated Header Entries"). */
  headers: [string, string][];
  body: Uint8Array;
  problems: string[];
}

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const utf8 = new TextDecoder('utf-8', { fatal: false });

/** How many EOL bytes (LF or CRLF) start at offset; 0 when none. */
export function eolAt(bytes: Uint8Array, offset: number): number {
  if (bytes[offset] === LF) return 1;
  if (bytes[offset] === CR && bytes[offset + 1] === LF) return 2;
  return 0;
}

/**
 * Reads one frame starting at offset: the frame and the offset after its NUL, `'incomplete'` when the
 * bytes end first, or a problem when no frame can be read (the caller skips to the next NUL).
 */
export function readStompFrame(bytes: Uint8Array, offset: number, escaping: boolean): { frame: StompFrame; end: number } | 'incomplete' {
  const problems: string[] = [];
  const lines: string[] = [];
  let at = offset;
  // The head: lines up to the blank one.
  for (;;) {
    const lf = bytes.indexOf(LF, at);
    const nul = bytes.indexOf(NUL, at);
    if (nul >= 0 && (lf < 0 || nul < lf)) {
      // A NUL inside the head: the frame ends without a blank line.
      problems.push('the frame ends before the blank line after its headers');
      return { frame: headFrame(lines, bytes.subarray(at, at), escaping, problems), end: nul + 1 };
    }
    if (lf < 0) return 'incomplete';
    const lineEnd = lf > at && bytes[lf - 1] === CR ? lf - 1 : lf;
    const line = utf8.decode(bytes.subarray(at, lineEnd));
    at = lf + 1;
    if (line === '') break;
    lines.push(line);
  }
  const frame = headFrame(lines, new Uint8Array(0), escaping, problems);
  const length = frame.headers.find(([name]) => name === 'content-length')?.[1];
  if (length !== undefined && /^\d+$/.test(length)) {
    const n = Number(length);
    if (at + n >= bytes.length) return 'incomplete';
    frame.body = bytes.subarray(at, at + n);
    if (bytes[at + n] !== NUL) {
      problems.push(`no NUL after the ${n} body bytes content-length announces`);
      const nul = bytes.indexOf(NUL, at + n);
      if (nul < 0) return 'incomplete';
      return { frame, end: nul + 1 };
    }
    return { frame, end: at + n + 1 };
  }
  if (length !== undefined) problems.push(`content-length is not a number: ${JSON.stringify(length)}`);
  const nul = bytes.indexOf(NUL, at);
  if (nul < 0) return 'incomplete';
  frame.body = bytes.subarray(at, nul);
  return { frame, end: nul + 1 };
}

function headFrame(lines: string[], body: Uint8Array, escaping: boolean, problems: string[]): StompFrame {
  const command = lines[0] ?? '';
  const unescaped = escaping && command !== 'CONNECT' && command !== 'CONNECTED';
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon < 0) {
      problems.push(`a header line without a colon: ${JSON.stringify(line)}`);
      continue;
    }
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1);
    headers.push(unescaped ? [unescape(name, problems), unescape(value, problems)] : [name, value]);
  }
  return { command, headers, body, problems };
}

const ESCAPES: Record<string, string> = { r: '\r', n: '\n', c: ':', '\\': '\\' };

/** STOMP 1.2 §"Value Encoding": an undefined escape is a fatal protocol error there; here it is a problem, kept as written. */
function unescape(text: string, problems: string[]): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(.?)/g, (all, c: string) => {
    const decoded = ESCAPES[c];
    if (decoded !== undefined) return decoded;
    problems.push(`an undefined escape ${JSON.stringify(all)} in a header`);
    return all;
  });
}

export function escapeHeader(text: string): string {
  return text.replace(/[\\\r\n:]/g, (c) => (c === '\\' ? '\\\\' : c === '\r' ? '\\r' : c === '\n' ? '\\n' : '\\c'));
}
