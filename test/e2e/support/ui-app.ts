// The real app for end-to-end tests: `framescope ui` as a child process with its own FRAMESCOPE_HOME,
// Debian's Chromium driven by playwright-core, and helpers to wait on the UI's stores.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { BIN } from '../../support/cli.js';
import { CHROMIUM, chromiumArgs } from '../../support/chromium.js';
import { ROOT } from './build.js';

export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

export interface RunningApp {
  /** The UI's URL with its token. */
  url: string;
  /** The proxy's port on 127.0.0.1. */
  proxyPort: number;
  /** FRAMESCOPE_HOME of this run. */
  home: string;
  /** Everything the engine printed. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `framescope ui --no-open --port 0 --proxy-port 0 ...` and waits for its two addresses. env: the rest of its environment. */
export function startApp(args: string[] = [], home = mkdtempSync(join(tmpdir(), 'framescope-e2e-')), env: NodeJS.ProcessEnv = process.env): Promise<RunningApp> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [BIN, 'ui', '--no-open', '--port', '0', '--proxy-port', '0', ...args], {
      env: { ...env, FRAMESCOPE_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const ui = /^ui: (http:\/\/\S+)$/m.exec(out);
      const proxy = /^proxy listening on 127\.0\.0\.1:(\d+)$/m.exec(out);
      if (!ui || !proxy) return;
      child.stdout!.off('data', onData);
      resolve({
        url: ui[1]!,
        proxyPort: Number(proxy[1]),
        home,
        output: () => out,
        stop: () => new Promise<void>((done) => {
          if (child.exitCode !== null) {
            rmSync(home, { recursive: true, force: true });
            done();
            return;
          }
          child.once('exit', () => {
            rmSync(home, { recursive: true, force: true });
            done();
          });
          child.kill('SIGTERM');
        }),
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`framescope ui exited with ${code} before listening:\n${out}`)));
  });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs() });
}

/** Opens the UI and waits until its stores have read the engine's state. Page errors fail the test through `errors`. */
export async function openUi(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
  const page = await context.newPage();
  // Well inside the test timeout, so a step that waits in vain fails with what it waited for.
  page.setDefaultTimeout(8000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  await page.waitForFunction('window.framescope !== undefined');
  await page.evaluate('window.framescope.initialized');
  return { page, errors };
}

/** Saves a screenshot under test-results/screenshots/NAME.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** Waits until every running Monaco editor in the page has loaded. */
export async function monacoReady(page: Page): Promise<void> {
  await page.locator('.monaco[data-ready="true"]').first().waitFor();
}
