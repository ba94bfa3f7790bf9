// The proxy options that `framescope proxy` and `framescope ui` share, parsed the same way.
import { DEFAULT_MAX_STORED_PAYLOAD, DEFAULT_PROXY_PORT } from '../proxy/proxy-server.js';
import { DEFAULT_HEAD_TIMEOUT, DEFAULT_MAX_HALF_OPEN } from '../proxy/listener-guard.js';
import { CertificateAuthority } from '../proxy/certificate-authority.js';
import { TlsKeyLog } from '../proxy/tls-key-log.js';
import { validSessionName } from '../capture/session-catalog.js';
import { Engine } from '../engine.js';
import { caDir, rulesFile, sessionsDir, settingsFile } from '../home.js';
import { resolve } from 'node:path';
import { loadSettingsFile } from '../settings/settings-file.js';
import { RuntimeSettings, type RuntimeSettingsOptions } from '../settings/runtime-settings.js';
import { MAX_STORED_PAYLOAD_LIMIT, MIN_DISK_BUDGET } from '../settings/settings-rules.js';
import { DEFAULT_RECORD_PREFIX, MAX_RECORD_PREFIX, RECORD_MODES, describeRecordPolicy, isRecordMode, type RecordPolicy } from '../capture/record-policy.js';

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
  rules: { type: 'string' },
  keylog: { type: 'string' },
  record: { type: 'string' },
  'record-prefix': { type: 'string' },
} as const;

export const PROXY_OPTIONS_HELP = `  --host ADDR               address the proxy listens on (default 127.0.0.1; use 0.0.0.0 only on a trusted network)
  --upstream URL            reverse mode: ws://, wss://, http:// or https:// upstream
  --insecure                do not verify upstream TLS certificates (dev servers with self-signed certificates);
                            Settings in the UI can also exempt single hosts
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
                            503 (default ${DEFAULT_MAX_HALF_OPEN})
  --rules FILE              rules that change traffic (README: "Rules and mocks"); reloaded when the file
                            changes; \`framescope ui\` keeps FRAMESCOPE_HOME/rules.json when this is not given
  --keylog FILE             append the TLS secrets of both intercepted legs to FILE (NSS key log format,
                            mode 0600), so Wireshark can decrypt a capture taken at the same time; the
                            SSLKEYLOGFILE environment variable does the same. Anyone with the file can read
                            that traffic
  --record full|headers|off what the session keeps: every frame and message with its payload (full, the
                            default); every frame's header fields, violations and the first bytes of each
                            payload (headers); or connections and handshakes only (off). The UI's toolbar
                            changes it while running; the session records each change
  --record-prefix N         payload bytes kept per frame and message under --record headers (default ${DEFAULT_RECORD_PREFIX})`;

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
  rules?: string;
  keylog?: string;
  record?: string;
  'record-prefix'?: string;
}

/** The limits every listener (proxy and UI) applies to request heads. */
export function listenerLimits(values: ProxyOptionValues): { headTimeout: number; maxHalfOpen: number } {
  return {
    headTimeout: parseInteger(values['head-timeout'], 'head-timeout', DEFAULT_HEAD_TIMEOUT, 100, 600_000),
    maxHalfOpen: parseInteger(values['max-half-open'], 'max-half-open', DEFAULT_MAX_HALF_OPEN, 1, 1_000_000),
  };
}

/** The recording policy --record and --record-prefix ask for (full by default). */
export function recordPolicyOption(values: ProxyOptionValues): RecordPolicy {
  const mode = values.record ?? 'full';
  if (!isRecordMode(mode)) throw new Error(`--record takes one of ${RECORD_MODES.join(', ')}, not ${JSON.stringify(mode)}`);
  return { mode, prefixBytes: parseInteger(values['record-prefix'], 'record-prefix', DEFAULT_RECORD_PREFIX, 0, MAX_RECORD_PREFIX) };
}

/** A port option as given on the command line: its name (port, proxy-port) and value. */
export interface PortOption { name: string; value: string | undefined }

/**
 * Starts an engine for the CLI: sessions, the CA and settings.json under FRAMESCOPE_HOME. The saved
 * settings apply unless the command line sets them for this run; problems with settings.json are
 * printed and fall back to the defaults.
 */
