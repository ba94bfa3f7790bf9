// The shell's engine launch: the user's options reach the engine, and the engine's reason for not
// starting reaches the error box. The failure is a real engine process that finds its port taken.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineArguments, startupFailure, userArguments } from '../../electron/engine-launch.js';
import { BIN } from '../support/cli.js';

describe('the shell starts the engine', () => {
  it('takes the user options after the app directory when run as `electron <dir>`', () => {
    expect(userArguments(['/opt/electron/electron', '/src/framescope', '--insecure', '--proxy-port', '9000'], true)).toEqual(['--insecure', '--proxy-port', '9000']);
  });

  it('takes the user options after the binary when packaged', () => {
    expect(userArguments(['/opt/Framescope/framescope', '--upstream', 'ws://localhost:3000'], false)).toEqual(['--upstream', 'ws://localhost:3000']);
  });

  it('gives the engine `ui --no-open --port 0` followed by the user options', () => {
    expect(engineArguments(['--insecure', '--proxy-port', '9000'])).toEqual(['ui', '--no-open', '--port', '0', '--insecure', '--proxy-port', '9000']);
    expect(engineArguments([])).toEqual(['ui', '--no-open', '--port', '0']);
  });

  it("shows the engine's own reason when its proxy port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const home = mkdtempSync(join(tmpdir(), 'framescope-shell-'));
    try {
      const args = engineArguments(['--proxy-port', String(port)]);
      const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, FRAMESCOPE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(startupFailure(code, stderr)).toBe(
        `port ${port} on 127.0.0.1 is already in use; choose another port (--port, or --proxy-port for framescope ui)\n\n` +
        '(the engine exited with code 1 before serving the UI)');
    } finally {
      blocker.close();
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('falls back to the last lines of output when the engine names no reason, and says when it said nothing', () => {
    expect(startupFailure(134, 'node:internal/x\n  at foo\nFATAL ERROR: heap out of memory\n')).toBe(
      'node:internal/x\nat foo\nFATAL ERROR: heap out of memory\n\n(the engine exited with code 134 before serving the UI)');
    expect(startupFailure(null, '')).toBe('the engine was stopped before serving the UI and said nothing');
  });
});
