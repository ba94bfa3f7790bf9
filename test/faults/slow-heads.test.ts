// Clients that never finish: 200 sockets trickling half a request head each get 408 while the engine
// keeps serving; a CONNECT tunnel that never speaks and a TLS handshake that never completes are
// closed; past the half-open cap new connections get 503. A real `framescope ui` process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { once } from 'node:events';
import { startUiProcess } from '../support/cli.js';
import { rawExchange, statusLine } from '../support/raw-http.js';
import { startWsServer, wsViaAbsoluteForm, opened, nextMessage } from '../support/peers.js';
import { ControlClient } from '../support/engine.js';

type Engine = Awaited<ReturnType<typeof startUiProcess>> & { api: ControlClient; home: string };

async function startEngine(args: string[]): Promise<Engine> {
  const home = mkdtempSync(join(tmpdir(), 'framescope-slow-'));
  const started = await startUiProcess(args, { ...process.env, FRAMESCOPE_HOME: home });
  const api = await ControlClient.connect(`ws://127.0.0.1:${started.uiPort}/control?token=${started.token}`);
  return { ...started, api, home };
}

function stopEngine(e: Engine | undefined): void {
  if (!e) return;
  e.api.close();
  e.child.kill('SIGKILL');
  rmSync(e.home, { recursive: true, force: true });
}

async function echoThrough(proxyPort: number, text: string): Promise<string> {
  const server = await startWsServer();
  server.wss.on('connection', (ws) => ws.on('message', (d) => ws.send(d.toString())));
  try {
    const ws = wsViaAbsoluteForm(proxyPort, `ws://127.0.0.1:${server.port}/`);
    await opened(ws);
    ws.send(text);
    const reply = (await nextMessage(ws)).data.toString();
    ws.close();
    return reply;
  } finally {
    await server.close();
  }
}

describe('slow and silent clients', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine(['--head-timeout', '1000']);
  });
  afterAll(() => stopEngine(engine));

  it('answers 200 sockets that never finish their request head with 408 each, and serves meanwhile', async () => {
    const slow = Array.from({ length: 200 }, (_, i) => rawExchange(
      i % 2 === 0 ? engine.proxyPort : engine.uiPort,
      `GET ws://127.0.0.1:9/slow-${i} HTTP/1.1\r\nHost: 127.0.0.1:9\r\nUpgrade: web`,
      15_000,
    ));
    // While they hang, a normal connection goes through.
    expect(await echoThrough(engine.proxyPort, 'not blocked')).toBe('not blocked');
    const results = await Promise.all(slow);
    expect(results.map((r) => statusLine(r.answer))).toEqual(Array(200).fill('HTTP/1.1 408 Request Timeout'));
    expect(results.every((r) => r.closed)).toBe(true);
    expect(await echoThrough(engine.proxyPort, 'still serving')).toBe('still serving');
    // Each one recorded once (events come in batches: wait for all of them).
    const timeouts = () => engine.api.events.filter((e) => e.kind === 'error' && / answered 408: the request head did not arrive in time$/.test(e.message)).length;
    await engine.api.waitForEvent(() => timeouts() >= 200);
    expect(timeouts()).toBe(200);
  });

  it('closes a CONNECT tunnel that sends nothing, and records it', async () => {
    const { answer, closed } = await rawExchange(engine.proxyPort, 'CONNECT 127.0.0.1:9 HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n', 15_000);
    expect(answer.toString('latin1')).toBe('HTTP/1.1 200 Connection Established\r\n\r\n');
    expect(closed).toBe(true);
    await engine.api.waitForEvent((e) => e.kind === 'error' && /^CONNECT tunnel to 127\.0\.0\.1:9 from 127\.0\.0\.1:\d+ sent nothing within 1000 ms; closed$/.test(e.message));
  });

  it('closes an intercepted TLS handshake that never completes, and records it', async () => {
    // The first bytes of a ClientHello, then silence.
    const { answer, closed } = await rawExchange(engine.proxyPort, ['CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', Buffer.from('160301020001fc0303', 'hex')], 30_000);
    expect(answer.toString('latin1')).toBe('HTTP/1.1 200 Connection Established\r\n\r\n');
    expect(closed).toBe(true);
    await engine.api.waitForEvent((e) => e.kind === 'error' && e.message === 'TLS handshake with the client for example.com did not complete within 1000 ms; closed');
  });
});

describe('the half-open cap', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine(['--max-half-open', '5']);
  });
  afterAll(() => stopEngine(engine));

  it('answers 503 past the cap of connections without a complete head, and serves again once they are gone', async () => {
    const waiting: net.Socket[] = [];
    for (let i = 0; i < 5; i++) {
      const socket = net.connect({ host: '127.0.0.1', port: engine.proxyPort });
      await once(socket, 'connect');
      socket.write('GET ws://127.0.0.1:9/ HTTP/1.1\r\n');
      waiting.push(socket);
    }
    const refused = await rawExchange(engine.proxyPort, 'GET ws://127.0.0.1:9/ HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n');
    expect(statusLine(refused.answer)).toBe('HTTP/1.1 503 Service Unavailable');
    expect(refused.closed).toBe(true);
    await engine.api.waitForEvent((e) => e.kind === 'error' && /^refused a connection from 127\.0\.0\.1:\d+: 5 connections have not finished their request head \(the limit\)$/.test(e.message));
    for (const socket of waiting) socket.destroy();
    // The engine sees the closes in its own time: poll until a connection is served again.
    let status = '';
    for (let attempt = 0; attempt < 100 && status !== 'HTTP/1.1 400 Bad Request'; attempt++) {
      status = statusLine((await rawExchange(engine.proxyPort, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')).answer);
      if (status !== 'HTTP/1.1 400 Bad Request') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe('HTTP/1.1 400 Bad Request');
    expect(await echoThrough(engine.proxyPort, 'served again')).toBe('served again');
  });
});
