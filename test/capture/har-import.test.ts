import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CapturedFrame, CapturedMessage, ConnectionRecord } from '../../src/capture/capture-model.js';
import { exportHar } from '../../src/capture/har-export.js';
import { formatHarImportProblem, frameFromJson, HarImportError, harTimeToMs, importHar } from '../../src/capture/har-import.js';
import type { HarImportResult } from '../../src/capture/har-import.js';
import { Deflater } from '../../src/protocol/deflater.js';
import { encodeClosePayload, encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import type { FrameSpec } from '../../src/protocol/frame-encoder.js';
import { frameToJson } from '../../src/protocol/frame-json.js';
import { checkUpgradeRequest, checkUpgradeResponse } from '../../src/protocol/handshake.js';
import { deflateForSender, negotiatedDeflate } from '../../src/protocol/permessage-deflate.js';
import { StreamDecoder } from '../../src/protocol/stream-decoder.js';
import { harProblems } from '../support/har-schema.js';

const fixture = (name: string): HarImportResult => importHar(readFileSync(new URL(`./fixtures/${name}.har`, import.meta.url), 'utf8'));

/** The record without checks (asserted apart, as id:ok) and with headers kept as they are. */
function withoutChecks(record: ConnectionRecord): { rest: Omit<ConnectionRecord, 'checks'>; checks: string[] } {
  const { checks, ...rest } = record;
  return { rest, checks: checks.map((c) => `${c.id}:${c.ok}`) };
}

const ALL_CHECKS_PASS = [
  'method-is-get:true', 'http-version-1-1:true', 'host-present:true', 'request-upgrade-websocket:true',
  'request-connection-upgrade:true', 'key-valid:true', 'version-13:true', 'protocols-well-formed:true',
  'extensions-well-formed:true', 'status-101:true', 'response-upgrade-websocket:true',
  'response-connection-upgrade:true', 'accept-matches:true', 'protocol-offered:true', 'extensions-offered:true',
];

function message(direction: 'send' | 'receive', time: number, opcode: number, data: Buffer | string): CapturedMessage {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return { direction, time, message: { opcode, data: bytes, truncated: false, compressed: false, size: bytes.length, frameIndexes: [], violations: [] } };
}

/** The pairs of a HAR header list, as rawHeaders. */
function raw(pairs: [string, string][]): string[] {
  return pairs.flat();
}

describe('importing other tools\' HAR files', () => {
  it('reads a Chrome DevTools export: seconds with microseconds, the handshake heads and their checks', () => {
    const result = fixture('chrome');
    expect(result.format).toBe('chrome');
    expect(result.problems).toEqual([]);
    expect(result.connections).toHaveLength(1);
    const { rest, checks } = withoutChecks(result.connections[0]!);
    expect(checks).toEqual(ALL_CHECKS_PASS);
    expect(rest).toStrictEqual({
      id: 1,
      url: 'wss://chat.example.com/socket?room=42',
      clientAddress: '',
      serverAddress: '93.184.216.34',
      startedAt: Date.UTC(2024, 4, 1, 10, 0, 0),
      state: 'closed',
      endedAt: 1714557602250,
      request: {
        method: 'GET',
        target: '/socket?room=42',
        httpVersion: '1.1',
        rawHeaders: raw([
          ['Host', 'chat.example.com'], ['Connection', 'Upgrade'], ['Pragma', 'no-cache'], ['Cache-Control', 'no-cache'],
          ['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36'],
          ['Upgrade', 'websocket'], ['Origin', 'https://chat.example.com'], ['Sec-WebSocket-Version', '13'],
          ['Accept-Encoding', 'gzip, deflate, br, zstd'], ['Accept-Language', 'en-US,en;q=0.9'],
          ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='], ['Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits'],
          ['Sec-WebSocket-Protocol', 'chat.v2, chat.v1'],
        ]),
        time: Date.UTC(2024, 4, 1, 10, 0, 0),
      },
      response: {
        statusCode: 101,
        statusMessage: 'Switching Protocols',
        httpVersion: '1.1',
        rawHeaders: raw([
          ['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Accept', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='],
          ['Sec-WebSocket-Extensions', 'permessage-deflate'], ['Sec-WebSocket-Protocol', 'chat.v2'],
        ]),
        // blocked 1.25 ms + wait 48.5 ms after the start.
        time: 1714557600049.75,
      },
      protocol: 'chat.v2',
      extensions: 'permessage-deflate',
      frames: [],
      messages: [
        message('send', 1714557600051.234, 1, '{"type":"join","room":42}'),
        message('receive', 1714557600089, 1, '{"type":"joined","users":3}'),
        message('receive', 1714557601500, 2, Buffer.from([0, 1, 2, 3, 255])),
        message('send', 1714557602250, 1, 'bye ✓'),
      ],
    });
  });

  it('reads an HTTP Toolkit export: lower-case headers, _webSocketClose with its timestamp', () => {
    const result = fixture('httptoolkit');
    expect(result.format).toBe('httptoolkit');
    expect(result.problems).toEqual([
      { entry: 0, field: '_webSocketClose.closedBy', message: 'missing; read as "server"' },
    ]);
    const { rest, checks } = withoutChecks(result.connections[0]!);
    expect(checks).toEqual(ALL_CHECKS_PASS);
    expect(rest).toStrictEqual({
      id: 1,
      url: 'wss://chat.example.com/socket',
      clientAddress: '',
      startedAt: Date.UTC(2024, 4, 1, 10, 0, 0),
      state: 'closed',
      request: {
        method: 'GET',
        target: '/socket',
        httpVersion: '1.1',
        rawHeaders: raw([
          ['host', 'chat.example.com'], ['connection', 'Upgrade'], ['upgrade', 'websocket'], ['sec-websocket-version', '13'],
          ['sec-websocket-key', 'x3JJHMbDL1EzLkh9GBhXDw=='], ['sec-websocket-extensions', 'permessage-deflate; client_max_window_bits'],
          ['user-agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36'],
        ]),
        time: Date.UTC(2024, 4, 1, 10, 0, 0),
      },
      response: {
        statusCode: 101,
        statusMessage: 'Switching Protocols',
        httpVersion: '1.1',
        rawHeaders: raw([['upgrade', 'websocket'], ['connection', 'Upgrade'], ['sec-websocket-accept', 'HSmrc0sMlYUkAGmm5OPpG2HaGWk=']]),
        // send 0.8 ms + wait 11.5 ms after the start.
        time: Date.UTC(2024, 4, 1, 10, 0, 0) + (0.8 + 11.5),
      },
      frames: [],
      messages: [
        message('send', 1714557600020.5, 1, 'hello'),
        message('receive', 1714557600021.3, 1, 'hello'),
        message('receive', 1714557603500, 2, Buffer.from('binary\0data', 'latin1')),
      ],
      close: { code: 1000, reason: 'done', closedBy: 'server' },
      endedAt: 1714557605012.3,
    });
  });

  it('reads a mitmproxy savehar export: https:// and http:// become wss:// and ws://, a refused upgrade is a failed connection', () => {
    const result = fixture('mitmproxy');
    expect(result.format).toBe('mitmproxy');
    expect(result.problems).toEqual([]);
    // The third entry (a favicon) is not a WebSocket and is skipped without a problem.
    expect(result.connections).toHaveLength(2);
    const open = withoutChecks(result.connections[0]!);
    expect(open.checks).toEqual(ALL_CHECKS_PASS);
    const startedAt = Date.UTC(2024, 4, 1, 10, 0, 0, 123);
    expect(open.rest).toStrictEqual({
      id: 1,
      url: 'wss://chat.example.com/socket?room=42',
      clientAddress: '',
      serverAddress: '93.184.216.34',
      startedAt,
      state: 'closed',
      endedAt: 1714557600375,
      request: {
        method: 'GET',
        target: '/socket?room=42',
        httpVersion: '1.1',
        rawHeaders: raw([
          ['Host', 'chat.example.com'], ['Connection', 'Upgrade'], ['Upgrade', 'websocket'], ['Sec-WebSocket-Version', '13'],
          ['Sec-WebSocket-Key', 'AQIDBAUGBwgJCgsMDQ4PEA=='],
        ]),
        time: startedAt,
      },
      response: {
        statusCode: 101,
        statusMessage: 'Switching Protocols',
        httpVersion: '1.1',
        rawHeaders: raw([['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Accept', 'C/0nmHhBztSRGR1CwL6Tf4ZjwpY=']]),
        // connect 12.5 + send 0.2 + wait 30.4 ms; HAR counts ssl inside connect, so it is not added again.
        time: startedAt + (12.5 + 0.2 + 30.4),
      },
      frames: [],
      messages: [
        message('send', 1714557600250, 1, 'ping?'),
        message('receive', 1714557600375, 2, Buffer.from([0, 1, 2, 3, 255])),
      ],
    });
    const refused = withoutChecks(result.connections[1]!);
    expect(refused.checks).toEqual([...ALL_CHECKS_PASS.slice(0, 9), 'status-101:false']);
    expect(refused.rest).toStrictEqual({
      id: 2,
      url: 'ws://chat.example.com/admin-socket',
      clientAddress: '',
      serverAddress: '93.184.216.34',
      startedAt: Date.UTC(2024, 4, 1, 10, 0, 1),
      state: 'failed',
      endedAt: Date.UTC(2024, 4, 1, 10, 0, 1),
      request: {
        method: 'GET',
        target: '/admin-socket',
        httpVersion: '1.1',
        rawHeaders: raw([
          ['Host', 'chat.example.com'], ['Connection', 'Upgrade'], ['Upgrade', 'websocket'], ['Sec-WebSocket-Version', '13'],
          ['Sec-WebSocket-Key', 'E4WSEcseoWr4csPLS2QJHA=='],
        ]),
        time: Date.UTC(2024, 4, 1, 10, 0, 1),
      },
      response: {
        statusCode: 403,
        statusMessage: 'Forbidden',
        httpVersion: '1.1',
        rawHeaders: raw([['Content-Type', 'text/plain'], ['Content-Length', '9']]),
        body: Buffer.from('forbidden'),
        time: Date.UTC(2024, 4, 1, 10, 0, 1) + (0.5 + 19),
      },
      error: 'the server answered the handshake with 403 Forbidden',
      frames: [],
      messages: [],
    });
  });

  it('reads a Playwright recordHar export: message times in milliseconds, a refused socket with status -1', () => {
    const result = fixture('playwright');
    expect(result.format).toBe('playwright');
    expect(result.problems).toEqual([]);
    expect(result.connections).toHaveLength(2);
    const open = withoutChecks(result.connections[0]!);
    expect(open.checks).toEqual(ALL_CHECKS_PASS);
    const startedAt = Date.UTC(2024, 4, 1, 10, 0, 0);
    expect(open.rest).toStrictEqual({
      id: 1,
      url: 'ws://localhost:8080/ws?token=abc',
      clientAddress: '',
      startedAt,
      state: 'closed',
      endedAt: 1714557602500,
      request: {
        method: 'GET',
        target: '/ws?token=abc',
        httpVersion: '1.1',
        rawHeaders: raw([
          ['Accept-Encoding', 'gzip, deflate, br, zstd'], ['Cache-Control', 'no-cache'], ['Connection', 'Upgrade'],
          ['Host', 'localhost:8080'], ['Origin', 'http://localhost:8080'], ['Pragma', 'no-cache'],
          ['Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits'], ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
          ['Sec-WebSocket-Version', '13'], ['Upgrade', 'websocket'],
          ['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/141.0.7390.37 Safari/537.36'],
        ]),
        time: startedAt,
      },
      response: {
        statusCode: 101,
        statusMessage: 'Switching Protocols',
        httpVersion: '1.1',
        rawHeaders: raw([['Connection', 'Upgrade'], ['Sec-WebSocket-Accept', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='], ['Upgrade', 'websocket']]),
        // Playwright writes no timings for WebSockets (-1): the answer is dated at the start.
        time: startedAt,
      },
      frames: [],
      messages: [
        message('send', 1714557600105.123, 1, '{"op":"subscribe","topic":"prices"}'),
        message('receive', 1714557600140, 1, '{"op":"ack"}'),
        message('receive', 1714557602500, 2, Buffer.from([0xde, 0xad, 0xbe, 0xef])),
      ],
    });
    expect(result.connections[1]).toStrictEqual({
      id: 2,
      url: 'ws://localhost:9999/ws',
      clientAddress: '',
      startedAt: Date.UTC(2024, 4, 1, 10, 0, 5),
      state: 'failed',
      endedAt: Date.UTC(2024, 4, 1, 10, 0, 5),
      request: { method: 'GET', target: '/ws', httpVersion: '1.1', rawHeaders: [], time: Date.UTC(2024, 4, 1, 10, 0, 5) },
      // No headers were recorded, so there is nothing to check.
      checks: [],
      error: 'net::ERR_CONNECTION_REFUSED',
      frames: [],
      messages: [],
    });
  });
});

// --- A HAR built by hand around one WebSocket entry ------------------------------------------------------

const STARTED = '2024-05-01T10:00:00.000Z';
const STARTED_MS = Date.UTC(2024, 4, 1, 10, 0, 0);

function wsEntry(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    startedDateTime: STARTED,
    time: 10,
    request: {
      method: 'GET', url: 'ws://example.test/feed', httpVersion: 'HTTP/1.1', cookies: [], queryString: [], headersSize: -1, bodySize: 0,
      headers: [{ name: 'Host', value: 'example.test' }, { name: 'Upgrade', value: 'websocket' }],
    },
    response: {
      status: 101, statusText: 'Switching Protocols', httpVersion: 'HTTP/1.1', cookies: [], redirectURL: '', headersSize: -1, bodySize: 0,
      headers: [{ name: 'Upgrade', value: 'websocket' }], content: { size: 0, mimeType: '' },
    },
    cache: {},
    timings: { send: 0, wait: 10, receive: 0 },
    _resourceType: 'websocket',
    _webSocketMessages: [],
    ...fields,
  };
}

function har(entries: unknown[]): string {
  return JSON.stringify({ log: { version: '1.2', creator: { name: 'hand', version: '1' }, pages: [], entries } }, null, 2);
}

describe('importing broken HAR files', () => {
  it('throws a HarImportError for text that is not JSON', () => {
    expect(() => importHar('<html>not a HAR</html>')).toThrow(HarImportError);
    expect(() => importHar('<html>not a HAR</html>')).toThrow(/^not JSON: /);
  });

  it('throws a HarImportError for JSON without a log object', () => {
    expect(() => importHar('{"entries": []}')).toThrow(new HarImportError('no "log" object: this is not a HAR file'));
  });

  it('throws a HarImportError for a log without an entries array', () => {
    expect(() => importHar('{"log": {"version": "1.2", "entries": {}}}')).toThrow(new HarImportError('"log.entries" is not an array: this is not a HAR file'));
  });

  it('skips a message whose data is not a string and keeps the others', () => {
    const result = importHar(har([{ request: { url: 'https://example.test/' } }, wsEntry({
      _webSocketMessages: [
        { type: 'send', time: 1714557600.5, opcode: 1, data: 'first' },
        { type: 'receive', time: 1714557600.6, opcode: 1, data: 42 },
        { type: 'receive', time: 1714557600.7, opcode: 1, data: 'third' },
      ],
    })]));
    expect(result.problems).toEqual([{ entry: 1, field: '_webSocketMessages[1].data', message: 'not a string; message skipped' }]);
    expect(formatHarImportProblem(result.problems[0]!)).toBe('entry 1, field "_webSocketMessages[1].data": not a string; message skipped');
    expect(result.connections[0]!.messages).toEqual([
      message('send', 1714557600500, 1, 'first'),
      message('receive', 1714557600700, 1, 'third'),
    ]);
  });

  it('keeps a message with a bad time at the time of the message before it', () => {
    const result = importHar(har([wsEntry({
      _webSocketMessages: [
        { type: 'send', time: 1714557600.5, opcode: 1, data: 'first' },
        { type: 'receive', time: 'soon', opcode: 1, data: 'second' },
      ],
    })]));
    expect(result.problems).toEqual([{ entry: 0, field: '_webSocketMessages[1].time', message: '"soon" is not a time; the message takes the time of the one before it' }]);
    expect(result.connections[0]!.messages).toEqual([
      message('send', 1714557600500, 1, 'first'),
      message('receive', 1714557600500, 1, 'second'),
    ]);
  });

  it('dates a first message with a bad time at the start of the connection', () => {
    const result = importHar(har([wsEntry({ _webSocketMessages: [{ type: 'send', time: -1, opcode: 1, data: 'x' }] })]));
    expect(result.problems).toEqual([{ entry: 0, field: '_webSocketMessages[0].time', message: '-1 is not a time; the message takes the time of the one before it' }]);
    expect(result.connections[0]!.messages[0]!.time).toBe(STARTED_MS);
  });

  it('starts a connection whose startedDateTime is not a date at its first message', () => {
    const result = importHar(har([wsEntry({ startedDateTime: 'yesterday', _webSocketMessages: [{ type: 'send', time: 1714557600.5, opcode: 1, data: 'x' }] })]));
    expect(result.problems).toEqual([{
      entry: 0, field: 'startedDateTime', message: '"yesterday" is not an ISO date; the connection starts at its first message (2024-05-01T10:00:00.500Z)',
    }]);
    expect(result.connections[0]!.startedAt).toBe(1714557600500);
  });

  it('skips a binary message whose data is not base64', () => {
    const result = importHar(har([wsEntry({
      _webSocketMessages: [
        { type: 'receive', time: 1714557600.5, opcode: 2, data: 'not base64!' },
        { type: 'receive', time: 1714557600.6, opcode: 2, data: 'AAEC' },
      ],
    })]));
    expect(result.problems).toEqual([{ entry: 0, field: '_webSocketMessages[0].data', message: 'not valid base64 for a binary message; message skipped' }]);
    expect(result.connections[0]!.messages).toEqual([message('receive', 1714557600600, 2, Buffer.from([0, 1, 2]))]);
  });

  it('reads a message with a missing opcode as text', () => {
    const result = importHar(har([wsEntry({ _webSocketMessages: [{ type: 'send', time: 1714557600.5, data: 'no opcode' }] })]));
    expect(result.problems).toEqual([{ entry: 0, field: '_webSocketMessages[0].opcode', message: 'missing; read as text' }]);
    expect(result.connections[0]!.messages).toEqual([message('send', 1714557600500, 1, 'no opcode')]);
  });

  it('skips a message with an unknown direction and a control-frame opcode', () => {
    const result = importHar(har([wsEntry({
      _webSocketMessages: [
        { type: 'sideways', time: 1714557600.5, opcode: 1, data: 'a' },
        { type: 'receive', time: 1714557600.5, opcode: 9, data: 'ping' },
      ],
    })]));
    expect(result.problems).toEqual([
      { entry: 0, field: '_webSocketMessages[0].type', message: '"sideways" is not "send" or "receive"; message skipped' },
      { entry: 0, field: '_webSocketMessages[1].opcode', message: '9 is a control frame, not a data message; skipped' },
    ]);
    expect(result.connections[0]!.messages).toEqual([]);
  });

  it('records the error that Chrome lists among the messages as the connection error', () => {
    const result = importHar(har([wsEntry({ _webSocketMessages: [{ type: 'error', time: 1714557600.5, opcode: -1, data: 'Invalid frame header' }] })]));
    expect(result.problems).toEqual([{ entry: 0, field: '_webSocketMessages[0].type', message: 'an error the browser recorded, not a message: "Invalid frame header"; skipped' }]);
    expect(result.connections[0]!.error).toBe('Invalid frame header');
  });

  it('skips an entry that is not an object and one without a URL, and numbers the others from 1', () => {
    const result = importHar(har(['garbage', wsEntry({ request: { method: 'GET' } }), wsEntry()]));
    expect(result.problems).toEqual([
      { entry: 0, field: '', message: 'not an object; entry skipped' },
      { entry: 1, field: 'request.url', message: 'missing; entry skipped' },
    ]);
    expect(result.connections.map((c) => [c.id, c.url])).toEqual([[1, 'ws://example.test/feed']]);
  });

  it('reads status 0 as a handshake without an answer: no response, state failed', () => {
    const result = importHar(har([wsEntry({
      response: { status: 0, statusText: '', httpVersion: '', headers: [], cookies: [], content: { size: 0, mimeType: '' }, redirectURL: '', headersSize: -1, bodySize: -1 },
      _error: 'connect ECONNREFUSED 127.0.0.1:9',
    })]));
    expect(result.problems).toEqual([]);
    const c = result.connections[0]!;
    expect([c.response, c.state, c.error]).toEqual([undefined, 'failed', 'connect ECONNREFUSED 127.0.0.1:9']);
  });

  it('reads a missing response as a handshake without an answer and says so', () => {
    const entry = wsEntry();
    delete entry.response;
    const result = importHar(har([entry]));
    expect(result.problems).toEqual([{ entry: 0, field: 'response', message: 'missing; the handshake has no answer' }]);
    expect([result.connections[0]!.response, result.connections[0]!.state]).toEqual([undefined, 'failed']);
  });

  it('leaves messages unlinked when the frames do not carry them', () => {
    const result = importHar(har([wsEntry({
      _webSocketMessages: [{ type: 'send', time: 1714557600.5, opcode: 1, data: 'hi' }],
      _webSocketFrames: [{ type: 'send', time: 1714557600.5, fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 2, masked: false, payloadLength: 2 }],
    })]));
    expect(result.problems).toEqual([{
      entry: 0, field: '_webSocketFrames',
      message: 'the send frames carry 1 data messages but _webSocketMessages has 1 send messages (or their opcodes differ); messages are not linked to frames',
    }]);
    expect(result.connections[0]!.messages[0]!.message.frameIndexes).toEqual([]);
    expect(result.connections[0]!.frames[0]!.frame.payload).toEqual(Buffer.alloc(0));
  });

  it('skips a frame without an opcode and reads a bad bit as false', () => {
    const result = importHar(har([wsEntry({
      _webSocketFrames: [
        { type: 'send', time: 1714557600.5, fin: true, rsv1: false, rsv2: false, rsv3: false, masked: false, payloadLength: 0 },
        { type: 'receive', time: 1714557600.6, fin: 'yes', rsv1: false, rsv2: false, rsv3: false, opcode: 10, masked: false, payloadLength: 0 },
      ],
    })]));
    expect(result.problems).toEqual([
      { entry: 0, field: '_webSocketFrames[0].opcode', message: 'missing; frame skipped' },
      { entry: 0, field: '_webSocketFrames[1].fin', message: '"yes" is not true or false; read as false' },
    ]);
    expect(result.connections[0]!.frames.map((f) => [f.direction, f.frame.opcode, f.frame.fin])).toEqual([['receive', 10, false]]);
  });

  it('imports what a HAR cut off in the middle of a message list holds, naming the entry and the field', () => {
    const text = har([
      wsEntry({ _webSocketMessages: [{ type: 'send', time: 1714557600.5, opcode: 1, data: 'one' }] }),
      wsEntry({
        _webSocketMessages: [
          { type: 'send', time: 1714557601.5, opcode: 1, data: 'two' },
          { type: 'receive', time: 1714557601.6, opcode: 1, data: 'three' },
          { type: 'receive', time: 1714557601.7, opcode: 1, data: 'cut here' },
        ],
      }),
    ]);
    const result = importHar(text.slice(0, text.indexOf('cut here') + 3));
    expect(result.problems).toHaveLength(2);
    // The last message breaks off after its opcode: it is read without its data and skipped.
    expect(result.problems[0]).toMatchObject({ entry: 1, field: '_webSocketMessages[2]' });
    expect(result.problems[0]!.message).toMatch(/^the file breaks off here \(.+\); this entry is imported as far as it goes$/);
    expect(result.problems[1]).toEqual({ entry: 1, field: '_webSocketMessages[2].data', message: 'not a string; message skipped' });
    expect(result.connections.map((c) => c.messages.map((m) => m.message.data.toString()))).toEqual([['one'], ['two', 'three']]);
  });

  it('imports the entries before the break of a HAR cut off between entries', () => {
    const text = har([wsEntry(), wsEntry()]);
    const secondEntry = text.indexOf('"startedDateTime"', text.indexOf('"startedDateTime"') + 1);
    const result = importHar(text.slice(0, secondEntry));
    expect(result.connections.map((c) => c.url)).toEqual(['ws://example.test/feed']);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ entry: -1, field: 'log.entries' });
    expect(formatHarImportProblem(result.problems[0]!)).toMatch(/^file, field "log\.entries": the file breaks off after character \d+ \(.+\); what came before is imported$/);
  });

  it('throws for a HAR cut off before any complete value', () => {
    expect(() => importHar('{"log": {"entries": [')).toThrow(HarImportError);
  });
});

describe('time and frame fields', () => {
  it('turns the seconds the exporter writes (t / 1000) back into t, fractions of milliseconds included', () => {
    for (const t of [1714557600000, 1714557600089, 1714557600051.234, 1714557605012.3, 1700000000000.125, 1799999999999.999]) {
      expect(harTimeToMs(t / 1000)).toBe(t);
    }
  });

  it('turns seconds that no t / 1000 gives into the nearest milliseconds', () => {
    // Chrome writes microseconds; 1714557600.051234 lies between two values that t / 1000 can give.
    expect(harTimeToMs(1714557600.051234)).toBe(1714557600.051234 * 1000);
  });

  it('keeps times above 1e11 as milliseconds (Playwright)', () => {
    expect(harTimeToMs(1714557600105.123)).toBe(1714557600105.123);
  });

  it('reads back every field frameToJson writes', () => {
    const fields = frameToJson({
      fin: false, rsv1: true, rsv2: false, rsv3: true, opcode: 8, masked: true, maskKey: Buffer.from('a1b2c3d4', 'hex'),
      payloadLength: 7, closeCode: 4000, closeReason: 'gone', violations: ['rsv1-on-control-frame', 'fragmented-control-frame'],
    }, { type: 'send', time: 1714557600.5 });
    const problems: string[] = [];
    expect(frameFromJson(JSON.parse(JSON.stringify(fields)), (f, m) => problems.push(`${f}: ${m}`))).toStrictEqual(fields);
    expect(problems).toEqual([]);
  });
});

// --- The round trip: a session decoded from real wire bytes, exported, imported, exported ---------------

const T0 = Date.UTC(2024, 4, 1, 10, 0, 0);
const CLIENT_KEY = Buffer.from('5f1e2d3c', 'hex');
const SERVER_MASK = Buffer.from('0badf00d', 'hex');
const DEFLATE = negotiatedDeflate('permessage-deflate').params!;

/** One frame on the wire, and what a HAR cannot give back about it. */
interface WireStep {
  /** Who sends it. */
  from: 'client' | 'server';
  /** The frame. */
  spec: FrameSpec;
  /** Its payload is not in the HAR (compressed bytes, a ping payload, a truncated or invalid message). */
  payloadLost?: true;
  /** The proxy's flags on it. */
  flags?: Pick<CapturedFrame, 'injected' | 'edited' | 'dropped'>;
}

/** Decodes the steps with one decoder per direction (as the relay does) into frames and messages, 1 ms apart. */
function decodeSession(steps: WireStep[], start: number): { frames: CapturedFrame[]; messages: CapturedMessage[]; payloadLost: boolean[] } {
  const frames: CapturedFrame[] = [];
  const messages: CapturedMessage[] = [];
  let clock = start;
  const decoder = (from: 'client' | 'server', maxMessageSize: number) => {
    const direction = from === 'client' ? 'send' : 'receive';
    return new StreamDecoder({ from, deflate: DEFLATE, maxMessageSize }, {
      onFrame: (frame) => frames.push({ direction, time: clock++, frame }),
      onMessage: (m) => messages.push({ direction, time: clock++, message: m }),
    });
  };
  const decoders = { client: decoder('client', 1024), server: decoder('server', 64) };
  const payloadLost: boolean[] = [];
  for (const step of steps) {
    decoders[step.from].push(encodeFrameBytes(step.spec));
    Object.assign(frames.at(-1)!, step.flags);
    payloadLost.push(step.payloadLost ?? false);
  }
  decoders.client.end();
  decoders.server.end();
  return { frames, messages, payloadLost };
}

function compressor(from: 'client' | 'server'): Deflater {
  return new Deflater(deflateForSender(DEFLATE, from));
}

/** Text, binary, fragmented and compressed messages both ways, control frames, violations and flags. */
function richSteps(): WireStep[] {
  const client = (spec: FrameSpec, extra: Partial<WireStep> = {}): WireStep => ({ from: 'client', spec: { mask: CLIENT_KEY, ...spec }, ...extra });
  const server = (spec: FrameSpec, extra: Partial<WireStep> = {}): WireStep => ({ from: 'server', spec, ...extra });
  const serverCompressed = compressor('server').compress(Buffer.from('compressed reply reply reply'));
  const half = Math.floor(serverCompressed.length / 2);
  return [
    client({ opcode: 1, payload: 'hello' }, { flags: { injected: true } }),
    server({ opcode: 1, payload: 'welcome' }),
    client({ opcode: 1, rsv1: true, payload: compressor('client').compress(Buffer.from('compressed hello hello hello hello')) }, { payloadLost: true }),
    server({ opcode: 2, payload: Buffer.from([0, 1, 2, 255]) }),
    client({ opcode: 2, fin: false, payload: Buffer.from([1, 2, 3]) }),
    client({ opcode: 9, payload: 'p' }, { payloadLost: true, flags: { dropped: true } }),
    client({ opcode: 0, fin: false, payload: Buffer.from([4, 5]) }, { flags: { edited: true } }),
    client({ opcode: 0, payload: Buffer.from([6]) }),
    server({ opcode: 1, fin: false, rsv1: true, payload: serverCompressed.subarray(0, half) }, { payloadLost: true }),
    server({ opcode: 0, payload: serverCompressed.subarray(half) }, { payloadLost: true }),
    server({ opcode: 1, mask: SERVER_MASK, payload: 'masked!' }),
    server({ opcode: 1, lengthForm: 16, payload: 'short' }),
    server({ opcode: 1, payload: Buffer.from([0x68, 0xff]) }, { payloadLost: true }),
    server({ opcode: 2, payload: Buffer.alloc(100, 7) }, { payloadLost: true }),
    server({ opcode: 3, payload: 'x' }, { payloadLost: true }),
    server({ opcode: 10 }),
    server({ opcode: 1, fin: false, payload: 'left ' }),
    server({ opcode: 1, payload: 'interleaved' }),
    client({ opcode: 1, fin: false, payload: 'never finished' }),
    client({ opcode: 8, payload: encodeClosePayload(1000, 'bye') }),
    server({ opcode: 8, payload: encodeClosePayload(1000) }),
  ];
}

function handshake(path: string, protocolOffer: string): { request: ConnectionRecord['request']; response: NonNullable<ConnectionRecord['response']>; checks: ConnectionRecord['checks'] } {
  const request = {
    method: 'GET', target: path, httpVersion: '1.1', time: 0,
    rawHeaders: raw([
      ['Host', '127.0.0.1:9001'], ['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
      ['Sec-WebSocket-Version', '13'], ['Sec-WebSocket-Protocol', protocolOffer], ['Sec-WebSocket-Extensions', 'permessage-deflate'],
    ]),
  };
  const response = {
    statusCode: 101, statusMessage: 'Switching Protocols', httpVersion: '1.1', time: 0,
    rawHeaders: raw([
      ['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Accept', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='],
      ['Sec-WebSocket-Protocol', 'chat'], ['Sec-WebSocket-Extensions', 'permessage-deflate'],
    ]),
  };
  const hs = { method: request.method, url: request.target, httpVersion: request.httpVersion, rawHeaders: request.rawHeaders };
  const checks = [...checkUpgradeRequest(hs).checks, ...checkUpgradeResponse(hs, response).checks].map((c) => ({ ...c }));
  return { request, response, checks };
}

function buildSession(): { connections: ConnectionRecord[]; payloadLost: boolean[] } {
  const closed = decodeSession(richSteps(), T0 + 10);
  const first = handshake('ws://127.0.0.1:9001/chat?room=7', 'chat, superchat');
  const live = decodeSession([{ from: 'server', spec: { opcode: 1, payload: 'still open' } }], T0 + 1010);
  const second = handshake('/live', 'chat');
  const connections: ConnectionRecord[] = [
    {
      id: 1, url: 'ws://127.0.0.1:9001/chat?room=7', clientAddress: '127.0.0.1:50123', serverAddress: '127.0.0.1:9001',
      startedAt: T0, state: 'closed',
      request: { ...first.request, time: T0 + 1 }, response: { ...first.response, time: T0 + 5 }, checks: first.checks,
      protocol: 'chat', extensions: 'permessage-deflate',
      frames: closed.frames, messages: closed.messages,
      close: { code: 1000, reason: 'bye', closedBy: 'client' }, endedAt: T0 + 100,
    },
    {
      id: 2, url: 'wss://localhost:8443/live', clientAddress: '[::1]:50200', serverAddress: '[::1]:8443',
      startedAt: T0 + 1000, state: 'open',
      request: { ...second.request, time: T0 + 1001 }, response: { ...second.response, time: T0 + 1009 }, checks: second.checks,
      protocol: 'chat', extensions: 'permessage-deflate',
      tls: { verified: false, error: 'DEPTH_ZERO_SELF_SIGNED_CERT', insecure: true },
      frames: live.frames, messages: live.messages,
    },
    {
      id: 3, url: 'ws://127.0.0.1:9/gone', clientAddress: '127.0.0.1:50300', startedAt: T0 + 2000, state: 'failed',
      request: { method: 'GET', target: '/gone', httpVersion: '1.1', rawHeaders: raw([['Host', '127.0.0.1:9']]), time: T0 + 2000 },
      checks: checkUpgradeRequest({ method: 'GET', url: '/gone', httpVersion: '1.1', rawHeaders: raw([['Host', '127.0.0.1:9']]) }).checks.map((c) => ({ ...c })),
      error: 'connect ECONNREFUSED 127.0.0.1:9', frames: [], messages: [], endedAt: T0 + 2005,
    },
    {
      id: 4, url: 'ws://127.0.0.1:9001/login-first', clientAddress: '127.0.0.1:50400', serverAddress: '127.0.0.1:9001',
      startedAt: T0 + 3000, state: 'failed',
      request: { method: 'GET', target: '/login-first', httpVersion: '1.1', rawHeaders: raw([['Host', '127.0.0.1:9001'], ['Upgrade', 'websocket']]), time: T0 + 3000 },
      response: {
        statusCode: 302, statusMessage: 'Found', httpVersion: '1.1', time: T0 + 3007, body: Buffer.from([0xff, 0x00, 0x01]),
        rawHeaders: raw([['Location', '/login'], ['Content-Type', 'application/octet-stream'], ['Content-Length', '3']]),
      },
      checks: [], error: 'the server answered the handshake with 302 Found', frames: [], messages: [], endedAt: T0 + 3010,
    },
  ];
  return { connections, payloadLost: closed.payloadLost };
}

describe('the export -> import -> export round trip', () => {
  it('gives back the same HAR for a session with every kind of message, frame detail, close, violations and flags', () => {
    const { connections } = buildSession();
    const exported = exportHar(connections);
    expect(harProblems(exported)).toEqual([]);
    const result = importHar(JSON.stringify(exported));
    expect(result.format).toBe('framescope');
    expect(result.problems).toEqual([]);
    expect(exportHar(result.connections)).toStrictEqual(exported);
  });

  it('covers what it claims: the first connection has fragmented, compressed, truncated, unfinished and flagged traffic with violations', () => {
    const { connections } = buildSession();
    const messages = connections[0]!.messages.map((m) => m.message);
    expect(messages.some((m) => m.frameIndexes.length > 1 && !m.compressed)).toBe(true);
    expect(messages.some((m) => m.frameIndexes.length > 1 && m.compressed)).toBe(true);
    expect(messages.some((m) => m.truncated)).toBe(true);
    const violations = connections[0]!.frames.flatMap((f) => f.frame.violations);
    expect(violations).toEqual([
      'masked-server-frame', 'non-minimal-length', 'invalid-utf8', 'message-too-large', 'reserved-opcode', 'interleaved-data-frame', 'unfinished-message',
    ]);
    expect(messages.filter((m) => m.violations.includes('unfinished-message'))).toHaveLength(2);
    expect(connections[0]!.frames.filter((f) => f.injected || f.edited || f.dropped)).toHaveLength(3);
  });

  it('restores the records except what the HAR does not carry', () => {
    const { connections, payloadLost } = buildSession();
    const imported = importHar(JSON.stringify(exportHar(connections))).connections;
    const [closed, live, failed, refused] = connections;

    // Frames: every field, and the payload wherever the HAR determines it.
    expect(imported[0]!.frames).toHaveLength(closed!.frames.length);
    imported[0]!.frames.forEach((f, i) => {
      const original = closed!.frames[i]!;
      const expected = payloadLost[i] ? { ...original.frame, payload: Buffer.alloc(0), truncated: true } : original.frame;
      expect({ ...f, frame: { ...f.frame } }, `frame ${i}`).toEqual({ ...original, frame: expected });
    });

    // Messages: all of it but the bytes of the text that was not UTF-8 (the exporter wrote U+FFFD).
    const notUtf8 = closed!.messages.findIndex((m) => m.message.violations.includes('invalid-utf8'));
    expect(imported[0]!.messages).toEqual(closed!.messages.map((m, i) => i !== notUtf8 ? m : {
      ...m, message: { ...m.message, data: Buffer.from('h\uFFFD'), size: 4 },
    }));

    // The request's own time is not in the HAR once the connection has ended: the start stands for it.
    expect({ ...imported[0]!, frames: [], messages: [] }).toEqual({
      ...closed!, frames: [], messages: [], request: { ...closed!.request, time: T0 }, response: { ...closed!.response!, time: T0 + 4 },
    });
    expect(imported[1]).toEqual(live);
    expect(imported[2]).toEqual(failed);
    expect(imported[3]).toEqual(refused);
  });
});
