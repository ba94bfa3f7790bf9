// `framescope browser --firefox`: Firefox in a temporary profile through the proxy (see
// src/intercept/firefox-launcher.ts), kept alive until Firefox exits so its profile is always removed.

import { findFirefox, launchFirefox, type LaunchedFirefox } from '../intercept/firefox-launcher.js';
import { browserPreflight } from './browser-preflight.js';
import { untilBrowserExits } from '../proxy/profile-process.js';

interface Io {
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
}

export async function runFirefox(proxy: string, browser: string | undefined, url: string, io: Io): Promise<number> {
  let executablePath: string;
  try {
    executablePath = findFirefox({ browser, env: io.env });
  } catch (error) {
    io.stderr.write(`framescope browser: ${(error as Error).message}\n`);
    return 1;
  }
  const ca = await browserPreflight(proxy, io);
  let firefox: LaunchedFirefox;
  try {
    firefox = launchFirefox({ executablePath, proxy, caCertPath: ca.certPath, url, env: io.env });
  } catch (error) {
    io.stderr.write(`framescope browser: ${(error as Error).message}\n`);
    return 1;
  }
  io.stderr.write(`framescope browser: opened ${url} in ${executablePath} through http://${proxy} (temporary profile ${firefox.profileDir})\n`);
  return untilBrowserExits(firefox, executablePath, io.stderr);
}
