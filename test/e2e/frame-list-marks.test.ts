// The frame list's own tools, in Chromium on real traffic: a note, a pin and a highlight on a frame and
// a note on the connection, saved by the engine (they are there again after a reload); the pinned
// list jumps to a pinned frame; the column chooser hides a column and keeps the choice; epoch times.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { WebSocket } from 'ws';
import { CHROMIUM } from '../support/chromium.js';
import { closed, nextMessage, opened, wsViaAbsoluteForm } from '../support/peers.js';
import { screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

/** The page's getComputedStyle (the tests are type-checked without the DOM's types). */
type Styled = { getComputedStyle(e: unknown): { backgroundColor: string; display: string } };

describe.runIf(existsSync(CHROMIUM))('frame list marks, columns and times', () => {
  const ui = useUiSuite((ws) => {
    ws.on('message', (data: Buffer) => ws.send(`echo: ${data.toString()}`));
    ws.on('error', () => {});
  });
  const clients: WebSocket[] = [];
  afterAll(() => {
    for (const c of clients) c.terminate();
  });
  const page = () => ui.page;
  const frameRow = (n: number) => page().locator(`[data-frame="${n}"]`);
  const sentAt: number[] = [];

  const openConnection = async (path: string) => {
    const row = page().locator('[data-connection-id]').filter({ hasText: path }).first();
    await poll(() => row.locator('.td').nth(2).textContent()).toBe('closed');
    await row.dispatchEvent('mousedown');
    await page().getByRole('tab', { name: 'Frames' }).click();
    await frameRow(0).waitFor();
  };

  it('saves a note, a pin and a highlight on a frame and a note on the connection; they survive a reload', async () => {
    const path = '/marks';
    const ws = wsViaAbsoluteForm(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}${path}`);
    clients.push(ws);
    await opened(ws);
    for (const text of ['first', 'second']) {
      sentAt.push(Date.now());
      ws.send(text);
      await nextMessage(ws);
    }
    ws.close(1000);
    await closed(ws);
    await openConnection(path);

    await frameRow(2).dispatchEvent('mousedown');
    const detail = page().locator('[data-frame-detail="2"]');
    await detail.waitFor();
    await detail.getByLabel('Note on this frame').fill('qty should be 10\nsee ticket 42');
    await detail.getByRole('button', { name: 'Save note' }).click();
    await detail.getByRole('button', { name: 'Pin', exact: true }).click();
    await detail.getByRole('button', { name: 'Highlight red' }).click();
    await poll(() => frameRow(2).locator('.row-note').textContent()).toBe('qty should be 10');
    await poll(() => frameRow(2).locator('.row-pin').count()).toBe(1);
    await poll(() => frameRow(2).locator('.row-highlight.hl-red').count()).toBe(1);
    expect(await frameRow(2).evaluate((row) => (globalThis as unknown as Styled).getComputedStyle(row).backgroundColor)).toBe('rgba(239, 68, 68, 0.16)');
    expect(await detail.getByRole('button', { name: 'Highlight red' }).getAttribute('aria-pressed')).toBe('true');
    await screenshot(page(), 'notes-pins-highlights');

    await page().getByRole('tab', { name: 'Handshake' }).click();
    await page().getByLabel('Note on this connection').fill('checkout flow, second try');
    await page().getByRole('button', { name: 'Save note' }).click();
    await poll(() => page().getByRole('button', { name: 'Save note' }).count()).toBe(0);

    await page().reload();
    await page().waitForFunction('window.framescope !== undefined');
    await page().evaluate('window.framescope.initialized');
    await openConnection(path);
    await poll(() => frameRow(2).locator('.row-note').textContent()).toBe('qty should be 10');
    expect(await frameRow(2).locator('.row-note').getAttribute('title')).toBe('qty should be 10\nsee ticket 42');
    expect(await frameRow(2).locator('.row-pin').count()).toBe(1);
    expect(await frameRow(0).locator('.row-note, .row-pin, .row-highlight').count()).toBe(0);
    await page().getByRole('tab', { name: 'Handshake' }).click();
    expect(await page().getByLabel('Note on this connection').inputValue()).toBe('checkout flow, second try');
    await page().getByRole('tab', { name: 'Frames' }).click();
  });

  it('lists the pinned frames and shows one on a click', async () => {
    await frameRow(0).dispatchEvent('mousedown');
    await page().locator('[data-frame-detail="0"]').waitFor();
    await page().getByRole('button', { name: 'Pinned' }).click();
    expect(await page().getByRole('menuitem').allTextContents()).toEqual(['#2 · qty should be 10']);
    await page().getByRole('menuitem', { name: '#2 · qty should be 10' }).click();
    await page().locator('[data-frame-detail="2"]').waitFor();
    expect(await page().locator('[data-frame].selected').getAttribute('data-frame')).toBe('2');
  });

  it('hides a column from the chooser and keeps the choice after a reload', async () => {
    const heads = () => page().locator('.frames-table .thead .th:visible').allTextContents();
    expect(await heads()).toEqual(['#', 'Time', 'Dir', 'Opcode', 'Flags', 'Length', 'Payload', 'Protocol', 'Notes']);
    await page().getByRole('button', { name: 'Columns' }).click();
    await page().getByRole('group', { name: 'Columns' }).getByLabel('Flags').uncheck();
    await page().getByRole('group', { name: 'Columns' }).getByLabel('Direction').uncheck();
    expect(await heads()).toEqual(['#', 'Time', 'Opcode', 'Length', 'Payload', 'Protocol', 'Notes']);
    expect(await frameRow(0).evaluate((row) => [...row.children].filter((cell) => (globalThis as unknown as Styled).getComputedStyle(cell).display !== 'none').length)).toBe(7);
    await screenshot(page(), 'column-chooser');
    await page().keyboard.press('Escape');

    await page().reload();
    await page().waitForFunction('window.framescope !== undefined');
    await page().evaluate('window.framescope.initialized');
    await openConnection('/marks');
    expect(await heads()).toEqual(['#', 'Time', 'Opcode', 'Length', 'Payload', 'Protocol', 'Notes']);
    await page().getByRole('button', { name: 'Columns' }).click();
    await page().getByRole('group', { name: 'Columns' }).getByLabel('Flags').check();
    await page().getByRole('group', { name: 'Columns' }).getByLabel('Direction').check();
    await page().keyboard.press('Escape');
    expect(await heads()).toEqual(['#', 'Time', 'Dir', 'Opcode', 'Flags', 'Length', 'Payload', 'Protocol', 'Notes']);
  });

  it('writes times as epoch seconds', async () => {
    await page().getByRole('radiogroup', { name: 'Time' }).getByRole('radio', { name: 'Epoch' }).click();
    expect(await page().locator('.frames-table .thead .th').nth(1).textContent()).toBe('Epoch (s)');
    const text = (await frameRow(0).locator('.td.time').textContent())!;
    expect(text).toMatch(/^\d{10}\.\d{3}$/);
    // Frame 0 passed the proxy after the client sent it and within the test's run.
    expect(Number(text) * 1000).toBeGreaterThanOrEqual(sentAt[0]! - 1);
    expect(Number(text) * 1000).toBeLessThanOrEqual(Date.now());
    await page().getByRole('radiogroup', { name: 'Time' }).getByRole('radio', { name: 'Clock' }).click();
    expect(ui.errors).toEqual([]);
  });
});
