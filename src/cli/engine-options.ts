// The proxy options that `framescope proxy` and `framescope ui` share, parsed the same way.
import { DEFAULT_MAX_STORED_PAYLOAD } from '../proxy/proxy-server.js';
import { DEFAULT_HEAD_TIMEOUT, DEFAULT_MAX_HALF_OPEN } from '../proxy/listener-guard.js';
import { CertificateAuthority } from '../proxy/certificate-authority.js';
import { validSessionName } from '../capture/session-catalog.js';
import { Engine } from '../engine.js';
import { caDir, sessionsDir } from '../home.js';

export const PROXY_OPTION_SPECS = {
  host: { type: 'string' },
  upstream: { type: 'string' },
  insecure: { type: 'boolean' },
  session: { type: 'string' },
  'max-stored-payload': { type: 'string' },
  'connect-timeout': { type: 'string' },
  'disk-budget': { type: 'string' },
  'head-timeout': { type: 'string' },
  'max-half-open': { type: 'string' },
} as const;

export const PROXY_OPTIONS_HELP = `  --host ADDR               address the proxy listens on (default 127.0.0.1; use 0.0.0.0 only on a trusted network)
  --upstream URL            reverse mode: ws://, wss://, http:// or https:// upstream
  --insecure                do not verify upstream TLS certificates (dev servers with self-signed certificates)
  --session NAME            record into this session (appended to when it exists; default: a new one named
                            after the date and time), kept under FRAMESCOPE_HOME
  --max-stored-payload N    bytes of payload kept per frame and message (default ${DEFAULT_MAX_STORED_PAYLOAD}); the rest
                            passes through and the record is marked truncated
  --connect-timeout MS      time to connect to an upstream before answering 504 (default 10000)
  --disk-budget BYTES       disk budget of a session (default 20 GiB); a warning at 80%, payloads no longer
                            stored past it (and said so)
  --head-timeout MS         time a client has to send a complete request head, and a CONNECT tunnel its
                            first byte, before it is answered 408 or closed (default ${DEFAULT_HEAD_TIMEOUT})
  --max-half-open N         connections still sending their first request head at once; more are answered
                            503 (default ${DEFAULT_MAX_HALF_OPEN})`;

export function parseInteger(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} takes a whole number, not ${JSON.stringify(value)}`);
  const n = Number(value);
  if (n < min || n > max) throw new Error(`--${name} must be between ${min} and ${max}`);
  return n;
}

export interface ProxyOptionValues {
  host?: string;
  upstream?: string;
  insecure?: boolean;
  session?: string;
  'max-stored-payload'?: string;
  'connect-timeout'?: string;
  'disk-budget'?: string;
  'head-timeout'?: string;
  'max-half-open'?: string;
}

/** The limits every listener (proxy and UI) applies to request heads. */
export function listenerLimits(values: ProxyOptionValues): { headTimeout: number; maxHalfOpen: number } {
  return {
    headTimeout: parseInteger(values['head-timeout'], 'head-timeout', DEFAULT_HEAD_TIMEOUT, 100, 600_000),
    maxHalfOpen: parseInteger(values['max-half-open'], 'max-half-open', DEFAULT_MAX_HALF_OPEN, 1, 1_000_000),
  };
}

/** Starts an engine for the CLI: sessions and the CA under FRAMESCOPE_HOME. */
export async function startEngine(values: ProxyOptionValues, port: number): Promise<Engine> {
  if (values.session !== undefined && !validSessionName(values.session)) throw new Error(`--session: "${values.session}" is not a valid session name`);
  return Engine.start({
    sessionsDir: sessionsDir(),
    sessionName: values.session,
    diskBudget: values['disk-budget'] === undefined ? undefined : parseInteger(values['disk-budget'], 'disk-budget', 0, 1024 * 1024, Number.MAX_SAFE_INTEGER),
    proxy: {
      host: values.host ?? '127.0.0.1',
      port,
      upstream: values.upstream,
      insecure: values.insecure ?? false,
      maxStoredPayload: parseInteger(values['max-stored-payload'], 'max-stored-payload', DEFAULT_MAX_STORED_PAYLOAD, 0, 2 ** 31),
      connectTimeout: parseInteger(values['connect-timeout'], 'connect-timeout', 10_000, 1, 600_000),
      ...listenerLimits(values),
      certificateAuthority: () => CertificateAuthority.loadOrCreate(caDir()),
    },
  });
}

export function describeListening(engine: Engine, upstream: string | undefined): string {
  const address = engine.proxyAddress;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `proxy listening on ${host}:${address.port}\n` +
    (upstream ? `mode: reverse, upstream ${upstream}\n` : 'mode: explicit HTTP proxy (absolute-form and CONNECT)\n') +
    `session: ${engine.liveName}\n`;
}

/** Resolves with the signal's name on the first SIGINT or SIGTERM. */
export function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}
