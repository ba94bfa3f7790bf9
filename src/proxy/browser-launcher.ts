// Opens Chromium or Chrome already pointed at the proxy and already accepting its certificates, so a
// developer can inspect https:// pages and wss:// sockets without touching any trust store.
//
// The browser gets a throwaway profile: the flags below would otherwise change (or be ignored by) the
// user's everyday profile, and the profile's cache must not hide traffic from the proxy.

import type { ChildProcess, StdioOptions } from 'node:child_process';
import { accessSync, constants as fsConstants, mkdtempSync, statSync } from 'node:fs';
import { spawnOnProfile } from './profile-process.js';
import { isIP } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';

/** Where `framescope proxy` listens unless told otherwise. */
export const DEFAULT_PROXY_ADDRESS = '127.0.0.1:8080';

/** What the browser's command line is made from. */
export interface ChromiumArgumentOptions {
  /** The proxy as host:port (an IPv6 host in brackets). */
  proxy: string;
  /** base64 SHA-256 SubjectPublicKeyInfo fingerprints whose certificates Chromium accepts untrusted. */
  spkiFingerprints: readonly string[];
  /** The fresh profile directory. */
  userDataDir: string;
  /** The page to open; about:blank when absent. */
  url?: string;
  /** Further flags, placed before the URL (headless mode in tests, --no-sandbox when running as root). */
  extraArgs?: readonly string[];
}

/** Chromium's command line (without the executable) for browsing through the proxy. */
export function chromiumArguments(options: ChromiumArgumentOptions): string[] {
  return [
    `--user-data-dir=${options.userDataDir}`,
    `--proxy-server=http://${options.proxy}`,
    // Chromium never proxies loopback by default; "<-loopback>" removes that rule, so a local dev server
    // (ws://localhost:3000) goes through the inspector too.
    '--proxy-bypass-list=<-loopback>',
    // Chromium matches these against the certificates the server sent: the leaf's shared key covers every
    // host, and the CA covers leaves made by any Framescope process using this CA.
    `--ignore-certificate-errors-spki-list=${options.spkiFingerprints.join(',')}`,
    '--no-first-run',
    '--no-default-browser-check',
    ...(options.extraArgs ?? []),
    options.url ?? 'about:blank',
  ];
}

/**
 * Reads a proxy address as the user may type it: "8080", "host:8080", "[::1]:8080" or
 * "http://host:8080". Returns "host:port"; a bare port means 127.0.0.1.
 */
export function parseProxyAddress(text: string): string {
  const trimmed = text.trim().replace(/^http:\/\//i, '').replace(/\/$/, '');
  const withHost = /^\d+$/.test(trimmed) ? `127.0.0.1:${trimmed}` : trimmed;
  const match = /^(\[[^\]]+\]|[^:[\]]+):(\d+)$/.exec(withHost);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 1 || port > 65535 || (match[1]!.startsWith('[') && isIP(match[1]!.slice(1, -1)) !== 6)) {
    throw new Error(`invalid proxy address ${JSON.stringify(text)}: expected host:port, e.g. ${DEFAULT_PROXY_ADDRESS}`);
  }
  return `${match[1]}:${port}`;
}

/** Where a platform's Chromium-family browsers are looked for, in order. */
export interface BrowserSearch {
  /** Absolute paths tried first. */
  paths: string[];
  /** Executable names looked up on PATH after them. */
  names: string[];
}

