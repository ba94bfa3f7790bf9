// `framescope ui`: the engine with the proxy, and the UI served on loopback for any browser.
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { ControlServer } from '../control/control-server.js';
import { linkEngine } from '../control/engine-link.js';
import { commandHandler } from '../control/command-handler.js';
import { DEFAULT_PROXY_PORT } from '../proxy/proxy-server.js';
import { caDir } from '../home.js';
import { join } from 'node:path';
import { reportRecordingWrites, stopEngine } from './recording-warnings.js';
import { PROXY_OPTION_SPECS, PROXY_OPTIONS_HELP, describeListening, listenerLimits, reportMoves, startEngine, untilStopped } from './engine-options.js';

const HELP = `usage: framescope ui [--port N] [--proxy-port N] [--no-open] [options]

Runs the engine with the proxy, and serves the UI on loopback for a browser. Prints the proxy's
address and the UI's URL with its per-run token; only that URL opens the UI.

options:
  --port N                  port of the UI (default 0: a free port)
  --proxy-port N            port of the proxy (default ${DEFAULT_PROXY_PORT}; 0 picks a free port)

Ports, the upstream, TLS verification and the stored payload cap are kept in FRAMESCOPE_HOME's
settings.json and can be changed in the UI's Settings; an option given here wins for this run.

  --no-open                 do not open the system browser
${PROXY_OPTIONS_HELP}
  -h, --help                show this help
`;

/** The built UI: dist/renderer next to dist/src. */
export const RENDERER_DIR = fileURLToPath(new URL('../../renderer/', import.meta.url));

/** The options of `framescope ui`, which `framescope` (the app) takes too. */
export const UI_OPTION_SPECS = { ...PROXY_OPTION_SPECS, port: { type: 'string' }, 'proxy-port': { type: 'string' }, 'no-open': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: UI_OPTION_SPECS, strict: true });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const { engine, settings } = await startEngine(values, { name: 'proxy-port', value: values['proxy-port'] }, { name: 'port', value: values.port });
  const staticDir = existsSync(join(RENDERER_DIR, 'index.html')) ? RENDERER_DIR.replace(/[\\/]$/, '') : undefined;
  const control = new ControlServer({
    port: settings.current.uiPort,
    ...listenerLimits(values),
    staticDir,
    handler: commandHandler(engine, { caPath: () => join(caDir(), 'ca.pem'), settings }),
    onClientCount: (count) => engine.setWatched(count > 0),
    // Refused requests to the UI port are recorded in the live session like the proxy's.
    onRejected: (message) => engine.liveSession.recordError(message),
  });
  linkEngine(engine, control);
  settings.on('changed', (state) => engine.emit('event', { kind: 'settings', settings: state }));
  settings.setUiPort((await control.listen()).port);
  // Listen for the stop before saying where we listen: a caller may signal as soon as it reads the URL.
  const stopped = untilStopped();
  process.stdout.write(describeListening(engine));
  reportMoves(engine);
  reportRecordingWrites(engine);
  process.stdout.write(`ui: ${control.url}\n`);
  if (!staticDir) process.stderr.write('framescope: the UI is not built (run npm run build); only the control API is served\n');
  if (!values['no-open']) openInBrowser(control.url);
  await stopped;
  await control.close();
  await stopEngine(engine);
  process.exit(0);
}

/** Opens a URL in the system browser, where there is one; says so when there is none. */
export function openInBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '""', url] : [url];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`framescope: no system browser to open; open ${url} yourself\n`));
  child.unref();
}
