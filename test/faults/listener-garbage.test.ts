// Garbage on every listener of a real `framescope ui` process: the proxy port, a CONNECT tunnel
// inside it, a TLS-intercepted tunnel, and the UI/control port. Each input gets its exact answer (or
// a close), and afterwards the same process still relays a WebSocket echo and answers its API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { startUiProcess } from '../support/cli.js';
import { rawExchange, statusLine } from '../support/raw-http.js';
import { startWsServer, wsViaAbsoluteForm, opened, nextMessage } from '../support/peers.js';
import { ControlClient } from '../support/engine.js';

/** Bytes a generator with a fixed seed makes (the same every run); the first is never an HTTP token character. */
function randomBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  bytes[0] = 0x00;
  return bytes;
}

/** The ClientHello a real TLS client sends first. */
async function clientHello(): Promise<Buffer> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const [, first] = await Promise.all([
    new Promise<void>((resolve) => {
      const client = tls.connect({ host: '127.0.0.1', port, servername: 'example.com' });
      client.on('error', () => resolve());
      client.on('close', () => resolve());
    }),
    new Promise<Buffer>((resolve) => server.once('connection', (socket) => socket.once('data', (d: Buffer) => {
      resolve(d);
      socket.destroy();
    }))),
  ]);
  server.close();
  return first;
}

const H2_PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
const HUGE_REQUEST_LINE = `GET /${'a'.repeat(1024 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`;
const MANY_HEADERS = `GET / HTTP/1.1\r\nHost: x\r\n${'X-Flood: y\r\n'.repeat(10_000)}\r\n`;

