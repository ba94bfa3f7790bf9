// Times after a hold, in Chromium on real traffic: a message held at a breakpoint and one queued behind
// it are listed at the time they went on the wire (the list never goes backwards), with a mark; the
// detail shows when each arrived at the proxy and when it was sent on the wire.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { WebSocket } from 'ws';
import { CHROMIUM } from '../support/chromium.js';
import { closed, opened, wsViaAbsoluteForm } from '../support/peers.js';
import { screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

/** How long the test holds the message (the wire time is at least this much after the arrival). */
const HOLD_MS = 300;

describe.runIf(existsSync(CHROMIUM))('times after a hold', () => {
  const ui = useUiSuite((ws) => {
    ws.on('message', (data: Buffer) => ws.send(`echo: ${data.toString()}`));
    ws.on('error', () => {});
  });
  const clients: WebSocket[] = [];
  afterAll(() => {
    for (const c of clients) c.terminate();
  });
  /** A command through the UI's own control client. */
  const api = <T>(method: string, params: unknown) => ui.page.evaluate(
    ([m, p]) => (globalThis as unknown as { framescope: { client: { request(m: string, p: unknown): Promise<unknown> } } }).framescope.client.request(m as string, p),
    [method, params] as const,
  ) as Promise<T>;
  type Held = { id: number; queuedCount: number };

  it('lists held and queued frames at their wire time with a mark, and the detail shows both times', async () => {
    const path = '/held-times';
    const ws = wsViaAbsoluteForm(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}${path}`);
    clients.push(ws);
    const echoes: string[] = [];
    ws.on('message', (data: Buffer) => echoes.push(data.toString()));
    await opened(ws);
    const rule = await api<{ id: number }>('setBreakpoint', { rule: { id: 0, enabled: true, phase: 'message', direction: 'send', regex: '^hold' } });
    ws.send('first');
    await poll(() => echoes).toEqual(['echo: first']);
    ws.send('hold me');
    await poll(async () => (await api<Held[]>('listHeld', {})).length).toBe(1);
    ws.send('queued');
    await poll(async () => (await api<Held[]>('listHeld', {}))[0]?.queuedCount).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
    const [held] = await api<Held[]>('listHeld', {});
    await api('resolveHeld', { id: held!.id, action: 'forward' });
    await poll(() => echoes).toEqual(['echo: first', 'echo: hold me', 'echo: queued']);
    await api('deleteBreakpoint', { id: rule.id });
    ws.close(1000);
    await closed(ws);

    const row = ui.page.locator('[data-connection-id]').filter({ hasText: path }).first();
    await poll(() => row.locator('.td').nth(2).textContent()).toBe('closed');
    await row.dispatchEvent('mousedown');
    await ui.page.getByRole('tab', { name: 'Frames' }).click();
    const frameRow = (n: number) => ui.page.locator(`[data-frame="${n}"]`);
    await frameRow(0).waitFor();
    // Frames 2 and 3 (the held message and the one queued behind it) waited at the proxy: only they are marked.
    await poll(() => ui.page.locator('[data-frame]').evaluateAll((rows) => rows
      .filter((r) => r.querySelector('.arrived-mark') !== null).map((r) => Number(r.getAttribute('data-frame'))))).toEqual([2, 3]);

    await frameRow(2).dispatchEvent('mousedown');
    const times = ui.page.locator('[data-frame-detail="2"] .wire-times');
    await times.waitFor();
    const arrived = Number(await times.getAttribute('data-arrived-at'));
    const sent = Number(await times.getAttribute('data-sent-at'));
    expect(sent).toBeGreaterThanOrEqual(arrived + HOLD_MS);
    expect(await times.textContent()).toMatch(/^Arrived at proxy \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}· sent on the wire \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\(waited \d+(\.\d)? m?s at the proxy\)$/);
    await screenshot(ui.page, 'hold-times');

    // A frame that went on as it came shows one time.
    await frameRow(1).dispatchEvent('mousedown');
    await ui.page.locator('[data-frame-detail="1"]').waitFor();
    expect(await ui.page.locator('[data-frame-detail="1"] .wire-times').count()).toBe(0);
    expect(ui.errors).toEqual([]);
  });
});
