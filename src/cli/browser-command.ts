// `framescope browser`: opens Chromium or Chrome through the proxy, accepting Framescope's certificates,
// so https:// pages and wss:// sockets can be inspected with nothing installed or trusted system-wide.

import { parseArgs } from 'node:util';
import { DEFAULT_PROXY_ADDRESS, findBrowser, launchBrowser, parseProxyAddress } from '../proxy/browser-launcher.js';
import { browserPreflight } from './browser-preflight.js';
import { runFirefox } from './firefox-browser.js';
import { untilBrowserExits } from '../proxy/profile-process.js';

const USAGE = `usage: framescope browser [URL] [--proxy HOST:PORT] [--browser PATH] [--firefox]

Opens Chromium or Chrome in a temporary profile that sends all its traffic, loopback included, through
the Framescope proxy and accepts Framescope's certificates, so https:// pages and wss:// sockets can be
inspected without trusting the CA anywhere. The profile is deleted when the browser closes; the exit
code is the browser's.

arguments:
  URL                the page to open (default about:blank)

options:
  --proxy HOST:PORT  the proxy to browse through (default ${DEFAULT_PROXY_ADDRESS}, where
                     \`framescope proxy\` listens by default)
  --browser PATH     the browser to run (default: the first Chromium or Chrome found)
  --firefox          open Firefox instead, in a temporary profile with the proxy set (loopback
                     included) and the CA trusted in that profile only (needs certutil:
                     Debian/Ubuntu libnss3-tools, Fedora nss-tools, macOS brew install nss)
  -h, --help         show this help
`;

/** Where the command writes, and the environment it reads (the process's by default). */
export interface BrowserCommandIo {
  /** Receives the help text. */
  stdout: { write(text: string): unknown };
  /** Receives progress, warnings and errors. */
  stderr: { write(text: string): unknown };
  /** Read for FRAMESCOPE_HOME and PATH. */
  env: NodeJS.ProcessEnv;
}

export async function run(args: string[], io: BrowserCommandIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  let parsed: { values: { proxy?: string; browser?: string; firefox?: boolean; help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { proxy: { type: 'string' }, browser: { type: 'string' }, firefox: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    io.stderr.write(`framescope browser: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length > 1) {
    io.stderr.write(`framescope browser: expected at most one URL, got ${positionals.length}\n\n${USAGE}`);
    return 2;
  }

  let proxy: string;
  try {
    proxy = parseProxyAddress(values.proxy ?? DEFAULT_PROXY_ADDRESS);
  } catch (error) {
    io.stderr.write(`framescope browser: ${(error as Error).message}\n`);
    return 2;
  }
  if (values.firefox) return runFirefox(proxy, values.browser, positionals[0] ?? 'about:blank', io);
  let executablePath: string;
  try {
    executablePath = findBrowser({ browser: values.browser, env: io.env });
  } catch (error) {
    io.stderr.write(`framescope browser: ${(error as Error).message}\n`);
    return 1;
  }

  const ca = await browserPreflight(proxy, io);
  // Chromium refuses to start as root with its sandbox on (containers, CI); without it, it can run.
  const extraArgs = process.platform === 'linux' && process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  if (extraArgs.length > 0) io.stderr.write('framescope browser: running as root, so the browser runs with --no-sandbox\n');

  const url = positionals[0] ?? 'about:blank';
  const browser = launchBrowser({
    executablePath,
    proxy,
    spkiFingerprints: [ca.leafSpkiFingerprint(), ca.spkiFingerprint()],
    url,
    extraArgs,
  });
  io.stderr.write(`framescope browser: opened ${url} in ${executablePath} through http://${proxy} (temporary profile ${browser.userDataDir})\n`);

  return untilBrowserExits(browser, executablePath, io.stderr);
}
