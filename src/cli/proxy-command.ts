// `framescope proxy`: the headless proxy. Prints `proxy listening on host:port` once it listens,
// and on SIGINT or SIGTERM writes the HAR (with --har) and exits 0.
import { parseArgs } from 'node:util';
import { writeFileSync, renameSync } from 'node:fs';
import { Session } from '../capture/session.js';
import { exportHar } from '../capture/har-export.js';
import { ProxyServer, DEFAULT_PROXY_PORT, DEFAULT_MAX_STORED_PAYLOAD } from '../proxy/proxy-server.js';
import { CertificateAuthority } from '../proxy/certificate-authority.js';
import { caDir } from '../home.js';

const HELP = `usage: framescope proxy [--port N] [--host ADDR] [--upstream URL] [--har FILE] [options]

Runs the proxy headless and records every WebSocket connection through it.

Without --upstream it is an explicit HTTP proxy: point a browser or an app at it (absolute-form
requests such as GET ws://host/path, and CONNECT tunnels; TLS inside tunnels is intercepted with
Framescope's CA, see \`framescope ca\`). With --upstream it is a reverse proxy: every connection goes
to URL's host with the request's own path and query, and Host is rewritten to the upstream's.

options:
  --port N                  port to listen on (default ${DEFAULT_PROXY_PORT}; 0 picks a free port)
  --host ADDR               address to listen on (default 127.0.0.1; use 0.0.0.0 only on a trusted network)
  --upstream URL            reverse mode: ws://, wss://, http:// or https:// upstream
  --har FILE                write a HAR 1.2 file of the session when the proxy stops (SIGINT or SIGTERM)
  --insecure                do not verify upstream TLS certificates (dev servers with self-signed certificates)
  --max-stored-payload N    bytes of payload kept per frame and message (default ${DEFAULT_MAX_STORED_PAYLOAD}); the rest
                            passes through and the record is marked truncated
  --connect-timeout MS      time to connect to an upstream before answering 504 (default 10000)
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
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      upstream: { type: 'string' },
      har: { type: 'string' },
      insecure: { type: 'boolean' },
      'max-stored-payload': { type: 'string' },
      'connect-timeout': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = parseInteger(values.port, 'port', DEFAULT_PROXY_PORT, 0, 65535);
  const maxStoredPayload = parseInteger(values['max-stored-payload'], 'max-stored-payload', DEFAULT_MAX_STORED_PAYLOAD, 0, 2 ** 31);
  const connectTimeout = parseInteger(values['connect-timeout'], 'connect-timeout', 10_000, 1, 600_000);
  const session = new Session();
  const proxy = new ProxyServer(session, {
    host: values.host ?? '127.0.0.1',
    port,
    upstream: values.upstream,
    insecure: values.insecure ?? false,
    maxStoredPayload,
    connectTimeout,
    certificateAuthority: () => CertificateAuthority.loadOrCreate(caDir()),
  });
  const address = await proxy.listen();
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  process.stdout.write(`proxy listening on ${host}:${address.port}\n`);
  process.stdout.write(values.upstream ? `mode: reverse, upstream ${values.upstream}\n` : 'mode: explicit HTTP proxy (absolute-form and CONNECT)\n');

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      let code = 0;
      if (values.har) {
        try {
          writeHarFile(values.har, session);
          process.stdout.write(`wrote ${values.har} (${session.connections.length} connections) on ${signal}\n`);
        } catch (error) {
          process.stderr.write(`framescope: could not write ${values.har}: ${(error as Error).message}\n`);
          code = 1;
        }
      }
      void proxy.close().then(() => resolve(code));
      // Open connections must not keep a stopping proxy alive.
      setTimeout(() => resolve(code), 2_000).unref();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  }).then((code) => {
    process.exit(code);
  });
}

/** Writes atomically: a reader never sees half a HAR. */
function writeHarFile(path: string, session: Session): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(exportHar(session.connections), null, 2));
  renameSync(temporary, path);
}

function parseInteger(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} takes a whole number, not ${JSON.stringify(value)}`);
  const n = Number(value);
  if (n < min || n > max) throw new Error(`--${name} must be between ${min} and ${max}`);
  return n;
}
