// Changing traffic from the UI: the composer sends text, validated JSON, binary and a hand-crafted
// raw frame that the ws server receives exactly; a breakpoint holds a message, which arrives edited
// when forwarded from the intercept queue, or never when dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { WebSocket } from 'ws';
import { CHROMIUM } from '../support/chromium.js';
import { opened, wsViaAbsoluteForm } from '../support/peers.js';
import { monacoReady, screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

describe.runIf(existsSync(CHROMIUM))('changing traffic from the UI', () => {
  let client: WebSocket;
  /** What the ws server received, in order. */
  const received: { data: Buffer; isBinary: boolean }[] = [];
  /** The text messages the server received, from the n-th message on. */
  const texts = (from = 0) => received.slice(from).filter((r) => !r.isBinary).map((r) => r.data.toString());

  const ui = useUiSuite((ws) => ws.on('message', (data: Buffer, isBinary: boolean) => received.push({ data, isBinary })));

  beforeAll(async () => {
    client = wsViaAbsoluteForm(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}/traffic`);
    await opened(client);
    await ui.page.locator('[data-connection-id]').filter({ hasText: '/traffic' }).dispatchEvent('mousedown');
  });

  afterAll(() => {
    client?.terminate();
  });

  /** Replaces the composer's content (typed as a user pastes it: no auto-closing brackets). */
  const compose = async (text: string) => {
    await ui.page.locator('.composer-editor .monaco-host').click();
    await ui.page.keyboard.press('ControlOrMeta+a');
    await ui.page.keyboard.press('Delete');
    await ui.page.keyboard.insertText(text);
  };

  it('sends a text message typed in the composer to the server', async () => {
    await ui.page.getByRole('tab', { name: 'Composer' }).click();
    await monacoReady(ui.page);
    await compose('composed by the UI: ✓ ünïcode');
    await ui.page.getByRole('button', { name: 'Send', exact: true }).click();
    await poll(() => texts()).toContain('composed by the UI: ✓ ünïcode');
    expect(received.at(-1)!.data).toEqual(Buffer.from('composed by the UI: ✓ ünïcode', 'utf8'));
    expect(await ui.page.getByTestId('composer-result').textContent()).toBe('Sent to the server');
  });

  it('refuses invalid JSON and sends valid JSON exactly as written', async () => {
    await ui.page.getByRole('radiogroup', { name: 'Content format' }).getByRole('radio', { name: 'JSON' }).click();
    await compose('{"price": 12.5,}');
    await poll(() => ui.page.getByTestId('composer-check').textContent()).toMatch(/^\s*JSON: /);
    expect(await ui.page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true);
    await compose('{"price": 12.5, "ok": true}');
    await poll(() => ui.page.getByTestId('composer-check').textContent()).toMatch(/^\s*Valid JSON$/);
    await screenshot(ui.page, 'composer');
    await ui.page.getByRole('button', { name: 'Send', exact: true }).click();
    await poll(() => texts()).toContain('{"price": 12.5, "ok": true}');
  });

  it('sends binary written as hex', async () => {
    await ui.page.getByRole('radiogroup', { name: 'Content format' }).getByRole('radio', { name: 'Hex' }).click();
    await compose('de ad be ef 00 ff');
    await ui.page.getByRole('button', { name: 'Send', exact: true }).click();
    await poll(() => received.filter((r) => r.isBinary).length).toBe(1);
    expect(received.filter((r) => r.isBinary)[0]!.data).toEqual(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]));
  });

  it('sends a hand-crafted raw frame with the masking key it was given', async () => {
    await ui.page.getByRole('radiogroup', { name: 'Content format' }).getByRole('radio', { name: 'Text' }).click();
    await compose('raw frame!');
    await ui.page.getByRole('radiogroup', { name: 'Send as' }).getByRole('radio', { name: 'Raw frame' }).click();
    await ui.page.getByLabel('Masking key').fill('01020304');
    await ui.page.getByRole('button', { name: 'Send', exact: true }).click();
    await poll(() => texts()).toContain('raw frame!');
    // The frame is recorded with the key the user chose.
    await ui.page.getByRole('tab', { name: 'Frames' }).click();
    const row = ui.page.locator('[data-frame]').filter({ hasText: 'raw frame!' });
    await row.dispatchEvent('mousedown');
    await ui.page.getByRole('tab', { name: 'Header' }).click();
    expect(await ui.page.locator('tr[data-field="Masking key"] td').nth(1).textContent()).toBe('01020304');
    expect(await row.locator('.mark-injected').textContent()).toBe('injected');
    await ui.page.getByRole('tab', { name: 'Composer' }).click();
    await ui.page.getByRole('radiogroup', { name: 'Send as' }).getByRole('radio', { name: 'Message' }).click();
  });

  it('resends a captured message as it was, and edited from the composer', async () => {
    const before = received.length;
    await ui.page.getByRole('tab', { name: 'Frames' }).click();
    await ui.page.locator('[data-frame]').filter({ hasText: 'composed by the UI' }).first().dispatchEvent('mousedown');
    const detail = ui.page.locator('.frame-detail');
    await detail.getByRole('button', { name: 'Resend', exact: true }).click();
    await poll(() => texts(before)).toEqual(['composed by the UI: ✓ ünïcode']);

    await detail.getByRole('button', { name: 'Edit & resend' }).click();
    await ui.page.locator('.resend-banner').waitFor();
    await monacoReady(ui.page);
    await compose('resent after an edit');
    await ui.page.getByRole('button', { name: 'Resend', exact: true }).click();
    await poll(() => texts(before)).toEqual(['composed by the UI: ✓ ünïcode', 'resent after an edit']);
    await ui.page.getByRole('button', { name: 'Send as a new message instead' }).click();
  });

  it('holds a message at a breakpoint and forwards the edited version', async () => {
    await ui.page.getByRole('tab', { name: /^Intercept/ }).click();
    await ui.page.getByRole('radiogroup', { name: 'Direction' }).getByRole('radio', { name: '↑ Sent' }).click();
    await ui.page.getByLabel('Content').fill('hold-me');
    await ui.page.getByRole('button', { name: 'Add rule' }).click();
    await ui.page.locator('[data-rule]').filter({ hasText: 'containing “hold-me”' }).waitFor();
    expect(await ui.page.getByRole('button', { name: /^Breakpoints/ }).getAttribute('aria-pressed')).toBe('true');

    const before = received.length;
    client.send('hold-me please');
    await ui.page.locator('[data-held]').filter({ hasText: 'hold-me please' }).waitFor();
    // By id from here on: once edited, the card no longer shows the original text.
    const card = ui.page.locator(`[data-held="${await ui.page.locator('[data-held]').first().getAttribute('data-held')}"]`);
    expect(received.length).toBe(before);
    await screenshot(ui.page, 'intercept-queue');

    await card.getByRole('button', { name: 'Edit', exact: true }).click();
    await card.locator('.monaco[data-ready="true"]').waitFor();
    await card.locator('.monaco-host').click();
    await ui.page.keyboard.press('ControlOrMeta+a');
    await ui.page.keyboard.press('Delete');
    await ui.page.keyboard.insertText('edited at the breakpoint');
    await card.getByRole('button', { name: 'Forward edited' }).click();
    await poll(() => texts(before)).toEqual(['edited at the breakpoint']);
    await poll(() => ui.page.locator('[data-held]').count()).toBe(0);
  });

  it('drops a held message: the server never sees it, and what follows goes on', async () => {
    const before = received.length;
    client.send('hold-me and drop me');
    const card = ui.page.locator('[data-held]').filter({ hasText: 'hold-me and drop me' });
    await card.waitFor();
    await card.getByRole('button', { name: 'Drop', exact: true }).click();
    await poll(() => ui.page.locator('[data-held]').count()).toBe(0);
    client.send('after the drop');
    await poll(() => texts(before)).toEqual(['after the drop']);
    expect(ui.errors).toEqual([]);
  });
});
