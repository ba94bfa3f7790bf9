// `framescope browser --firefox`: Firefox in a fresh profile that sends everything, loopback included,
// through the proxy and trusts Framescope's CA in that profile's own certificate database only.
//
// The proxy is set in the profile's user.js. Firefox never proxies localhost and 127.0.0.1 unless
// network.proxy.allow_hijacking_localhost is on (Firefox 67 and later). The CA goes into the profile's
// NSS database with certutil (Debian: libnss3-tools; macOS: brew install nss); enterprise policies could
// install it too, but they live in Firefox's installation folder and would apply to every profile.

import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { spawnOnProfile } from '../proxy/profile-process.js';
import { findExecutable, type BrowserSearch, type FindBrowserOptions } from '../proxy/browser-launcher.js';

/** The prefs that point the profile at the proxy and keep Firefox's own background traffic out of the recording. */
export function firefoxPrefs(proxy: string): Record<string, string | number | boolean> {
  const separator = proxy.lastIndexOf(':');
  const host = proxy.slice(0, separator).replace(/^\[(.*)\]$/, '$1');
  const port = Number(proxy.slice(separator + 1));
  return {
    'network.proxy.type': 1,
    'network.proxy.http': host,
    'network.proxy.http_port': port,
    'network.proxy.ssl': host,
    'network.proxy.ssl_port': port,
    'network.proxy.share_proxy_settings': true,
    'network.proxy.no_proxies_on': '',
    'network.proxy.allow_hijacking_localhost': true,
    // A fresh profile's first run, updates and telemetry: none of it is the user's traffic.
    'browser.shell.checkDefaultBrowser': false,
    'browser.startup.homepage_override.mstone': 'ignore',
    'browser.aboutwelcome.enabled': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'datareporting.healthreport.uploadEnabled': false,
    'toolkit.telemetry.enabled': false,
    'app.update.enabled': false,
    'app.normandy.enabled': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'extensions.update.enabled': false,
  };
}

/** user.js: one user_pref line per pref. */
export function userJs(prefs: Record<string, string | number | boolean>): string {
  return Object.entries(prefs).map(([name, value]) => `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});\n`).join('');
}

/** Where Firefox is looked for: absolute paths first, then names on PATH. */
export function firefoxSearch(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): BrowserSearch {
  if (platform === 'win32') {
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)']].filter((root): root is string => Boolean(root));
    return { paths: roots.map((root) => path.win32.join(root, 'Mozilla Firefox', 'firefox.exe')), names: ['firefox.exe'] };
  }
  if (platform === 'darwin') {
    const applications = ['/Applications', path.posix.join(env.HOME || homedir(), 'Applications')];
    return { paths: applications.map((dir) => path.posix.join(dir, 'Firefox.app', 'Contents', 'MacOS', 'firefox')), names: ['firefox'] };
  }
  return { paths: [], names: ['firefox', 'firefox-esr'] };
}

/** The path of Firefox (or the one given), or an error naming every place tried. */
export function findFirefox(options: FindBrowserOptions = {}): string {
  return findExecutable(options, firefoxSearch, (search) =>
    `no Firefox found; tried ${[...search.paths, ...search.names.map((n) => `${n} on PATH`)].join(', ')}. Install it, or pass --browser PATH.`);
}

/**
 * Makes a profile directory (mode 0700) with user.js and the CA in its certificate database.
 * Throws when certutil is missing or fails: without the CA every https:// page would be an error.
 */
export function makeFirefoxProfile(proxy: string, caCertPath: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'framescope-firefox-'));
  try {
    writeFileSync(path.join(dir, 'user.js'), userJs(firefoxPrefs(proxy)), { mode: 0o600 });
    const certutil = (args: string[]) => spawnSync('certutil', args, { env, encoding: 'utf8', timeout: 30_000 });
    const created = certutil(['-N', '-d', `sql:${dir}`, '--empty-password']);
    const added = created.status === 0 ? certutil(['-A', '-d', `sql:${dir}`, '-n', 'Framescope CA', '-t', 'C,,', '-i', caCertPath]) : created;
    if (added.error || added.status !== 0) {
      const missing = (added.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
      throw new Error(missing
        ? 'certutil is not on PATH: it puts the CA into the Firefox profile (Debian/Ubuntu: apt install libnss3-tools; Fedora: dnf install nss-tools; macOS: brew install nss)'
        : `certutil could not add the CA to the profile: ${(added.stderr || added.error?.message || '').trim()}`);
    }
    return dir;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A running Firefox. */
export interface LaunchedFirefox {
  child: ChildProcess;
  profileDir: string;
  /** Its exit code (128 + signal number if killed), once it exited and its profile was removed. */
  exited: Promise<number>;
}

/** Starts Firefox on `url` in a fresh intercepting profile, removed when it exits. */
export function launchFirefox(options: { executablePath: string; proxy: string; caCertPath: string; url: string; env?: NodeJS.ProcessEnv; extraArgs?: string[] }): LaunchedFirefox {
  const profileDir = makeFirefoxProfile(options.proxy, options.caCertPath, options.env);
  // --no-remote and --new-instance: never hand the URL to a Firefox the user already has open.
  const args = ['--profile', profileDir, '--no-remote', '--new-instance', ...(options.extraArgs ?? []), options.url];
  const { child, exited } = spawnOnProfile(options.executablePath, args, profileDir, { stdio: 'inherit', env: options.env });
  return { child, profileDir, exited };
}