describe('garbage on every listener of a running engine', () => {
  let home: string;
  let engine: { child: ChildProcess; proxyPort: number; uiPort: number; token: string; output: () => string };
  let hello: Buffer;
  /** Watches the engine's error records from the start. */
  let api: ControlClient;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'framescope-faults-'));
    hello = await clientHello();
    engine = await startUiProcess([], { ...process.env, FRAMESCOPE_HOME: home });
    api = await ControlClient.connect(`ws://127.0.0.1:${engine.uiPort}/control?token=${engine.token}`);
  });
  afterAll(() => {
    api?.close();
    engine?.child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  const proxyCases: [string, () => Buffer | string, string][] = [
    ['random bytes', () => randomBytes(4096, 7), 'HTTP/1.1 400 Bad Request'],
    ['a TLS ClientHello on the plain port', () => hello, 'HTTP/1.1 400 Bad Request'],
    ['the HTTP/2 preface', () => H2_PREFACE, 'HTTP/1.1 505 HTTP Version Not Supported'],
    ['a 1 MB request line', () => HUGE_REQUEST_LINE, 'HTTP/1.1 414 URI Too Long'],
    ['10,000 headers', () => MANY_HEADERS, 'HTTP/1.1 431 Request Header Fields Too Large'],
    ['an absolute-form URL that does not parse', () => 'GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n', 'HTTP/1.1 400 Bad Request'],
    ['a WebSocket upgrade to a URL that does not parse', () => 'GET ws://[/ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n', 'HTTP/1.1 400 Bad Request'],
    ['a malformed percent-escape', () => 'GET /%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n', 'HTTP/1.1 400 Bad Request'],
    ['CONNECT to an authority that is no host:port', () => 'CONNECT [::1 HTTP/1.1\r\nHost: x\r\n\r\n', 'HTTP/1.1 400 Bad Request'],
    ['an unknown HTTP version', () => 'GET http://example.com/ HTTP/3.7\r\nHost: x\r\n\r\n', 'HTTP/1.1 505 HTTP Version Not Supported'],
  ];

  for (const [name, input, expected] of proxyCases) {
    it(`answers ${name} on the proxy port with "${expected}" and closes`, async () => {
      const { answer, closed } = await rawExchange(engine.proxyPort, input());
      expect(statusLine(answer)).toBe(expected);
      expect(closed).toBe(true);
    });
  }

  it('answers garbage inside a plain CONNECT tunnel with 400 and closes the tunnel', async () => {
    const { answer, closed } = await rawExchange(engine.proxyPort, ['CONNECT 127.0.0.1:9 HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n', 'GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n']);
    expect(answer.toString('latin1')).toMatch(/^HTTP\/1\.1 200 Connection Established\r\n\r\nHTTP\/1\.1 400 Bad Request\r\n/);
    expect(closed).toBe(true);
  });

  it('answers a 64 KiB request line inside an intercepted TLS tunnel with 414 over TLS and closes it', async () => {
    const socket = net.connect({ host: '127.0.0.1', port: engine.proxyPort });
    await once(socket, 'connect');
    socket.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    const [established] = (await once(socket, 'data')) as [Buffer];
    expect(established.toString('latin1')).toBe('HTTP/1.1 200 Connection Established\r\n\r\n');
    const secure = tls.connect({ socket, servername: 'example.com', rejectUnauthorized: false });
    await once(secure, 'secureConnect');
    secure.write(`GET /${'b'.repeat(64 * 1024)} HTTP/1.1\r\nHost: example.com\r\n\r\n`);
    const chunks: Buffer[] = [];
    secure.on('data', (d: Buffer) => chunks.push(d));
    await once(secure, 'end');
    expect(statusLine(Buffer.concat(chunks))).toBe('HTTP/1.1 414 URI Too Long');
    secure.destroy();
  });

  const uiCases: [string, () => Buffer | string, string][] = [
    ['random bytes', () => randomBytes(4096, 11), 'HTTP/1.1 400 Bad Request'],
    ['a TLS ClientHello', () => hello, 'HTTP/1.1 400 Bad Request'],
    ['the HTTP/2 preface', () => H2_PREFACE, 'HTTP/1.1 505 HTTP Version Not Supported'],
    ['a 1 MB request line', () => HUGE_REQUEST_LINE, 'HTTP/1.1 414 URI Too Long'],
    ['10,000 headers', () => MANY_HEADERS, 'HTTP/1.1 431 Request Header Fields Too Large'],
  ];
  for (const [name, input, expected] of uiCases) {
    it(`answers ${name} on the UI port with "${expected}" and closes`, async () => {
      const { answer, closed } = await rawExchange(engine.uiPort, input());
      expect(statusLine(answer)).toBe(expected);
      expect(closed).toBe(true);
    });
  }

  it('answers a malformed percent-escape on the UI port (what an <img> on any page can send) with 400', async () => {
    const { answer, closed } = await rawExchange(engine.uiPort, `GET /%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1:${engine.uiPort}\r\n\r\n`);
    expect(statusLine(answer)).toBe('HTTP/1.1 400 Bad Request');
    expect(answer.toString('latin1')).toContain('Framescope: the request target has a malformed percent-escape\n');
    expect(closed).toBe(true);
  });

  it('answers a request target that is not a URL on the UI port, plain and as an upgrade, with 400', async () => {
    const plain = await rawExchange(engine.uiPort, `GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${engine.uiPort}\r\n\r\n`);
    expect(statusLine(plain.answer)).toBe('HTTP/1.1 400 Bad Request');
    const upgrade = await rawExchange(engine.uiPort, `GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${engine.uiPort}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`);
    expect(statusLine(upgrade.answer)).toBe('HTTP/1.1 400 Bad Request');
    expect(upgrade.closed).toBe(true);
  });

  it('is still alive afterwards: relays a WebSocket echo, answers its control API, and recorded the attempts', async () => {
    expect(engine.child.exitCode).toBeNull();
    const server = await startWsServer();
    server.wss.on('connection', (ws) => ws.on('message', (d, binary) => ws.send(d, { binary })));
    try {
      const ws = wsViaAbsoluteForm(engine.proxyPort, `ws://127.0.0.1:${server.port}/echo`);
      await opened(ws);
      ws.send('still here');
      expect((await nextMessage(ws)).data.toString()).toBe('still here');
      ws.close();
    } finally {
      await server.close();
    }
    const hello = await api.call('hello', {});
    expect(hello.proxy.address).toBe(`127.0.0.1:${engine.proxyPort}`);
    // Each attempt is in the session's error record, said once.
    const recorded = (pattern: RegExp) => api.waitForEvent((e) => e.kind === 'error' && pattern.test(e.message));
    await recorded(/^GET http:\/\/\[ from 127\.0\.0\.1:\d+ answered 400: the request target "http:\/\/\[" is not a valid URL$/);
    await recorded(/^bad request from 127\.0\.0\.1:\d+ answered 505: HTTP\/2 is not spoken here: send HTTP\/1\.1$/);
    await recorded(/^UI server: GET \/%E0%A4%A from 127\.0\.0\.1:\d+ answered 400: the request target has a malformed percent-escape$/);
    const overlong = api.events.filter((e) => e.kind === 'error' && / answered 414: /.test(e.message));
    // Proxy port, TLS tunnel, UI port.
    expect(overlong).toHaveLength(3);
    expect(engine.output()).not.toMatch(/Error|at .*\.js:\d+/);
  });
});
