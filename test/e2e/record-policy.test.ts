// The recording policy in the UI: the toolbar's control switches what the live session keeps, the
// session says plainly what it was recorded under, and a payload cut by the headers policy says how
// much of it was kept.
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { CHROMIUM } from '../support/chromium.js';
import { nextMessage, opened, wsViaAbsoluteForm } from '../support/peers.js';
import { screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

describe.runIf(existsSync(CHROMIUM))('the recording policy in the UI', () => {
  const ui = useUiSuite((ws) => ws.on('message', (data: Buffer, isBinary) => ws.send(data, { binary: isBinary })));
  const clients: WebSocket[] = [];
  afterAll(() => { for (const ws of clients) ws.terminate(); });

  it('switches to headers from the toolbar, says so beside the session, and shows how much of a payload was kept', async () => {
    const control = ui.page.getByTestId('record-policy');
    await poll(() => control.inputValue()).toBe('full');
    expect(await ui.page.getByTestId('record-policy-badge').count()).toBe(0);

    await control.selectOption('headers');
    const badge = ui.page.getByTestId('record-policy-badge');
    await poll(() => badge.textContent()).toBe('Recorded: full → headers 256 B');
    expect(await control.inputValue()).toBe('headers');

    const ws = wsViaAbsoluteForm(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}/policy`);
    clients.push(ws);
    await opened(ws);
    const text = 'x'.repeat(1000);
    const echoed = nextMessage(ws);
    ws.send(text);
    // The relay passes the whole message whatever the policy.
    expect((await echoed).data.toString()).toBe(text);

    const row = ui.page.locator('[data-connection-id]').filter({ hasText: '/policy' });
    await row.waitFor();
    await row.dispatchEvent('mousedown');
    await ui.page.getByRole('tab', { name: 'Frames' }).click();
    const frame0 = ui.page.locator('[data-frame="0"]');
    await frame0.waitFor();
    await frame0.dispatchEvent('mousedown');
    await ui.page.locator('[data-frame-detail="0"]').waitFor();
    await ui.page.getByRole('tab', { name: 'Payload' }).click();
    await poll(() => ui.page.locator('.payload-view .sub-bar .muted').first().textContent()).toBe('256 B · 1 frame · truncated: first 256 of 1,000 bytes kept');
    await screenshot(ui.page, 'record-policy-headers');

    await control.selectOption('off');
    await poll(() => badge.textContent()).toBe('Recorded: full → headers 256 B → off');
    await control.selectOption('full');
    await poll(() => badge.textContent()).toBe('Recorded: full → headers 256 B → off → full');
    await poll(() => ui.errors).toEqual([]);
  }, 60_000);
});
