// Settings kept between runs, as users run the commands: a change made through one run's control
// API is in settings.json (0600) and the next run starts with it; an option on the command line
// wins for its run only, and says so; a damaged settings.json is reported and the defaults apply.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, exited, startUiProcess } from '../support/cli.js';
import { ControlClient } from '../support/engine.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Runs `framescope proxy ARGS` until it listens; resolves with what it printed by then. */
function proxyUntilListening(args: string[], env: NodeJS.ProcessEnv): Promise<{ out: string; err: () => string; stop(): Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'proxy', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/^proxy listening on /m.test(out)) resolve({ out, err: () => err, stop: () => { child.kill('SIGTERM'); return exited(child); } });
    });
    child.once('exit', (code) => reject(new Error(`framescope proxy exited with ${code}: ${out}${err}`)));
  });
}

describe('settings between runs', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let saved: number;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'framescope-settings-home-'));
    env = { ...process.env, FRAMESCOPE_HOME: home };
    saved = await freePort();
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('keeps a change made in one run for the next one', async () => {
    const ui = await startUiProcess(['--port', '0'], env);
    try {
      const api = await ControlClient.connect(`ws://127.0.0.1:${ui.uiPort}/control?token=${ui.token}`);
      const state = await api.call('setSettings', { settings: { proxyPort: saved, insecureHosts: ['localhost:8443'], maxStoredPayload: 4096 } });
      expect(state.proxyAddress).toBe(`127.0.0.1:${saved}`);
      api.close();
    } finally {
      ui.child.kill('SIGTERM');
      await exited(ui.child);
    }
    const file = join(home, 'settings.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ proxyPort: saved, uiPort: 0, insecureHosts: ['localhost:8443'], maxStoredPayload: 4096, insecure: false });

    // No --port: the saved one.
    const proxy = await proxyUntilListening([], env);
    expect(proxy.out).toContain(`proxy listening on 127.0.0.1:${saved}\n`);
    expect(await proxy.stop()).toBe(0);
  });

  it('lets the command line win for its run only, and says which options did', async () => {
    const ui = await startUiProcess(['--port', '0', '--insecure', '--max-stored-payload', '100'], env);
    try {
      const api = await ControlClient.connect(`ws://127.0.0.1:${ui.uiPort}/control?token=${ui.token}`);
      const state = await api.call('getSettings', {});
      expect(state.overridden).toEqual([
        { key: 'proxyPort', option: '--proxy-port 0' },
        { key: 'uiPort', option: '--port 0' },
        { key: 'insecure', option: '--insecure' },
        { key: 'maxStoredPayload', option: '--max-stored-payload 100' },
      ]);
      expect(state.effective).toMatchObject({ proxyPort: ui.proxyPort, uiPort: ui.uiPort, insecure: true, maxStoredPayload: 100, insecureHosts: ['localhost:8443'] });
      expect(state.saved).toMatchObject({ proxyPort: saved, insecure: false, maxStoredPayload: 4096 });
      api.close();
    } finally {
      ui.child.kill('SIGTERM');
      await exited(ui.child);
    }
    // Nothing of that run's command line was saved.
    expect(JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8'))).toMatchObject({ proxyPort: saved, insecure: false, maxStoredPayload: 4096 });
  });

  it('reports a damaged settings.json and starts with the defaults', async () => {
    writeFileSync(join(home, 'settings.json'), '{"proxyPort": 80', { mode: 0o600 });
    const proxy = await proxyUntilListening(['--port', '0'], env);
    expect(await proxy.stop()).toBe(0);
    // Read once the process is gone: stderr and stdout are separate pipes.
    expect(proxy.err()).toMatch(/^framescope: settings\.json is not JSON \(.+\); using the defaults$/m);
  });
});
