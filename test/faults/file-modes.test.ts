// Every file Framescope writes under FRAMESCOPE_HOME is 0600 and every directory 0700, whatever the
// umask: the CA, the leaf key, sessions and their listings, and the settings, after a real session
// through the proxy.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, exited } from '../support/cli.js';
import { connectTunnel, nextMessage, opened, startWsServer, wsViaAbsoluteForm } from '../support/peers.js';
import { startEngineProcess } from './support/engine-process.js';

/** Runs the command with umask 000, so every mode bit comes from Framescope itself. */
const UMASK_000 = ['-c', 'umask 000 && exec "$0" "$@"', process.execPath, BIN];

/** Every entry under dir (dir itself included) with its permission bits, as 'path mode' lines, sorted. */
function modesUnder(dir: string): string[] {
  const lines: string[] = [];
  const walk = (path: string) => {
    const stat = statSync(path);
    lines.push(`${relative(dir, path) || '.'} ${(stat.mode & 0o777).toString(8)}${stat.isDirectory() ? '/' : ''}`);
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return lines.sort();
}

describe.runIf(process.platform !== 'win32')('file modes', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'framescope-modes-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('are 0600 for every file and 0700 for every directory after a session, the CA, the session listing and the settings', async () => {
    const env = { ...process.env, FRAMESCOPE_HOME: join(home, 'fs-home') };
    expect(spawnSync('sh', [...UMASK_000, 'ca'], { env, stdio: 'ignore' }).status).toBe(0);
    const server = await startWsServer();
    server.wss.on('connection', (ws) => ws.on('message', (data: Buffer) => ws.send(data)));
    const child = spawn('sh', [...UMASK_000, 'proxy', '--port', '0', '--session', 'modes'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /^proxy listening on 127\.0\.0\.1:(\d+)$/m.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.once('exit', (code) => reject(new Error(`framescope proxy exited with ${code}: ${out}`)));
      });
      const ws = wsViaAbsoluteForm(port, `ws://127.0.0.1:${server.port}/modes`);
      await opened(ws);
      const reply = nextMessage(ws);
      ws.send('hello');
      expect((await reply).data.toString()).toBe('hello');
      ws.close();
      // TLS interception makes the leaf key; the upstream is not there (502), which is recorded too.
      const tunnel = await connectTunnel(port, 'localhost', 9, { rejectUnauthorized: false });
      tunnel.write('GET /tls HTTP/1.1\r\nHost: localhost:9\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
      const [answer] = (await new Promise<Buffer[]>((resolve) => tunnel.once('data', (d: Buffer) => resolve([d]))));
      expect(answer.toString('latin1')).toMatch(/^HTTP\/1\.1 502 /);
      tunnel.destroy();
      await new Promise((resolve) => setTimeout(resolve, 200));
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await server.close();
    }
    // The listing (which writes the sessions' sidecars when stale).
    expect(spawnSync('sh', [...UMASK_000, 'sessions'], { env, stdio: 'ignore' }).status).toBe(0);
    // The UI's settings, saved to settings.json.
    const ui = await startEngineProcess(['--session', 'modes'], env, { umask000: true });
    try {
      const state = await ui.api.call('setSettings', { settings: { insecureHosts: ['modes.test'] } });
      expect(state.saved.insecureHosts).toEqual(['modes.test']);
      ui.api.close();
      ui.child.kill('SIGTERM');
      expect(await exited(ui.child)).toBe(0);
    } finally {
      ui.child.kill('SIGKILL');
    }
    expect(modesUnder(env.FRAMESCOPE_HOME)).toEqual([
      '. 700/',
      'ca 700/',
      'ca/ca-key.pem 600',
      'ca/ca.pem 600',
      'ca/leaf-key.pem 600',
      'sessions 700/',
      'sessions/modes.fscap 600',
      'sessions/modes.meta.json 600',
      'settings.json 600',
    ]);
  }, 40_000);
});