export function browserSearch(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): BrowserSearch {
  if (platform === 'win32') {
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter((root): root is string => Boolean(root));
    return {
      paths: [
        ...roots.map((root) => path.win32.join(root, 'Google', 'Chrome', 'Application', 'chrome.exe')),
        ...roots.map((root) => path.win32.join(root, 'Chromium', 'Application', 'chrome.exe')),
        // Edge is Chromium and ships with Windows: the last resort that is almost always there.
        ...roots.map((root) => path.win32.join(root, 'Microsoft', 'Edge', 'Application', 'msedge.exe')),
      ],
      names: ['chrome.exe', 'chromium.exe'],
    };
  }
  const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
  if (platform === 'darwin') {
    const applications = ['/Applications', path.posix.join(env.HOME || homedir(), 'Applications')];
    return {
      paths: applications.flatMap((dir) => [
        path.posix.join(dir, 'Google Chrome.app', 'Contents', 'MacOS', 'Google Chrome'),
        path.posix.join(dir, 'Chromium.app', 'Contents', 'MacOS', 'Chromium'),
      ]),
      names,
    };
  }
  return { paths: ['/usr/bin/chromium'], names };
}

/** Options for finding the browser. */
export interface FindBrowserOptions {
  /** The user's choice (--browser): a path, or a name looked up on PATH. Nothing else is tried then. */
  browser?: string;
  /** The environment whose PATH, HOME and Windows folders are searched. */
  env?: NodeJS.ProcessEnv;
  /** The platform whose standard locations are searched. */
  platform?: NodeJS.Platform;
}

/** The path of an installed Chromium or Chrome. Throws an error naming every place tried when none is found. */
export function findBrowser(options: FindBrowserOptions = {}): string {
  return findExecutable(options, browserSearch, (search, pathDirs, platform) =>
    `no Chromium or Chrome found; tried ${search.paths.join(', ')}, then ${search.names.join(', ')} on PATH` +
      ` (${pathDirs.join(platform === 'win32' ? ';' : ':') || 'empty'}). Install one, or pass --browser PATH.`);
}

/**
 * The user's choice (a path, or a name on PATH; nothing else is tried then), else the first executable
 * of the search's paths, then of its names on PATH; else an error with notFound's words.
 */
export function findExecutable(
  options: FindBrowserOptions,
  searchFor: (env: NodeJS.ProcessEnv, platform: NodeJS.Platform) => BrowserSearch,
  notFound: (search: BrowserSearch, pathDirs: string[], platform: NodeJS.Platform) => string,
): string {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const pathDirs = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : ':').filter(Boolean);
  const onPath = (name: string): string | undefined =>
    pathDirs.map((dir) => (platform === 'win32' ? path.win32 : path.posix).join(dir, name)).find(isExecutableFile);

  if (options.browser !== undefined) {
    const chosen = options.browser.includes('/') || options.browser.includes('\\') ? options.browser : onPath(options.browser);
    if (chosen !== undefined && isExecutableFile(chosen)) return chosen;
    throw new Error(`browser ${JSON.stringify(options.browser)} not found or not executable`);
  }
  const search = searchFor(env, platform);
  const found = search.paths.find(isExecutableFile) ?? search.names.map(onPath).find((hit) => hit !== undefined);
  if (found !== undefined) return found;
  throw new Error(notFound(search, pathDirs, platform));
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, process.platform === 'win32' ? fsConstants.F_OK : fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** What to launch. */
export interface LaunchBrowserOptions extends Omit<ChromiumArgumentOptions, 'userDataDir'> {
  /** The browser's executable (see findBrowser). */
  executablePath: string;
  /** The child's stdio; inherited by default. */
  stdio?: StdioOptions;
}

/** A running browser. */
export interface LaunchedBrowser {
  /** The browser's main process. */
  child: ChildProcess;
  /** Its temporary profile, removed once it exits. */
  userDataDir: string;
  /** Settles after the browser exited and its profile was removed: its exit code (128 + signal number if killed). Rejects if it could not start. */
  exited: Promise<number>;
}

/** Starts the browser with a fresh temporary profile, through the proxy, trusting the given fingerprints. */
export function launchBrowser(options: LaunchBrowserOptions): LaunchedBrowser {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'framescope-browser-'));
  const { executablePath, stdio, ...argumentOptions } = options;
  const { child, exited } = spawnOnProfile(executablePath, chromiumArguments({ ...argumentOptions, userDataDir }), userDataDir, { stdio: stdio ?? 'inherit' });
  return { child, userDataDir, exited };
}