export async function startEngine(values: ProxyOptionValues, port: PortOption, uiPort?: PortOption): Promise<{ engine: Engine; settings: RuntimeSettings }> {
  if (values.session !== undefined && !validSessionName(values.session)) throw new Error(`--session: "${values.session}" is not a valid session name`);
  const recordPolicy = recordPolicyOption(values);
  const path = settingsFile();
  const { settings: saved, problems } = loadSettingsFile(path);
  for (const problem of problems) process.stderr.write(`framescope: ${problem}\n`);
  const overrides: RuntimeSettingsOptions['overrides'] = [];
  const given = (key: RuntimeSettingsOptions['overrides'][number]['key'], option: string, value: unknown) => overrides.push({ key, option, value });
  if (port.value !== undefined) given('proxyPort', `--${port.name} ${port.value}`, parseInteger(port.value, port.name, DEFAULT_PROXY_PORT, 0, 65535));
  if (uiPort?.value !== undefined) given('uiPort', `--${uiPort.name} ${uiPort.value}`, parseInteger(uiPort.value, uiPort.name, 0, 0, 65535));
  if (values.upstream !== undefined) given('upstream', `--upstream ${values.upstream}`, values.upstream);
  if (values.insecure) given('insecure', '--insecure', true);
  if (values['max-stored-payload'] !== undefined) given('maxStoredPayload', `--max-stored-payload ${values['max-stored-payload']}`, parseInteger(values['max-stored-payload'], 'max-stored-payload', DEFAULT_MAX_STORED_PAYLOAD, 0, MAX_STORED_PAYLOAD_LIMIT));
  if (values['disk-budget'] !== undefined) given('diskBudget', `--disk-budget ${values['disk-budget']}`, parseInteger(values['disk-budget'], 'disk-budget', 0, MIN_DISK_BUDGET, Number.MAX_SAFE_INTEGER));
  if (values['connect-timeout'] !== undefined) given('connectTimeout', `--connect-timeout ${values['connect-timeout']}`, parseInteger(values['connect-timeout'], 'connect-timeout', 10_000, 1, 600_000));
  const effective = { ...saved };
  for (const o of overrides) (effective as unknown as Record<string, unknown>)[o.key] = o.value;
  const engine = await Engine.start({
    sessionsDir: sessionsDir(),
    sessionName: values.session,
    diskBudget: effective.diskBudget,
    // The UI edits the app's own rules file unless the command line names one.
    rulesFile: values.rules !== undefined ? { path: resolve(values.rules) } : uiPort ? { path: rulesFile(), allowMissing: true } : undefined,
    recordPolicy,
    proxy: {
      host: values.host ?? '127.0.0.1',
      port: effective.proxyPort,
      upstream: effective.upstream || undefined,
      insecure: effective.insecure,
      insecureHosts: effective.insecureHosts,
      maxStoredPayload: effective.maxStoredPayload,
      connectTimeout: effective.connectTimeout,
      ...listenerLimits(values),
      certificateAuthority: () => CertificateAuthority.loadOrCreate(caDir()),
      ...keyLogOption(values.keylog),
    },
  });
  return { engine, settings: new RuntimeSettings(engine.proxy, { path, saved, overrides, applyDiskBudget: (bytes) => engine.setDiskBudget(bytes) }) };
}

/** The key log of --keylog FILE, else of SSLKEYLOGFILE (as browsers and curl read it), else none. */
function keyLogOption(option: string | undefined): { keyLog?: TlsKeyLog } {
  const path = option ?? (process.env.SSLKEYLOGFILE || undefined);
  if (path === undefined) return {};
  try {
    return { keyLog: new TlsKeyLog(path, (message) => process.stderr.write(`framescope: ${message}\n`)) };
  } catch (error) {
    throw new Error(`${option !== undefined ? '--keylog' : 'SSLKEYLOGFILE'} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export function describeListening(engine: Engine, upstream: string | undefined = engine.proxy.upstreamUrl): string {
  const address = engine.proxyAddress;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `proxy listening on ${host}:${address.port}\n` +
    (upstream ? `mode: reverse, upstream ${upstream}\n` : 'mode: explicit HTTP proxy (absolute-form and CONNECT)\n') +
    `session: ${engine.liveName}\n` +
    (engine.recordPolicy.mode === 'full' ? '' : `recording: ${describeRecordPolicy(engine.recordPolicy)}\n`);
}

/** Says where the proxy went when Settings moved it to another port. */
export function reportMoves(engine: Engine): void {
  let last = engine.proxyAddress.port;
  engine.on('event', (event) => {
    if (event.kind !== 'settings' || engine.proxyAddress.port === last) return;
    last = engine.proxyAddress.port;
    process.stdout.write(`proxy moved to ${event.settings.proxyAddress}\n`);
  });
}

/** Resolves with the signal's name on the first SIGINT or SIGTERM. */
export function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}
