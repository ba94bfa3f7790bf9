// `framescope` with options (what `npm start -- --insecure` runs): the options reach the Electron app
// and, where Electron cannot start, the browser fallback. Real child processes.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT, startElectron } from '../../src/cli/app-command.js';
import { BIN, exited } from '../support/cli.js';

/** An environment where Electron cannot start: no display. */
function headlessEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FRAMESCOPE_HOME: home };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  return env;
}

describe('framescope (the app) with options', () => {
  it('starts Electron on the package with the user options after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'framescope-electron-'));
    try {
      // A stand-in for the Electron binary that writes down its arguments, one per line.
      const record = join(dir, 'args.txt');
      const binary = join(dir, 'electron');
      writeFileSync(binary, `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\n`);
      chmodSync(binary, 0o700);
      expect(await startElectron(binary, ['--insecure', '--proxy-port', '9000'])).toBe('ok');
      expect(readFileSync(record, 'utf8')).toBe(`${PACKAGE_ROOT}\n--insecure\n--proxy-port\n9000\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes the options to the browser fallback where Electron cannot start', async () => {
    const home = mkdtempSync(join(tmpdir(), 'framescope-app-'));
    const child = spawn(process.execPath, [BIN, '--upstream', 'ws://127.0.0.1:9', '--proxy-port', '0', '--no-open'], { env: headlessEnv(home), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (/^ui: http:\/\/127\.0\.0\.1:\d+\/\?token=/m.test(out)) resolve();
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}${err}`)));
      });
      expect(out).toMatch(/^proxy listening on 127\.0\.0\.1:\d+\nmode: reverse, upstream ws:\/\/127\.0\.0\.1:9\n/);
      expect(err).toMatch(/^framescope: Electron cannot start here: .+; serving the UI in the browser instead\n/);
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('rejects an unknown option in the terminal, before starting anything', () => {
    const home = mkdtempSync(join(tmpdir(), 'framescope-app-'));
    try {
      const r = spawnSync(process.execPath, [BIN, '--bogus'], { env: headlessEnv(home), encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.startsWith("framescope: Unknown option '--bogus'")).toBe(true);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
