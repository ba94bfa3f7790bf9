import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_MAX_HEAD_SIZE, headerValues, parseHttpHead, serializeHttpHead } from '../../src/protocol/http-head.js';

const REQUEST_TEXT =
  'GET /chat?room=1 HTTP/1.1\r\n' +
  'Host: example.com:8080\r\n' +
  'Upgrade: websocket\r\n' +
  'Connection: keep-alive, Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
  'sec-websocket-extensions: permessage-deflate; client_max_window_bits\r\n' +
  'Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n' +
  'Sec-WebSocket-Version: 13\r\n' +
  '\r\n';

const RESPONSE_TEXT =
  'HTTP/1.1 101 Switching Protocols\r\n' +
  'Upgrade: websocket\r\n' +
  'Connection: Upgrade\r\n' +
  'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n' +
  '\r\n';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('parseHttpHead', () => {
  it('parses a request line and its headers', () => {
    const head = parseHttpHead(bytes(REQUEST_TEXT));
    expect(head).toEqual({
      complete: true,
      headLength: REQUEST_TEXT.length,
      tooLarge: false,
      request: { method: 'GET', target: '/chat?room=1', version: '1.1' },
      rawHeaders: [
        'Host', 'example.com:8080',
        'Upgrade', 'websocket',
        'Connection', 'keep-alive, Upgrade',
        'Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-extensions', 'permessage-deflate; client_max_window_bits',
        'Sec-WebSocket-Extensions', 'x-webkit-deflate-frame',
        'Sec-WebSocket-Version', '13',
      ],
      problems: [],
    });
  });

  it('parses a status line and its headers', () => {
    const head = parseHttpHead(bytes(RESPONSE_TEXT));
    expect(head).toEqual({
      complete: true,
      headLength: RESPONSE_TEXT.length,
      tooLarge: false,
      response: { version: '1.1', statusCode: 101, statusMessage: 'Switching Protocols' },
      rawHeaders: ['Upgrade', 'websocket', 'Connection', 'Upgrade', 'Sec-WebSocket-Accept', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='],
      problems: [],
    });
  });

  it('stops at the blank line and reports where the bytes after the head start', () => {
    const frame = Buffer.from([0x81, 0x02, 0x68, 0x69]);
    const head = parseHttpHead(Buffer.concat([bytes(RESPONSE_TEXT), frame]));
    expect(head.headLength).toBe(RESPONSE_TEXT.length);
    expect(head.rawHeaders).toHaveLength(6);
  });

  it('reports a head split at every byte boundary as incomplete until the blank line arrives', () => {
    const whole = bytes(REQUEST_TEXT);
    const expected = parseHttpHead(whole);
    for (let cut = 0; cut < whole.length; cut++) {
      const part = parseHttpHead(whole.subarray(0, cut));
      expect(part.complete, `cut at ${cut}`).toBe(false);
      expect(part.headLength, `cut at ${cut}`).toBe(0);
      expect(part.tooLarge, `cut at ${cut}`).toBe(false);
    }
    expect(parseHttpHead(whole.subarray(0, whole.length))).toEqual(expected);
  });

  it('keeps the complete lines of an unfinished head so the UI can show them', () => {
    const head = parseHttpHead(bytes('GET / HTTP/1.1\r\nHost: a\r\nUpgr'));
    expect(head.complete).toBe(false);
    expect(head.request).toEqual({ method: 'GET', target: '/', version: '1.1' });
    expect(head.rawHeaders).toEqual(['Host', 'a']);
  });

  it('keeps header order, name case and duplicates as on the wire', () => {
    const text = 'HTTP/1.1 200 OK\r\nset-COOKIE: a=1\r\nX-B: 2\r\nSet-Cookie: b=2\r\nx-b: 3\r\n\r\n';
    expect(parseHttpHead(bytes(text)).rawHeaders).toEqual(['set-COOKIE', 'a=1', 'X-B', '2', 'Set-Cookie', 'b=2', 'x-b', '3']);
  });

  it('trims whitespace around header values and keeps inner whitespace', () => {
    const head = parseHttpHead(bytes('GET / HTTP/1.1\r\nHost:example.com\r\nX-A: \t a  b \t\r\nX-Empty:\r\n\r\n'));
    expect(head.rawHeaders).toEqual(['Host', 'example.com', 'X-A', 'a  b', 'X-Empty', '']);
    expect(head.problems).toEqual([]);
  });

  it('keeps latin1 bytes of header values unchanged', () => {
    const raw = Buffer.concat([bytes('HTTP/1.1 200 OK\r\nX-Name: caf'), Buffer.from([0xc3, 0xa9, 0xff]), bytes('\r\n\r\n')]);
    const head = parseHttpHead(raw);
    expect(head.rawHeaders).toEqual(['X-Name', 'caf\u00c3\u00a9\u00ff']);
    expect(serializeHttpHead(head)).toEqual(raw);
  });

  it('accepts lines ending in LF alone and reports them', () => {
    const head = parseHttpHead(bytes('GET / HTTP/1.1\nHost: a\r\n\n'));
    expect(head.complete).toBe(true);
    expect(head.headLength).toBe(25);
    expect(head.rawHeaders).toEqual(['Host', 'a']);
    expect(head.problems).toEqual(['2 line(s) end with LF alone instead of CRLF']);
  });

  it('skips empty lines before the start line and reports them', () => {
    const head = parseHttpHead(bytes('\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n'));
    expect(head.complete).toBe(true);
    expect(head.request).toEqual({ method: 'GET', target: '/', version: '1.1' });
    expect(head.problems).toEqual(['2 empty line(s) before the start line']);
  });

  it('joins a folded header value with a space and reports the fold', () => {
    const head = parseHttpHead(bytes('GET / HTTP/1.1\r\nX-Long: one\r\n  two\r\n\tthree\r\n\r\n'));
    expect(head.rawHeaders).toEqual(['X-Long', 'one two three']);
    expect(head.problems).toEqual([
      'header "X-Long" is folded over several lines (obs-fold)',
      'header "X-Long" is folded over several lines (obs-fold)',
    ]);
  });

  it('ignores a header line without a colon and reports it', () => {
    const head = parseHttpHead(bytes('GET / HTTP/1.1\r\nHost: a\r\nnonsense\r\n\r\n'));
    expect(head.rawHeaders).toEqual(['Host', 'a']);
    expect(head.problems).toEqual(['header line "nonsense" has no colon and was ignored']);
  });

  it('reports whitespace between a header name and its colon', () => {
    const head = parseHttpHead(bytes('GET / HTTP/1.1\r\nHost : a\r\n\r\n'));
    expect(head.rawHeaders).toEqual(['Host', 'a']);
    expect(head.problems).toEqual(['header name "Host " has whitespace around it']);
  });

  it('reports control characters in a header value and keeps the value', () => {
    const head = parseHttpHead(bytes('GET / HTTP/1.1\r\nX-A: a\rb\x00\r\n\r\n'));
    expect(head.rawHeaders).toEqual(['X-A', 'a\rb\x00']);
    expect(head.problems).toEqual(['value of header "X-A" contains control characters']);
  });

  it('reports a request line that is not three parts and recovers the method, target and version', () => {
    const head = parseHttpHead(bytes('GET  /a b HTTP/1.1\r\n\r\n'));
    expect(head.request).toEqual({ method: 'GET', target: '/a b', version: '1.1' });
    expect(head.problems).toEqual(['request line "GET  /a b HTTP/1.1" is not "method SP target SP HTTP-version"']);
  });

  it('reports a request line without a version', () => {
    const head = parseHttpHead(bytes('GET /\r\n\r\n'));
    expect(head.request).toEqual({ method: 'GET', target: '/', version: '' });
    expect(head.problems).toEqual([
      'request line "GET /" is not "method SP target SP HTTP-version"',
      'the HTTP version is missing',
    ]);
  });

  it('reports a status line without the space before an empty reason phrase', () => {
    const head = parseHttpHead(bytes('HTTP/1.1 101\r\nUpgrade: websocket\r\n\r\n'));
    expect(head.response).toEqual({ version: '1.1', statusCode: 101, statusMessage: '' });
    expect(head.problems).toEqual(['status line "HTTP/1.1 101" has no space before the reason phrase']);
  });

  it('accepts an empty reason phrase after the space', () => {
    const head = parseHttpHead(bytes('HTTP/1.1 101 \r\n\r\n'));
    expect(head.response).toEqual({ version: '1.1', statusCode: 101, statusMessage: '' });
    expect(head.problems).toEqual([]);
  });

  it('reports a status code that is not three digits as 0', () => {
    const head = parseHttpHead(bytes('HTTP/1.1 1o1 Switching\r\n\r\n'));
    expect(head.response).toEqual({ version: '1.1', statusCode: 0, statusMessage: 'Switching' });
    expect(head.problems).toEqual(['status code "1o1" is not three digits']);
  });

  it('reports a head with no blank line within the default 64 KiB cap as too large', () => {
    const text = 'GET / HTTP/1.1\r\n' + 'X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n'.repeat(800);
    expect(text.length).toBeGreaterThan(DEFAULT_MAX_HEAD_SIZE);
    const head = parseHttpHead(bytes(text + '\r\n'));
    expect(DEFAULT_MAX_HEAD_SIZE).toBe(65536);
    expect(head.complete).toBe(false);
    expect(head.tooLarge).toBe(true);
    expect(head.problems).toEqual(['the head does not end within 65536 bytes (the size cap)']);
  });

  it('accepts a head of exactly maxHeadSize bytes and rejects one a byte longer', () => {
    const text = 'GET / HTTP/1.1\r\nHost: a\r\n\r\n';
    const exact = parseHttpHead(bytes(text), { maxHeadSize: text.length });
    expect(exact.complete).toBe(true);
    expect(exact.tooLarge).toBe(false);
    const over = parseHttpHead(bytes(text), { maxHeadSize: text.length - 1 });
    expect(over.complete).toBe(false);
    expect(over.tooLarge).toBe(true);
  });

  it('does not report a short unfinished head as too large', () => {
    const head = parseHttpHead(bytes('GET / HTTP/1.1\r\nHost: a\r\n'), { maxHeadSize: 100 });
    expect(head).toMatchObject({ complete: false, tooLarge: false, problems: [] });
  });

  it('reports nothing for an empty buffer', () => {
    expect(parseHttpHead(Buffer.alloc(0))).toEqual({ complete: false, headLength: 0, tooLarge: false, rawHeaders: [], problems: [] });
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (raw) => {
      const head = parseHttpHead(Buffer.from(raw), { maxHeadSize: 200 });
      expect(head.rawHeaders.length % 2).toBe(0);
      expect(head.headLength).toBeLessThanOrEqual(raw.length);
    }), { numRuns: 2000 });
  });

  it('never throws on HTTP-like garbage', () => {
    const piece = fc.constantFrom('GET', 'HTTP/1.1', 'HTTP/', ' ', '\t', ':', '\r', '\n', '\r\n', 'Host', '101', 'x', '\x00', '\xff');
    fc.assert(fc.property(fc.array(piece, { maxLength: 60 }), (pieces) => {
      const head = parseHttpHead(bytes(pieces.join('')));
      expect(Array.isArray(head.problems)).toBe(true);
      if (head.request || head.response) serializeHttpHead(head);
    }), { numRuns: 2000 });
  });
});

