// `framescope ui --no-open` as a child process: the proxy and the control API of a real engine, for
// fault tests that kill it, fill its disk or look at its files.
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from '../../support/cli.js';
import { ControlClient } from '../../support/engine.js';

export interface EngineProcess {
  child: ChildProcess;
  proxyPort: number;
  /** The session being recorded (from the `session:` line). */
  session: string;
  /** A control API client, connected. */
  api: ControlClient;
  /** stdout so far. */
  stdout(): string;
  /** stderr so far. */
  stderr(): string;
}

/**
 * Starts `framescope ui --no-open --proxy-port 0 ...args` and connects to its control API. umask000:
 * through sh with umask 000, so every mode bit of what it creates comes from Framescope itself.
 */
export async function startEngineProcess(args: string[], env: NodeJS.ProcessEnv, options: { umask000?: boolean } = {}): Promise<EngineProcess> {
  const command = [BIN, 'ui', '--no-open', '--proxy-port', '0', ...args];
  const child = options.umask000
    ? spawn('sh', ['-c', 'umask 000 && exec "$0" "$@"', process.execPath, ...command], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, command, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const started = await new Promise<{ proxyPort: number; session: string; url: URL }>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const proxy = /^proxy listening on 127\.0\.0\.1:(\d+)$/m.exec(out);
      const session = /^session: (.+)$/m.exec(out);
      const ui = /^ui: (\S+)$/m.exec(out);
      if (proxy && session && ui) resolve({ proxyPort: Number(proxy[1]), session: session[1], url: new URL(ui[1]) });
    });
    child.once('exit', (code) => reject(new Error(`framescope ui exited with ${code} before listening: ${out}${err}`)));
  });
  const token = started.url.searchParams.get('token')!;
  const api = await ControlClient.connect(`ws://${started.url.host}/control?token=${encodeURIComponent(token)}`);
  return { child, proxyPort: started.proxyPort, session: started.session, api, stdout: () => out, stderr: () => err };
}

/** Polls until check() is true (generous bound: the machine may be loaded), else throws with what it saw. */
export async function pollUntil(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
