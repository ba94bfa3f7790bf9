// `framescope shell`: the user's shell with every client in it going through the proxy, as under
// `framescope run`, and a prompt that says so; `-c COMMAND` runs one command and exits as it did.

import { DEFAULT_PROXY_ADDRESS, parseProxyAddress } from '../proxy/browser-launcher.js';
import { endLikeChild, runChild } from '../intercept/child-exit.js';
import { interceptDir, prepareLaunch } from '../intercept/launch-setup.js';
import { acceptsConnections } from '../intercept/proxy-probe.js';
import { PROMPT_MARKER, shellLaunch, userShell } from '../intercept/shell-setup.js';

const USAGE = `usage: framescope shell [--proxy HOST:PORT] [--shell PATH] [-c COMMAND]

Opens your shell (SHELL, or --shell) with the environment of \`framescope run\`: every program
started from it sends its traffic through the Framescope proxy, loopback included, and trusts
Framescope's CA. The prompt starts with "${PROMPT_MARKER.trim()}" (bash, zsh, fish, PowerShell; other
shells get PS1). Exit the shell to leave. Needs a running proxy; exits 125 without one.

options:
  --proxy HOST:PORT  the proxy (default ${DEFAULT_PROXY_ADDRESS})
  --shell PATH       the shell to start instead of SHELL
  -c COMMAND         run COMMAND in the shell non-interactively and exit with its status
  -h, --help         show this help
`;

export async function run(args: string[]): Promise<number> {
  let proxyText = DEFAULT_PROXY_ADDRESS;
  let shellPath: string | undefined;
  let command: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-h' || arg === '--help') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (arg === '--proxy' || arg === '--shell' || arg === '-c') {
      const given = args[++i];
      if (given === undefined) return usageError(`${arg} needs a value`);
      if (arg === '--proxy') proxyText = given;
      else if (arg === '--shell') shellPath = given;
      else command = given;
    } else if (arg.startsWith('--proxy=')) proxyText = arg.slice('--proxy='.length);
    else if (arg.startsWith('--shell=')) shellPath = arg.slice('--shell='.length);
    else return usageError(`unexpected argument ${arg}`);
  }
  let proxy: string;
  try {
    proxy = parseProxyAddress(proxyText);
  } catch (error) {
    return usageError((error as Error).message);
  }
  if (!(await acceptsConnections(proxy))) {
    process.stderr.write(`framescope shell: no Framescope proxy is listening on ${proxy}: start one (\`framescope proxy --port ${proxy.slice(proxy.lastIndexOf(':') + 1)}\` or \`framescope ui\`), or pass --proxy HOST:PORT\n`);
    return 125;
  }
  const shell = shellPath ?? userShell(process.env);
  const launch = prepareLaunch({ proxy, kind: 'shell' });
  for (const warning of launch.warnings) process.stderr.write(`framescope shell: warning: ${warning}\n`);
  const how = shellLaunch(shell, interceptDir(), launch.env, command);
  if (command === undefined) process.stderr.write(`framescope shell: ${shell} with its traffic through http://${proxy}; exit it to leave\n`);
  const { ended } = runChild(how.command, how.args, { ...launch.env, ...how.env });
  try {
    return endLikeChild(await ended);
  } catch (error) {
    process.stderr.write(`framescope shell: cannot start ${shell}: ${(error as Error).message}\n`);
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 127 : 126;
  }
}

function usageError(message: string): number {
  process.stderr.write(`framescope shell: ${message}\n\n${USAGE}`);
  return 2;
}
