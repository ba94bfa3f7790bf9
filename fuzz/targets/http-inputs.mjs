// HTTP heads for the parsers and the listeners: seeds, a dictionary and a fast-check generator. Seeds
// may hold placeholders ({{ECHO}}, {{UI}}, {{PROXY}}, {{TOKEN}}) that a socket target fills in.
import fc from 'fast-check';

const text = (s) => Buffer.from(s, 'latin1');

export const httpDictionary = [
  '\r\n', '\r\n\r\n', '\n', ' ', ':', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'GET ', 'CONNECT ', 'POST ', '%', '%E0%A4%A', '%zz', '%00',
  'http://', 'https://', 'ws://', 'http://[', '[::1]', '@', '?', '#', '/..', 'Host: ', 'Upgrade: websocket\r\n',
  'Connection: Upgrade\r\n', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n', 'Sec-WebSocket-Version: 13\r\n',
  'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n', 'Sec-WebSocket-Protocol: a, b\r\n',
  'Content-Length: ', 'Transfer-Encoding: chunked\r\n', 'Cookie: a=b; c\r\n', 'Origin: http://evil.example\r\n',
  '127.0.0.1', ':65536', ':0', '\x00', '\x7f', '\xff', '\t', ' \r\n', 'Proxy-Authorization: Basic Og==\r\n',
].map(text);

/** Heads that reach every branch of the listeners: well-formed first, then the known troublemakers. */
export function httpSeeds({ host = '127.0.0.1:{{ECHO}}' } = {}) {
  const upgrade = (target, extra = '') => `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;
  return [
    upgrade('ws://127.0.0.1:{{ECHO}}/echo'),
    upgrade('http://127.0.0.1:{{ECHO}}/echo?x=1', 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\nSec-WebSocket-Protocol: chat, superchat\r\n'),
    upgrade('/echo'),
    `GET http://127.0.0.1:{{ECHO}}/plain HTTP/1.1\r\nHost: 127.0.0.1:{{ECHO}}\r\n\r\n`,
    `CONNECT 127.0.0.1:{{ECHO}} HTTP/1.1\r\nHost: 127.0.0.1:{{ECHO}}\r\n\r\n`,
    `POST http://127.0.0.1:{{ECHO}}/ HTTP/1.1\r\nHost: 127.0.0.1:{{ECHO}}\r\nContent-Length: 5\r\n\r\nhello`,
    `GET /%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
    `GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n`,
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n`,
    `HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n`,
    `\r\n\r\nGET / HTTP/1.0\r\n\r\n`,
  ].map(text);
}

const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/);
const junk = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 24 });
const value = fc.oneof(junk, fc.constantFrom('websocket', 'Upgrade', 'keep-alive, Upgrade', '13', '8, 13', 'dGhlIHNhbXBsZSBub25jZQ==',
  'permessage-deflate; server_max_window_bits=8', 'permessage-deflate; client_max_window_bits=16', 'x; y="z', '127.0.0.1:1'));
const headerName = fc.oneof(token, fc.constantFrom('Host', 'Upgrade', 'Connection', 'Sec-WebSocket-Key', 'Sec-WebSocket-Version',
  'Sec-WebSocket-Extensions', 'Sec-WebSocket-Protocol', 'Sec-WebSocket-Accept', 'Content-Length', 'Origin', 'Cookie'));
const target = fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.webPath(), junk,
  fc.constantFrom('*', '/', 'ws://127.0.0.1:{{ECHO}}/', '127.0.0.1:{{ECHO}}', 'http://[::1]:80/', '/%', '/%E0%A4%A', 'http://['));

/** A head built from parts: a request or status line, headers (folded, bare LF, odd spacing), a body. */
export const httpHeadArbitrary = (fcLib = fc) => fcLib.record({
  first: fcLib.oneof(
    fcLib.tuple(fcLib.oneof(token, fcLib.constantFrom('GET', 'CONNECT', 'POST')), target, fcLib.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2', 'HTTP/1.1 ', ''))
      .map(([m, t, v]) => `${m} ${t} ${v}`),
    fcLib.tuple(fcLib.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/x'), fcLib.integer({ min: -1, max: 1000 }), junk).map(([v, s, r]) => `${v} ${s} ${r}`),
  ),
  headers: fcLib.array(fcLib.tuple(headerName, fcLib.constantFrom(': ', ':', ' : ', ':\t', ''), value), { maxLength: 12 }),
  eol: fcLib.constantFrom('\r\n', '\n', '\r'),
  end: fcLib.constantFrom('\r\n', '\n', '', '\r\n\r\n'),
  body: junk,
}).map(({ first, headers, eol, end, body }) => Buffer.from(`${first}${eol}${headers.map(([n, s, v]) => `${n}${s}${v}${eol}`).join('')}${end}${body}`, 'latin1'));
