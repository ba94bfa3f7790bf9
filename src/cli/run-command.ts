// `framescope run -- CMD ARGS...`: runs a command with interception set up for it and for everything it
// starts, and ends as the command ended.

import { DEFAULT_PROXY_ADDRESS, parseProxyAddress } from '../proxy/browser-launcher.js';
import { electronArguments } from '../intercept/electron-arguments.js';
import { endLikeChild, runChild } from '../intercept/child-exit.js';
import { prepareLaunch } from '../intercept/launch-setup.js';
import { acceptsConnections } from '../intercept/proxy-probe.js';

const USAGE = `usage: framescope run [--proxy HOST:PORT] -- COMMAND [ARGS...]
       framescope run [--proxy HOST:PORT] --electron APP [-- ARGS...]

Runs COMMAND with its traffic, and that of every process it starts, going through the Framescope
proxy, loopback included, with Framescope's CA trusted, and exits as COMMAND exits (its code, or the
same signal). Needs a running proxy (\`framescope proxy\` or \`framescope ui\`); without one it says so
and exits 125 rather than starting one of its own, so recordings always land where you look.

What it sets:
  HTTP_PROXY HTTPS_PROXY ALL_PROXY (and lower case)  the proxy, tagged with this run
  NO_PROXY no_proxy                                   emptied, so loopback goes through the proxy
  NODE_EXTRA_CA_CERTS DENO_CERT                       the CA
  SSL_CERT_FILE REQUESTS_CA_BUNDLE CURL_CA_BUNDLE GIT_SSL_CAINFO
                                                      the system's roots plus the CA
  NODE_OPTIONS                                        --require Framescope's preload: Node's http,
                                                      https, ws, socket.io-client and fetch go
                                                      through the proxy with no code change
  JAVA_TOOL_OPTIONS                                   proxy properties, and a truststore with the CA
                                                      when keytool is on PATH

options:
  --proxy HOST:PORT  the proxy (default ${DEFAULT_PROXY_ADDRESS})
  --electron APP     run the Electron app APP with --proxy-server and
                     --ignore-certificate-errors-spki-list for this app only
  -h, --help         show this help

exit status: COMMAND's; 125 when Framescope cannot set up (no proxy), 126 when COMMAND cannot be
run, 127 when it is not found, 2 for a usage error.
`;

/** Exit codes in the convention of env(1) and nohup(1). */
const SETUP_FAILED = 125;
const CANNOT_RUN = 126;
const NOT_FOUND = 127;

interface RunOptions {
  proxy: string;
  electron?: string;
  command: string[];
}

/** Reads options up to `--` or the first argument that is not one; the rest is the command. */
function parseRunArgs(args: string[]): RunOptions | { help: true } | { error: string } {
  let proxy = DEFAULT_PROXY_ADDRESS;
  let electron: string | undefined;
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (arg === '-h' || arg === '--help') return { help: true };
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (name === '--proxy' || name === '--electron') {
      const value = inline ?? args[++i];
      if (value === undefined) return { error: `${name} needs a value` };
      if (name === '--proxy') proxy = value;
      else electron = value;
      continue;
    }
    if (arg.startsWith('-')) return { error: `unknown option ${arg}` };
    break;
  }
  const command = args.slice(i);
  if (electron === undefined && command.length === 0) return { error: 'no command given: framescope run -- COMMAND [ARGS...]' };
  return { proxy, electron, command };
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseRunArgs(args);
  if ('help' in parsed) {
    process.stdout.write(USAGE);
    return 0;
  }
  if ('error' in parsed) {
    process.stderr.write(`framescope run: ${parsed.error}\n\n${USAGE}`);
    return 2;
  }
  let proxy: string;
  try {
    proxy = parseProxyAddress(parsed.proxy);
  } catch (error) {
    process.stderr.write(`framescope run: ${(error as Error).message}\n`);
    return 2;
  }
  if (!(await acceptsConnections(proxy))) {
    process.stderr.write(`framescope run: no Framescope proxy is listening on ${proxy}: start one (\`framescope proxy --port ${proxy.slice(proxy.lastIndexOf(':') + 1)}\` or \`framescope ui\`), or pass --proxy HOST:PORT\n`);
    return SETUP_FAILED;
  }

  const [program, ...programArgs] = parsed.electron !== undefined ? [parsed.electron, ...parsed.command] : parsed.command;
  const launch = prepareLaunch({ proxy, kind: parsed.electron !== undefined ? 'electron' : 'run', program });
  for (const warning of launch.warnings) process.stderr.write(`framescope run: warning: ${warning}\n`);
  const finalArgs = parsed.electron !== undefined
    ? [...electronArguments({ proxy, spkiFingerprints: [launch.ca.leafSpkiFingerprint(), launch.ca.spkiFingerprint()] }), ...programArgs]
    : programArgs;

  const { ended } = runChild(program!, finalArgs, launch.env);
  try {
    return endLikeChild(await ended);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const notFound = code === 'ENOENT';
    process.stderr.write(`framescope run: ${program}: ${notFound ? 'command not found' : (error as Error).message}\n`);
    return notFound ? NOT_FOUND : CANNOT_RUN;
  }
}