describe('serializeHttpHead', () => {
  it('writes a parsed request head back byte for byte', () => {
    expect(serializeHttpHead(parseHttpHead(bytes(REQUEST_TEXT))).toString('latin1')).toBe(REQUEST_TEXT);
  });

  it('writes a parsed response head back byte for byte', () => {
    expect(serializeHttpHead(parseHttpHead(bytes(RESPONSE_TEXT))).toString('latin1')).toBe(RESPONSE_TEXT);
  });

  it('writes edited fields with CRLF line endings', () => {
    const head = parseHttpHead(bytes(RESPONSE_TEXT));
    const edited = serializeHttpHead({
      response: { ...head.response!, statusCode: 403, statusMessage: 'Forbidden' },
      rawHeaders: ['Content-Length', '0'],
    });
    expect(edited.toString('latin1')).toBe('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
  });

  it('writes back any well-formed head it parsed exactly', () => {
    const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/);
    const value = fc.stringMatching(/^([!-~\x80-\xff]([ !-~\x80-\xff]{0,20}[!-~\x80-\xff])?)?$/);
    const version = fc.constantFrom('1.0', '1.1');
    const headers = fc.array(fc.tuple(token, value), { maxLength: 8 }).map((pairs) => pairs.flat());
    const request = fc.record({ method: token, target: fc.stringMatching(/^[!-~]{1,30}$/), version })
      .map((r) => `${r.method} ${r.target} HTTP/${r.version}\r\n`);
    const status = fc.record({ version, code: fc.integer({ min: 100, max: 599 }), message: value })
      .map((s) => `HTTP/${s.version} ${s.code} ${s.message}\r\n`);
    fc.assert(fc.property(fc.oneof(request, status), headers, (startLine, raw) => {
      let text = startLine;
      for (let i = 0; i < raw.length; i += 2) text += `${raw[i]}: ${raw[i + 1]}\r\n`;
      text += '\r\n';
      const head = parseHttpHead(bytes(text));
      expect(head.problems).toEqual([]);
      expect(head.rawHeaders).toEqual(raw);
      expect(serializeHttpHead(head).toString('latin1')).toBe(text);
    }), { numRuns: 500 });
  });

  it('refuses fields without a start line', () => {
    expect(() => serializeHttpHead({ rawHeaders: [] })).toThrow(TypeError);
  });
});

describe('headerValues', () => {
  it('returns every value of a header, matched case-insensitively, in wire order', () => {
    const raw = parseHttpHead(bytes(REQUEST_TEXT)).rawHeaders;
    expect(headerValues(raw, 'SEC-WEBSOCKET-EXTENSIONS')).toEqual(['permessage-deflate; client_max_window_bits', 'x-webkit-deflate-frame']);
    expect(headerValues(raw, 'host')).toEqual(['example.com:8080']);
    expect(headerValues(raw, 'origin')).toEqual([]);
  });
});
