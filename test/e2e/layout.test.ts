// The window at 1440×900 (a common laptop): nothing overflows the page, and the views that used to be
// cut off at this width show all of themselves: the hex dump's ASCII column (with the detail open),
// the raw-frame composer's fields, and long handshake header lines.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import type { WebSocket } from 'ws';
import { CHROMIUM } from '../support/chromium.js';
import { opened, wsViaAbsoluteForm } from '../support/peers.js';
import { screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

/** The page's horizontal overflow in pixels (0 when it fits). */
const pageOverflow = (page: Page) => page.evaluate<number>(
  'Math.max(document.documentElement.scrollWidth - document.documentElement.clientWidth, document.body.scrollWidth - document.body.clientWidth)',
);

/** How far an element reaches past the visible box of each of its clipping ancestors and the viewport (0 when wholly visible). */
const clippedBy = (el: Locator) => el.evaluate((node) => {
  const window = globalThis as unknown as { innerWidth: number; innerHeight: number };
  const getComputedStyle = (globalThis as unknown as { getComputedStyle(e: unknown): { overflowX: string; overflowY: string } }).getComputedStyle;
  const r = node.getBoundingClientRect();
  let worst = Math.max(0, r.right - window.innerWidth, -r.left, r.bottom - window.innerHeight);
  for (let a = node.parentElement; a; a = a.parentElement) {
    const style = getComputedStyle(a);
    if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
    const box = a.getBoundingClientRect();
    // The visible box: the element's border box less its scroll bars.
    const right = box.left + a.clientLeft + a.clientWidth;
    worst = Math.max(worst, r.right - right, box.left - r.left);
  }
  return Math.round(worst);
});

/** An element's content wider than its box (it scrolls or clips sideways). */
const sidewaysOverflow = (el: Locator) => el.evaluate((node) => node.scrollWidth - node.clientWidth);

describe.runIf(existsSync(CHROMIUM))('the layout at 1440×900', () => {
  const clients: WebSocket[] = [];
  const ui = useUiSuite((ws) => ws.on('message', (data: Buffer) => ws.send(data)));

  afterAll(() => {
    for (const ws of clients) ws.terminate();
  });

  it('opens at 1440×900 without a horizontal overflow', async () => {
    expect(ui.page.viewportSize()).toEqual({ width: 1440, height: 900 });
    const long = 'x'.repeat(180);
    const ws = wsViaAbsoluteForm(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}/layout?token=${long}`, {
      headers: { 'X-Long-Header': `${'a-long-header-value-'.repeat(14)}end` },
    });
    clients.push(ws);
    await opened(ws);
    ws.send('The hex view shows sixteen bytes a line: offset, hex and ASCII, all of it.');
    await ui.page.locator('[data-connection-id]').filter({ hasText: '/layout' }).dispatchEvent('mousedown');
    await ui.page.getByRole('tab', { name: 'Frames' }).click();
    await poll(() => ui.page.locator('[data-frame="1"]').count()).toBe(1);
    expect(await pageOverflow(ui.page)).toBe(0);
  });

  it('shows the hex dump\'s ASCII column whole with the detail open', async () => {
    await ui.page.locator('[data-frame="0"]').dispatchEvent('mousedown');
    await ui.page.locator('[data-frame-detail="0"]').waitFor();
    await ui.page.getByRole('tab', { name: 'Hex' }).click();
    const line = ui.page.locator('[data-hex-line="0"]');
    await line.waitFor();
    expect(await line.locator('.hex-ascii').textContent()).toBe('The hex view sho');
    expect(await clippedBy(line.locator('.hex-ascii'))).toBe(0);
    expect(await clippedBy(line.locator('.hex-bytes'))).toBe(0);
    expect(await pageOverflow(ui.page)).toBe(0);
    await screenshot(ui.page, 'layout-1440-hex');
  });

  it('shows every field of the raw-frame composer', async () => {
    await ui.page.getByRole('tab', { name: 'Composer' }).click();
    await ui.page.getByRole('radiogroup', { name: 'Send as' }).getByRole('radio', { name: 'Raw frame' }).click();
    const side = ui.page.locator('.composer-side');
    await side.locator('.raw-fields').waitFor();
    expect(await sidewaysOverflow(side)).toBe(0);
    for (const part of ['.raw-bits', '#raw-opcode', '#raw-key', '#raw-length', '#raw-form', '.send-button']) {
      expect(await clippedBy(side.locator(part)), part).toBe(0);
    }
    for (const option of await side.getByRole('radiogroup', { name: 'Send as' }).getByRole('radio').all()) {
      expect(await clippedBy(option), await option.textContent() ?? '').toBe(0);
    }
    expect(await pageOverflow(ui.page)).toBe(0);
    await screenshot(ui.page, 'layout-1440-raw-composer');
    await side.getByRole('radiogroup', { name: 'Send as' }).getByRole('radio', { name: 'Message' }).click();
  });

  it('wraps long handshake lines instead of cutting them off', async () => {
    await ui.page.getByRole('tab', { name: 'Handshake' }).click();
    const request = ui.page.getByTestId('handshake-request');
    await request.waitFor();
    expect(await request.textContent()).toContain(`X-Long-Header: ${'a-long-header-value-'.repeat(14)}end`);
    expect(await sidewaysOverflow(request)).toBe(0);
    expect(await sidewaysOverflow(ui.page.getByTestId('handshake-response'))).toBe(0);
    expect(await clippedBy(ui.page.locator('.hs-url code'))).toBe(0);
    expect(await pageOverflow(ui.page)).toBe(0);
    await screenshot(ui.page, 'layout-1440-handshake');
    expect(ui.errors).toEqual([]);
  });
});
