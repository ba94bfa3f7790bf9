// Changing traffic from the UI: the composer sends text, validated JSON, binary and a hand-crafted
// raw frame that the ws server receives exactly; a breakpoint holds a message, which arrives edited
// when forwarded from the intercept queue, or never when dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { WebSocket } from 'ws';
import { CHROMIUM } from '../support/chromium.js';
import { opened, startWsServer, wsViaAbsoluteForm } from '../support/peers.js';
import { ensureBuilt } from './support/build.js';
import { launchChromium, monacoReady, openUi, screenshot, startApp, type RunningApp } from './support/ui-app.js';

describe.runIf(existsSync(CHROMIUM))('changing traffic from the UI', () => {
  let app: RunningApp;
  let server: Awaited<ReturnType<typeof startWsServer>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let client: WebSocket;
  /** What the ws server received, in order. */
  const received: { data: Buffer; isBinary: boolean }[] = [];
  /** The text messages the server received, from the n-th message on. */
  const texts = (from = 0) => received.slice(from).filter((r) => !r.isBinary).map((r) => r.data.toString());
  const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 5000 });

  beforeAll(async () => {
    await ensureBuilt();
    [app, server, browser] = await Promise.all([startApp(), startWsServer(), launchChromium()]);
    server.wss.on('connection', (ws) => ws.on('message', (data: Buffer, isBinary: boolean) => received.push({ data, isBinary })));
    ({ page, errors } = await openUi(browser, app.url));
    client = wsViaAbsoluteForm(app.proxyPort, `ws://127.0.0.1:${server.port}/traffic`);
    await opened(client);
    await page.locator('[data-connection-id]').filter({ hasText: '/traffic' }).dispatchEvent('mousedown');
  }, 120_000);

  afterAll(async () => {
    client?.terminate();
    await browser?.close();
    await server?.close();
    await app?.stop();
  });

  /** Replaces the composer's content (typed as a user pastes it: no auto-closing brackets). */
  const compose = async (text: string) => {
    await page.locator('.composer-editor .monaco-host').click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(text);
  };

  it('sends a text message typed in the composer to the server', async () => {
    await page.getByRole('tab', { name: 'Composer' }).click();
    await monacoReady(page);
    await compose('composed by the UI: ✓ ünïcode');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await poll(() => texts()).toContain('composed by the UI: ✓ ünïcode');
    expect(received.at(-1)!.data).toEqual(Buffer.from('composed by the UI: ✓ ünïcode', 'utf8'));
    expect(await page.getByTestId('composer-result').textContent()).toBe('Sent to the server');
  });

  it('refuses invalid JSON and sends valid JSON exactly as written', async () => {
    await page.getByRole('radiogroup', { name: 'Content format' }).getByRole('radio', { name: 'JSON' }).click();
    await compose('{"price": 12.5,}');
    await poll(() => page.getByTestId('composer-check').textContent()).toMatch(/^\s*JSON: /);
    expect(await page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true);
    await compose('{"price": 12.5, "ok": true}');
    await poll(() => page.getByTestId('composer-check').textContent()).toMatch(/^\s*Valid JSON$/);
    await screenshot(page, 'composer');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await poll(() => texts()).toContain('{"price": 12.5, "ok": true}');
  });

  it('sends binary written as hex', async () => {
    await page.getByRole('radiogroup', { name: 'Content format' }).getByRole('radio', { name: 'Hex' }).click();
    await compose('de ad be ef 00 ff');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await poll(() => received.filter((r) => r.isBinary).length).toBe(1);
    expect(received.filter((r) => r.isBinary)[0]!.data).toEqual(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]));
  });

  it('sends a hand-crafted raw frame with the masking key it was given', async () => {
    await page.getByRole('radiogroup', { name: 'Content format' }).getByRole('radio', { name: 'Text' }).click();
    await compose('raw frame!');
    await page.getByRole('radiogroup', { name: 'Send as' }).getByRole('radio', { name: 'Raw frame' }).click();
    await page.getByLabel('Masking key').fill('01020304');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await poll(() => texts()).toContain('raw frame!');
    // The frame is recorded with the key the user chose.
    await page.getByRole('tab', { name: 'Frames' }).click();
    const row = page.locator('[data-frame]').filter({ hasText: 'raw frame!' });
    await row.dispatchEvent('mousedown');
    await page.getByRole('tab', { name: 'Header' }).click();
    expect(await page.locator('tr[data-field="Masking key"] td').nth(1).textContent()).toBe('01020304');
    expect(await row.locator('.mark-injected').textContent()).toBe('injected');
    await page.getByRole('tab', { name: 'Composer' }).click();
    await page.getByRole('radiogroup', { name: 'Send as' }).getByRole('radio', { name: 'Message' }).click();
  });

  it('resends a captured message as it was, and edited from the composer', async () => {
    const before = received.length;
    await page.getByRole('tab', { name: 'Frames' }).click();
    await page.locator('[data-frame]').filter({ hasText: 'composed by the UI' }).first().dispatchEvent('mousedown');
    const detail = page.locator('.frame-detail');
    await detail.getByRole('button', { name: 'Resend', exact: true }).click();
    await poll(() => texts(before)).toEqual(['composed by the UI: ✓ ünïcode']);

    await detail.getByRole('button', { name: 'Edit & resend' }).click();
    await page.locator('.resend-banner').waitFor();
    await monacoReady(page);
    await compose('resent after an edit');
    await page.getByRole('button', { name: 'Resend', exact: true }).click();
    await poll(() => texts(before)).toEqual(['composed by the UI: ✓ ünïcode', 'resent after an edit']);
    await page.getByRole('button', { name: 'Send as a new message instead' }).click();
  });

  it('holds a message at a breakpoint and forwards the edited version', async () => {
    await page.getByRole('tab', { name: /^Intercept/ }).click();
    await page.getByRole('radiogroup', { name: 'Direction' }).getByRole('radio', { name: '↑ Sent' }).click();
    await page.getByLabel('Content').fill('hold-me');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.locator('[data-rule]').filter({ hasText: 'containing “hold-me”' }).waitFor();
    expect(await page.getByRole('button', { name: /^Breakpoints/ }).getAttribute('aria-pressed')).toBe('true');

    const before = received.length;
    client.send('hold-me please');
    await page.locator('[data-held]').filter({ hasText: 'hold-me please' }).waitFor();
    // By id from here on: once edited, the card no longer shows the original text.
    const card = page.locator(`[data-held="${await page.locator('[data-held]').first().getAttribute('data-held')}"]`);
    expect(received.length).toBe(before);
    await screenshot(page, 'intercept-queue');

    await card.getByRole('button', { name: 'Edit', exact: true }).click();
    await card.locator('.monaco[data-ready="true"]').waitFor();
    await card.locator('.monaco-host').click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText('edited at the breakpoint');
    await card.getByRole('button', { name: 'Forward edited' }).click();
    await poll(() => texts(before)).toEqual(['edited at the breakpoint']);
    await poll(() => page.locator('[data-held]').count()).toBe(0);
  });

  it('drops a held message: the server never sees it, and what follows goes on', async () => {
    const before = received.length;
    client.send('hold-me and drop me');
    const card = page.locator('[data-held]').filter({ hasText: 'hold-me and drop me' });
    await card.waitFor();
    await card.getByRole('button', { name: 'Drop', exact: true }).click();
    await poll(() => page.locator('[data-held]').count()).toBe(0);
    client.send('after the drop');
    await poll(() => texts(before)).toEqual(['after the drop']);
    expect(errors).toEqual([]);
  });
});
