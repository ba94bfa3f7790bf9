// Sorting the frame list by a column, in Chromium on real traffic through the proxy: a click on the
// Length head sorts ascending, another descending (aria-sort and the arrow follow); frames that arrive
// meanwhile land in their sorted place; a direction filter and a search hit compose with the sort; # goes
// back to wire order.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { WebSocket } from 'ws';
import { CHROMIUM } from '../support/chromium.js';
import { nextMessage, opened, wsViaAbsoluteForm } from '../support/peers.js';
import { screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

describe.runIf(existsSync(CHROMIUM))('frame list sorting', () => {
  const ui = useUiSuite((ws) => {
    ws.on('message', (data: Buffer) => ws.send(`echo: ${data.toString()}`));
    ws.on('error', () => {});
  });
  const clients: WebSocket[] = [];
  afterAll(() => {
    for (const c of clients) c.terminate();
  });
  const page = () => ui.page;
  const numberHead = () => page().locator('.frames-table').getByRole('columnheader', { name: '#' });

  /** The frame numbers of the rows shown, top to bottom. */
  const visibleOrder = () => page().locator('.frames-table [data-frame]').evaluateAll((rows) => rows
    .map((r) => ({ top: (r as unknown as { getBoundingClientRect(): { top: number } }).getBoundingClientRect().top, n: Number((r as unknown as { getAttribute(a: string): string }).getAttribute('data-frame')) }))
    .sort((a, b) => a.top - b.top)
    .map((r) => r.n));

  it('sorts by length on a click of its head, both ways, as live frames arrive, under a filter and from a search hit', async () => {
    const path = '/sort-me';
    const ws = wsViaAbsoluteForm(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}${path}`);
    clients.push(ws);
    await opened(ws);
    // Frames 0-7: sent 3, echo 9, sent 1, echo 7, sent 5, echo 11, sent 2, echo 8 payload bytes.
    for (const text of ['ccc', 'a', 'eeeee', 'bb']) {
      ws.send(text);
      await nextMessage(ws);
    }
    const row = page().locator('[data-connection-id]').filter({ hasText: path }).first();
    await row.waitFor();
    await row.dispatchEvent('mousedown');
    await page().getByRole('tab', { name: 'Frames' }).click();
    await poll(visibleOrder).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);

    const length = page().locator('.frames-table').getByRole('columnheader', { name: 'Length' });
    expect(await length.getAttribute('aria-sort')).toBe('none');
    expect(await numberHead().getAttribute('aria-sort')).toBe('ascending');
    await length.click();
    await poll(visibleOrder).toEqual([2, 6, 0, 4, 3, 7, 1, 5]);
    expect(await length.getAttribute('aria-sort')).toBe('ascending');
    expect(await numberHead().getAttribute('aria-sort')).toBe('none');
    expect(await length.locator('svg').count()).toBe(1);
    expect(await page().locator('.frames-table .tr[data-frame] .td.num:not(.muted)').allTextContents()).toEqual(['1', '2', '3', '5', '7', '8', '9', '11']);

    await length.click();
    await poll(visibleOrder).toEqual([5, 1, 7, 3, 4, 0, 6, 2]);
    expect(await length.getAttribute('aria-sort')).toBe('descending');

    // Live frames land in their sorted place: sent 4 (frame 8), echo 10 (frame 9).
    ws.send('dddd');
    await nextMessage(ws);
    await poll(visibleOrder).toEqual([5, 9, 1, 7, 3, 4, 8, 0, 6, 2]);

    // A filter composes with the sort.
    await page().getByRole('radiogroup', { name: 'Direction' }).getByRole('radio', { name: '↑ Sent' }).click();
    await poll(visibleOrder).toEqual([4, 8, 0, 6, 2]);
    expect(await length.getAttribute('aria-sort')).toBe('descending');
    await screenshot(page(), 'sorted-list');

    await page().getByRole('radiogroup', { name: 'Direction' }).getByRole('radio', { name: 'All' }).click();
    await poll(visibleOrder).toEqual([5, 9, 1, 7, 3, 4, 8, 0, 6, 2]);

    // A search hit opened from its list is shown in the sorted list, which is still sorted.
    await page().getByLabel('Search payloads').fill('dddd');
    await page().getByLabel('Search payloads').press('Enter');
    await page().locator('[data-hit="8"]').dblclick();
    await poll(() => page().locator('.frames-table [data-frame="8"]').getAttribute('aria-selected')).toBe('true');
    expect(await visibleOrder()).toEqual([5, 9, 1, 7, 3, 4, 8, 0, 6, 2]);
    expect(await length.getAttribute('aria-sort')).toBe('descending');
    await numberHead().click();
    await poll(visibleOrder).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await length.getAttribute('aria-sort')).toBe('none');
    expect(ui.errors).toEqual([]);
  });
});
