// Checks an upgrade request the user wrote (a handshake edited at a breakpoint) before it is sent:
// the request line of RFC 9112 section 3 and header fields of section 5, plus what RFC 6455 section
// 4.1 asks of an opening handshake. Each problem says what is wrong; sending anyway stays the user's
// choice (a server under test may need to see a malformed request).

export interface RequestLineProblem {
  /** What is wrong: method, target, version or a header (by its position). */
  field: string;
  /** What is wrong and what is expected, in one sentence. */
  message: string;
  /** The RFC section that says so. */
  rfc: string;
}

/** tchar of RFC 9110 section 5.6.2. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function checkRequestHead(request: { method: string; target: string; httpVersion?: string; rawHeaders: readonly string[] }): RequestLineProblem[] {
  const problems: RequestLineProblem[] = [];
  const { method, target } = request;
  if (!TOKEN.test(method)) problems.push({ field: 'method', message: `the method ${JSON.stringify(method)} is not a token (letters, digits and !#$%&'*+-.^_\`|~)`, rfc: 'RFC 9112 §3.1' });
  else if (method !== 'GET') problems.push({ field: 'method', message: `an opening handshake is a GET request, not ${method}`, rfc: 'RFC 6455 §4.1' });
  if (target === '') {
    problems.push({ field: 'target', message: 'the request target is empty; it starts with / (origin-form) or is an absolute URL', rfc: 'RFC 9112 §3.2' });
  } else {
    const bad = [...target].find((ch) => ch <= ' ' || ch > '~');
    if (bad !== undefined) {
      problems.push({ field: 'target', message: `the request target holds ${describeChar(bad)}; spaces, control and non-ASCII characters must be percent-encoded`, rfc: 'RFC 9112 §3.2' });
    }
    if (!target.startsWith('/') && !/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
      problems.push({ field: 'target', message: `the request target ${JSON.stringify(target)} neither starts with / (origin-form) nor is an absolute URL`, rfc: 'RFC 9112 §3.2' });
    }
  }
  if (request.httpVersion !== undefined && !/^\d\.\d$/.test(request.httpVersion)) {
    problems.push({ field: 'version', message: `the HTTP version ${JSON.stringify(request.httpVersion)} is not a digit, a dot and a digit`, rfc: 'RFC 9112 §2.3' });
  }
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!;
    const value = request.rawHeaders[i + 1]!;
    const field = `header ${i / 2 + 1}`;
    if (!TOKEN.test(name)) problems.push({ field, message: `the header name ${JSON.stringify(name)} is not a token`, rfc: 'RFC 9112 §5.1' });
    const badValue = [...value].find((ch) => ch === '\r' || ch === '\n' || ch === '\0');
    if (badValue !== undefined) problems.push({ field, message: `the value of ${name} holds ${describeChar(badValue)}`, rfc: 'RFC 9110 §5.5' });
  }
  return problems;
}

function describeChar(ch: string): string {
  if (ch === ' ') return 'a space';
  const code = ch.codePointAt(0)!;
  return `the character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}
