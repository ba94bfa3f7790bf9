// A full disk in the UI (a real 4 MiB tmpfs as FRAMESCOPE_HOME, injected ENOSPC where mounting is
// not allowed): the banner says recording is paused
// while writes fail and goes once they succeed, and the frame timeline marks the first frame
// recorded after the gap.
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CHROMIUM } from '../support/chromium.js';
import { nextMessage, opened, startWsServer } from '../support/peers.js';
import { diskFault, type DiskFault } from '../faults/support/disk-fault.js';
import { ensureBuilt } from './support/build.js';
import { launchChromium, openUi, screenshot, startApp, type RunningApp } from './support/ui-app.js';
import { poll } from './support/ui-suite.js';

describe.runIf(existsSync(CHROMIUM) && process.platform === 'linux')('a full disk in the UI', () => {
  let disk: DiskFault | undefined;
  let app: RunningApp | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let errors: string[];
  let server: Awaited<ReturnType<typeof startWsServer>>;

  beforeAll(async () => {
    disk = diskFault();
    await ensureBuilt();
    server = await startWsServer();
    server.wss.on('connection', (ws) => ws.on('message', (data: Buffer, isBinary) => ws.send(data, { binary: isBinary })));
    [app, browser] = await Promise.all([startApp(['--upstream', `ws://127.0.0.1:${server.port}`], disk.home, disk.env), launchChromium()]);
    ({ page, errors } = await openUi(browser, app.url));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await app?.stop();
    disk?.dispose();
  });

  it('shows the banner while writes fail, and marks the gap in the frame timeline', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${app!.proxyPort}/gap`);
    await opened(ws);
    let n = 0;
    const echo = async () => {
      const bytes = Buffer.alloc(1024, n & 0xff);
      bytes.write(`message ${n++};`, 0, 'latin1');
      const reply = nextMessage(ws);
      ws.send(bytes);
      expect((await reply).data.equals(bytes)).toBe(true);
    };
    for (let i = 0; i < 10; i++) await echo();
    await new Promise((resolve) => setTimeout(resolve, 200));
    disk!.fill();
    const banner = page.getByRole('alert').filter({ hasText: 'Recording paused' });
    // Traffic goes on while the disk is full, until the banner says recording paused.
    while (!(await banner.isVisible())) {
      if (n > 3_000) expect.fail('the banner never appeared');
      await echo();
    }
    expect(await banner.textContent()).toMatch(/^Recording paused since \d\d:\d\d:\d\d\.\d\d\d: writes to the session fail \(ENOSPC: no space left on device[^)]*\)\. Traffic still passes through the proxy but is not recorded/);
    for (let i = 0; i < 10; i++) await echo();
    await screenshot(page, 'recording-paused');
    disk!.free();
    await banner.waitFor({ state: 'detached' });
    // Five echoes after the gap: ten frames recorded after it.
    for (let i = 0; i < 5; i++) await echo();
    const row = page.locator('[data-connection-id]').filter({ hasText: '/gap' });
    await row.dispatchEvent('mousedown');
    await page.getByRole('tab', { name: 'Frames' }).click();
    const marker = page.locator('.frame-row:has(.gap-marker)');
    await marker.waitFor();
    expect(await marker.locator('.gap-label').textContent()).toMatch(/^gap: \d+ frames not recorded \(ENOSPC\)$/);
    expect(await marker.locator('.mark-gap').textContent()).toBe('after a gap');
    const total = await page.locator('.frame-row[data-frame]').evaluateAll((rows) => Math.max(...rows.map((r) => Number(r.getAttribute('data-frame')))) + 1);
    expect(Number(await marker.getAttribute('data-frame'))).toBe(total - 10);
    expect(await page.locator('.gap-marker').count()).toBe(1);
    await screenshot(page, 'recording-gap');
    ws.close();
    await poll(() => errors).toEqual([]);
  }, 60_000);
});
