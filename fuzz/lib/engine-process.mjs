// The engine as users run it (`framescope ui --no-open`, a child process with its own FRAMESCOPE_HOME),
// and a local echo server for proxied connections to reach. Socket targets send their bytes to its
// listeners; after each batch a probe checks that the process lives and every listener still answers.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, WebSocket } from 'ws';

const BIN = new URL('../../bin/framescope.js', import.meta.url).pathname;

/** A ws echo server that also answers plain HTTP with 200. */
export async function startEchoServer() {
  const server = createServer((req, res) => {
    req.resume();
    res.end('plain\n');
  });
  const wss = new WebSocketServer({ server, perMessageDeflate: true, maxPayload: 1024 * 1024 });
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('error', () => {});
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    close: () => new Promise((resolve) => {
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

export class EngineProcess {
  constructor() {
    this.child = null;
    this.stderr = '';
  }

  async start() {
    this.home = mkdtempSync(join(tmpdir(), 'framescope-fuzz-'));
    const child = spawn(process.execPath, [BIN, 'ui', '--no-open', '--port', '0', '--proxy-port', '0'], {
      env: { ...process.env, FRAMESCOPE_HOME: this.home }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.stderr = '';
    this.exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.stderr.on('data', (d) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    let out = '';
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the engine did not start within 30 s: ${out}${this.stderr}`)), 30_000);
      child.stdout.on('data', (d) => {
        out += d.toString();
        const proxy = /^proxy listening on 127\.0\.0\.1:(\d+)$/m.exec(out);
        const ui = /^ui: http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+)$/m.exec(out);
        if (proxy && ui) {
          clearTimeout(timer);
          this.proxyPort = Number(proxy[1]);
          this.uiPort = Number(ui[1]);
          this.token = ui[2];
          resolve();
        }
      });
      this.exit.then(({ code, signal }) => reject(new Error(`the engine exited (${code ?? signal}) before listening: ${out}${this.stderr}`)));
    });
    this.startedAt = Date.now();
  }

  get alive() {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resident memory of the engine, bytes (Linux /proc). */
  rss() {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      return 0;
    }
  }

  async stop() {
    if (this.child && this.alive) {
      this.child.kill('SIGKILL');
      await this.exit;
    }
    this.child = null;
    if (this.home) rmSync(this.home, { recursive: true, force: true });
  }

  /**
   * Null when the process lives and each listener answers within `ms`: the proxy and the UI server a
   * plain request, the control API a hello. Otherwise what is wrong.
   */
  async probe(ms) {
    if (!this.alive) {
      const { code, signal } = await this.exit;
      // The error's own line and where in Framescope it was thrown, then the rest of what it printed.
      const lines = this.stderr.trim().split('\n');
      const error = lines.find((l) => /^\w*(Error|Exception)\b/.test(l)) ?? lines.at(-1) ?? '';
      const where = lines.find((l) => l.includes('/dist/src/')) ?? '';
      return { kind: 'crash', message: `the engine exited (${signal ?? `code ${code}`}): ${error}\n${where}\n${lines.slice(-12).join('\n')}` };
    }
    const answers = (port, request) => exchange(port, Buffer.from(request), { until: (b) => b.includes('\r\n'), ms });
    const proxy = await answers(this.proxyPort, 'GET / HTTP/1.1\r\nHost: probe\r\n\r\n');
    const ui = await answers(this.uiPort, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${this.uiPort}\r\n\r\n`);
    const hello = await this.hello(ms);
    if (!this.alive) return this.probe(ms);
    const silent = [!proxy.toString('latin1').startsWith('HTTP/1.1 ') && 'the proxy', !ui.toString('latin1').startsWith('HTTP/1.1 ') && 'the UI server',
      !hello && 'the control API'].filter(Boolean);
    if (silent.length > 0) return { kind: 'hang', message: `no answer within ${ms} ms from ${silent.join(', ')}` };
    return null;
  }

  hello(ms) {
    return new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${this.uiPort}/control?token=${this.token}`);
      const timer = setTimeout(() => done(false), ms);
      const done = (ok) => {
        clearTimeout(timer);
        ws.terminate();
        resolve(ok);
      };
      ws.on('open', () => ws.send(JSON.stringify({ id: 1, method: 'hello', params: {} })));
      ws.on('message', (data) => {
        const message = JSON.parse(data.toString());
        if (message.type === 'response' && message.id === 1) done(Boolean(message.result));
      });
      ws.on('error', () => done(false));
    });
  }
}

/**
 * Connects, writes `bytes`, and collects what comes back until the peer closes, `until(received)` holds,
 * nothing arrives for `idle` ms after the write, or `ms` pass. Never rejects.
 */
export function exchange(port, bytes, { until = () => false, idle = Infinity, ms = 2000, after } = {}) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks = [];
    let idleTimer = null;
    const done = () => {
      clearTimeout(timer);
      clearTimeout(idleTimer);
      socket.destroy();
      resolve(Buffer.concat(chunks));
    };
    const timer = setTimeout(done, ms);
    const armIdle = () => {
      if (idle === Infinity) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(done, idle);
    };
    socket.on('connect', async () => {
      if (after) {
        const ok = await after(socket);
        if (!ok) return done();
      }
      socket.write(bytes, () => armIdle());
    });
    socket.on('data', (d) => {
      chunks.push(d);
      if (until(Buffer.concat(chunks))) done();
      else armIdle();
    });
    socket.on('error', done);
    socket.on('close', done);
  });
}
