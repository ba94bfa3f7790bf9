// `framescope` with no command: the desktop app. Electron's window where Electron can start;
// otherwise `framescope ui` in the system browser, after saying why Electron did not start.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UI_OPTION_SPECS } from './ui-command.js';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The Electron binary, or why there is none. Never triggers a download. */
export function findElectron(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): { path: string } | { reason: string } {
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(join(PACKAGE_ROOT, 'package.json')).resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return { reason: "Electron's binary has not been downloaded (run `npx install-electron` where its download site is reachable)" };
  const binary = env.ELECTRON_OVERRIDE_DIST_PATH
    ? join(env.ELECTRON_OVERRIDE_DIST_PATH, readFileSync(pathFile, 'utf8'))
    : join(packageDir, 'dist', readFileSync(pathFile, 'utf8'));
  if (!existsSync(binary)) return { reason: `Electron's binary is missing at ${binary}` };
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return { reason: 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  return { path: binary };
}

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write('usage: framescope [options of framescope ui]\n\nOpens the Framescope window (Electron) with its engine started with these options; where Electron\ncannot start, runs `framescope ui` with them and opens the UI in the system browser.\nOptions: framescope ui --help. Other commands: framescope --help\n');
    return 0;
  }
  // Wrong options fail here, in the terminal, rather than in the window's engine.
  parseArgs({ args, options: UI_OPTION_SPECS, strict: true });
  const electron = findElectron();
  if ('path' in electron) {
    const started = await startElectron(electron.path, args);
    if (started === 'ok') return 0;
    process.stderr.write(`framescope: Electron did not start (${started}); serving the UI in the browser instead\n`);
  } else {
    process.stderr.write(`framescope: Electron cannot start here: ${electron.reason}; serving the UI in the browser instead\n`);
  }
  const ui = await import('./ui-command.js');
  return ui.run(args);
}

/**
 * Runs the Electron app (its engine gets `args`, the options of `framescope ui`) until it quits
 * ('ok'), or says why it failed within its first seconds.
 */
export function startElectron(binary: string, args: readonly string[]): Promise<'ok' | string> {
  return new Promise((resolve) => {
    const child = spawn(binary, [PACKAGE_ROOT, ...args], { stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    let early = true;
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      process.stderr.write(d);
    });
    const timer = setTimeout(() => { early = false; }, 5_000);
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (early && code !== 0) resolve(stderr.trim().split('\n').pop() || `exit code ${code}`);
      else resolve('ok');
    });
  });
}
