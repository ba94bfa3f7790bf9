// Runs `framescope run` as a real process (bin/framescope.js on the compiled engine) and an in-process
// proxy for it to point clients at, with the CA under a temporary FRAMESCOPE_HOME.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CertificateAuthority } from '../../../src/proxy/certificate-authority.js';
import { BIN } from '../../support/cli.js';
import { startProxy } from '../../support/proxy.js';

/** How a launched process ended and what it printed. */
export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The proxy a test launches through: Framescope's CA lives where `framescope run` finds it (FRAMESCOPE_HOME/ca). */
export async function startInterceptProxy(home: string, upstreamCaPem: string): Promise<Awaited<ReturnType<typeof startProxy>> & { ca: CertificateAuthority }> {
  const ca = CertificateAuthority.loadOrCreate(join(home, 'ca'));
  const proxy = await startProxy({ certificateAuthority: () => ca, upstreamCa: upstreamCaPem });
  return { ...proxy, ca };
}

/** The environment a test starts framescope in: the user's, with FRAMESCOPE_HOME and no proxy or trust settings of its own. */
export function launcherEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FRAMESCOPE_HOME: home, ...extra };
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy', 'NODE_OPTIONS', 'FRAMESCOPE_PROXY', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE']) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

/** `framescope <args>` to its end, with `input` on its stdin (else none). */
export function runFramescope(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (input !== undefined) child.stdin!.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
