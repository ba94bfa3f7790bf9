// Requests that would reach the proxy's own listener are refused with 508 and recorded, by every
// route: --upstream pointing at the proxy, an absolute-form URL naming it, a CONNECT to it, and a
// host name that resolves to it. A real `framescope ui` process each time, which serves on afterwards.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { lookup } from 'node:dns/promises';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { startUiProcess } from '../support/cli.js';
import { rawExchange, statusLine } from '../support/raw-http.js';
import { startWsServer, wsViaAbsoluteForm, opened, nextMessage } from '../support/peers.js';
import { ControlClient } from '../support/engine.js';
import { LoopDetector } from '../../src/proxy/loop-detection.js';

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The status a WebSocket handshake was answered with. */
function handshakeStatus(ws: WebSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => reject(new Error('the handshake succeeded')));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.once('error', () => {});
  });
}

describe('proxy loops', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  async function engine(args: string[]) {
    const home = mkdtempSync(join(tmpdir(), 'framescope-loops-'));
    const started = await startUiProcess(args, { ...process.env, FRAMESCOPE_HOME: home });
    const api = await ControlClient.connect(`ws://127.0.0.1:${started.uiPort}/control?token=${started.token}`);
    cleanups.push(() => {
      api.close();
      started.child.kill('SIGKILL');
      rmSync(home, { recursive: true, force: true });
    });
    return { ...started, api };
  }

  /** The engine still relays an echo through its explicit port. */
  async function stillServes(proxyPort: number): Promise<void> {
    const server = await startWsServer();
    server.wss.on('connection', (ws) => ws.on('message', (d) => ws.send(d.toString())));
    try {
      const ws = wsViaAbsoluteForm(proxyPort, `ws://127.0.0.1:${server.port}/`);
      await opened(ws);
      ws.send('after the loop');
      expect((await nextMessage(ws)).data.toString()).toBe('after the loop');
      ws.close();
    } finally {
      await server.close();
    }
  }

  it('--upstream pointing at the proxy itself answers 508 for WebSockets and plain HTTP, records both, and opens no second connection', async () => {
    const port = await freePort();
    const e = await engine(['--proxy-port', String(port), '--upstream', `ws://127.0.0.1:${port}`]);
    expect(e.proxyPort).toBe(port);
    expect(await handshakeStatus(new WebSocket(`ws://127.0.0.1:${port}/feed`))).toBe(508);
    const connections = await e.api.call('listConnections', {});
    expect(connections.map((c) => [c.url, c.state, c.error])).toEqual([
      [`ws://127.0.0.1:${port}/feed`, 'failed', `the upstream 127.0.0.1:${port} is this proxy's own listener: refusing the loop`],
    ]);
    const plain = await rawExchange(port, `GET /page HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    expect(statusLine(plain.answer)).toBe('HTTP/1.1 508 Loop Detected');
    await e.api.waitForEvent((ev) => ev.kind === 'error' && ev.message === `GET /page from 127.0.0.1:${ev.message.match(/:(\d+) answered/)?.[1]} answered 508: the upstream 127.0.0.1:${port} is this proxy's own listener: refusing the loop`);
    // One connection per request: the proxy did not call itself.
    expect((await e.api.call('listConnections', {})).length).toBe(1);
    expect(readdirSync(`/proc/${e.child.pid}/fd`).length).toBeLessThan(100);
    expect(e.child.exitCode).toBeNull();
  });

  it('absolute-form requests and CONNECT naming the proxy (127.0.0.1, localhost, 0.0.0.0) answer 508 and are recorded', async () => {
    const e = await engine([]);
    const p = e.proxyPort;
    expect(await handshakeStatus(wsViaAbsoluteForm(p, `ws://localhost:${p}/a`))).toBe(508);
    const plain = await rawExchange(p, `GET http://127.0.0.1:${p}/b HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\n\r\n`);
    expect(statusLine(plain.answer)).toBe('HTTP/1.1 508 Loop Detected');
    for (const authority of [`127.0.0.1:${p}`, `localhost:${p}`, `0.0.0.0:${p}`]) {
      const tunnel = await rawExchange(p, `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
      expect(statusLine(tunnel.answer)).toBe('HTTP/1.1 508 Loop Detected');
      expect(tunnel.closed).toBe(true);
    }
    const connections = await e.api.call('listConnections', {});
    expect(connections.map((c) => [c.url, c.state, c.error])).toEqual([
      [`ws://localhost:${p}/a`, 'failed', `the target localhost:${p} is this proxy's own listener: refusing the loop`],
    ]);
    const refusals = () => e.api.events.filter((ev) => ev.kind === 'error' && / answered 508: /.test(ev.message)).map((ev) => (ev as { message: string }).message.replace(/ from 127\.0\.0\.1:\d+ /, ' from C '));
    await e.api.waitForEvent(() => refusals().length === 4);
    expect(refusals()).toEqual([
      `GET http://127.0.0.1:${p}/b from C answered 508: the target 127.0.0.1:${p} is this proxy's own listener: refusing the loop`,
      `CONNECT 127.0.0.1:${p} from C answered 508: CONNECT to 127.0.0.1:${p} is this proxy's own listener: refusing the loop`,
      `CONNECT localhost:${p} from C answered 508: CONNECT to localhost:${p} is this proxy's own listener: refusing the loop`,
      `CONNECT 0.0.0.0:${p} from C answered 508: CONNECT to 0.0.0.0:${p} is this proxy's own listener: refusing the loop`,
    ]);
    await stillServes(p);
  });

  it('a host name that resolves to the proxy is caught when the request comes back: 508, recorded', async () => {
    const name = hostname();
    const resolved = await lookup(name).catch(() => undefined);
    // This machine's own name must resolve to the loopback address the proxy listens on.
    expect(resolved?.address, `${name} must resolve to 127.0.0.1 for this case`).toBe('127.0.0.1');
    const port = await freePort();
    const e = await engine(['--proxy-port', String(port), '--upstream', `ws://${name}:${port}`]);
    expect(await handshakeStatus(new WebSocket(`ws://127.0.0.1:${port}/by-name`))).toBe(508);
    await e.api.waitForEvent((ev) => ev.kind === 'error' && / answered 508: this request came back to the proxy from its own upstream connection/.test(ev.message));
    const connections = await e.api.call('listConnections', {});
    // The refused inner request and the outer one that received the refusal; nothing more.
    expect(connections.map((c) => [c.url, c.state, c.status, c.error])).toEqual([
      [`ws://${name}:${port}/by-name`, 'failed', 508, 'the server answered the handshake with 508 Loop Detected'],
    ]);
  });

  it('knows its own outgoing sockets when they arrive at its listener', async () => {
    const server = net.createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const detector = new LoopDetector(() => server.address() as net.AddressInfo);
    const arrived = once(server, 'connection') as Promise<[net.Socket]>;
    const own = net.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
    detector.trackOutgoing(own);
    const [incomingOwn] = await arrived;
    await once(own, 'connect');
    const arrivedOther = once(server, 'connection') as Promise<[net.Socket]>;
    const other = net.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
    const [incomingOther] = await arrivedOther;
    expect(detector.isOwnConnection(incomingOwn)).toBe(true);
    expect(detector.isOwnConnection(incomingOther)).toBe(false);
    own.destroy();
    await once(own, 'close');
    expect(detector.isOwnConnection(incomingOwn)).toBe(false);
    other.destroy();
    incomingOwn.destroy();
    incomingOther.destroy();
    server.close();
  });
});
