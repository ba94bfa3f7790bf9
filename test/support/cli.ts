// Runs the real `framescope` command (bin/framescope.js on the compiled engine) as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/framescope.js', import.meta.url));

/** Starts `framescope proxy ...` and resolves with the child and its port once it prints that it listens. */
export function startProxyProcess(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'proxy', '--port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^proxy listening on 127\.0\.0\.1:(\d+)$/m.exec(out);
      if (m) resolve({ child, port: Number(m[1]), output: () => out + err });
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`framescope proxy exited with ${code} before listening: ${out}${err}`)));
  });
}

export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/** Peak and current resident memory of a process, in bytes, from /proc (Linux). */
export async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Starts `framescope ui --no-open ...` and resolves once it printed the proxy's port and the UI's URL. */
export function startUiProcess(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ child: ChildProcess; proxyPort: number; uiPort: number; token: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'ui', '--no-open', '--proxy-port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const proxy = /^proxy listening on 127\.0\.0\.1:(\d+)$/m.exec(out);
      const ui = /^ui: http:\/\/127\.0\.0\.1:(\d+)\/\?token=([\w-]+)$/m.exec(out);
      if (proxy && ui) resolve({ child, proxyPort: Number(proxy[1]), uiPort: Number(ui[1]), token: ui[2]!, output: () => out + err });
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`framescope ui exited with ${code} before listening: ${out}${err}`)));
  });
}
