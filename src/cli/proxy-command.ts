// `framescope proxy`: the headless proxy. Records every connection into a session under
// FRAMESCOPE_HOME, prints `proxy listening on host:port` once it listens, and on SIGINT or SIGTERM
// writes the HAR (with --har) and exits 0.
import { parseArgs } from 'node:util';
import { writeHarFile } from '../capture/har-file.js';
import { connectionsOf } from '../capture/session-reader.js';
import { DEFAULT_PROXY_PORT } from '../proxy/proxy-server.js';
import type { Engine } from '../engine.js';
import { progressLine } from './progress-line.js';
import { writeErrorInWords } from '../file-errors.js';
import { reportRecordingWrites, stopEngine } from './recording-warnings.js';
import { PROXY_OPTION_SPECS, PROXY_OPTIONS_HELP, describeListening, startEngine, untilStopped } from './engine-options.js';

const HELP = `usage: framescope proxy [--port N] [--host ADDR] [--upstream URL] [--har FILE] [--session NAME] [options]

Runs the proxy headless and records every WebSocket connection through it.

Without --upstream it is an explicit HTTP proxy: point a browser or an app at it (absolute-form
requests such as GET ws://host/path, and CONNECT tunnels; TLS inside tunnels is intercepted with
Framescope's CA, see \`framescope ca\`). With --upstream it is a reverse proxy: every connection goes
to URL's host with the request's own path and query, and Host is rewritten to the upstream's.

options:
  --port N                  port to listen on (default ${DEFAULT_PROXY_PORT}, or the port saved in Settings; 0 picks a free port)
  --har FILE                write a HAR 1.2 file of the session when the proxy stops (SIGINT or SIGTERM)
${PROXY_OPTIONS_HELP}
  -h, --help                show this help

Once listening it prints: proxy listening on HOST:PORT
Point clients at it:
  browser   framescope browser URL (or set the HTTP and HTTPS proxy to HOST:PORT)
  Node      HTTPS_PROXY=http://HOST:PORT with an agent that honours it; for wss:// also
            NODE_EXTRA_CA_CERTS=$(framescope ca --path)
  ws        new WebSocket(url, { agent: new HttpsProxyAgent('http://HOST:PORT') })
  reverse   framescope proxy --upstream ws://localhost:3000 and connect to ws://HOST:PORT/path
`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...PROXY_OPTION_SPECS, port: { type: 'string' }, har: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const { engine } = await startEngine(values, { name: 'port', value: values.port });
  // Listen for the stop before saying where we listen: a caller may signal as soon as it reads the line.
  const stopped = untilStopped();
  process.stdout.write(describeListening(engine));
  reportRecordingWrites(engine);
  engine.on('event', (event) => {
    if (event.kind !== 'budget') return;
    const used = `${(event.usage / 2 ** 20).toFixed(0)} MiB of ${(event.budget / 2 ** 20).toFixed(0)} MiB`;
    process.stderr.write(event.level === 'warning'
      ? `framescope: warning: session ${engine.liveName} has used ${used} of its disk budget\n`
      : `framescope: session ${engine.liveName} reached its disk budget (${used}): frames are still recorded, payloads no longer stored (raise --disk-budget)\n`);
  });
  const signal = await stopped;
  let code = 0;
  if (values.har) {
    try {
      await writeSessionHar(values.har, engine);
      process.stdout.write(`wrote ${values.har} on ${signal}\n`);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ? writeErrorInWords(error, values.har).message : `${values.har} cannot be written: ${(error as Error).message}`;
      process.stderr.write(`framescope: ${reason}\n`);
      code = 1;
    }
  }
  // Open connections must not keep a stopping proxy alive.
  await stopEngine(engine);
  process.exit(code);
}

/** Writes the live session's HAR atomically (a reader never sees half a HAR), with progress on a terminal. */
async function writeSessionHar(path: string, engine: Engine): Promise<void> {
  engine.store.flush();
  const progress = progressLine(`writing ${path}`, 'messages and frames');
  try {
    await writeHarFile(path, connectionsOf(engine.store), { onProgress: (p) => progress.update(p.done, p.total) });
  } finally {
    progress.end();
  }
}
