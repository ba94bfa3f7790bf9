// Every editor that sends (the intercept queue's message and handshake editors, the composer, and
// the composer resending a captured message) sends exactly the text in it: nothing is pretty-printed
// unless the user presses Format, and zero-delay typing loses no keystroke.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { WebSocket } from 'ws';
import { CHROMIUM } from '../support/chromium.js';
import { opened, wsViaAbsoluteForm } from '../support/peers.js';
import { monacoReady, screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

/** A compact JSON message of 46 bytes with a quantity of 10. */
const COMPACT = '{"order":"A-17","item":"bolts","qty":10,"n":1}';

/** Texts typed at zero delay: no brackets or quotes, which Monaco would auto-close. */
const typed = (i: number) => `round ${i}: the quick brown fox jumps over the lazy dog ${'xyz '.repeat(i)}end`;

/** Replaces the text of the editor inside `scope` by typing it key by key with no delay. */
async function typeInto(page: Page, scope: string, text: string): Promise<void> {
  await page.locator(`${scope} .monaco-host`).click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.type(text, { delay: 0 });
}

/** The text the Monaco editor inside `scope` shows, line by line (lines kept short enough not to wrap). */
async function editorText(page: Page, scope: string): Promise<string> {
  const lines = await page.locator(`${scope} .view-lines .view-line`).evaluateAll((els) => els.map((el) => ({
    top: parseFloat((el as unknown as { style: { top: string } }).style.top),
    text: el.textContent ?? '',
  })));
  return lines.sort((a, b) => a.top - b.top).map((l) => l.text.replace(/\u00a0/g, ' ')).join('\n');
}

describe.runIf(existsSync(CHROMIUM))('the editors send exactly what they show', () => {
  let client: WebSocket;
  /** What the ws server received, in order, as bytes. */
  const received: Buffer[] = [];
  /** The request targets of the upgrade requests the ws server received. */
  const targets: string[] = [];

  const ui = useUiSuite((ws, request) => {
    targets.push(request.url ?? '');
    ws.on('message', (data: Buffer) => received.push(Buffer.from(data)));
  });

  beforeAll(async () => {
    expect(Buffer.byteLength(COMPACT)).toBe(46);
    client = wsViaAbsoluteForm(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}/editors`);
    await opened(client);
    await ui.page.locator('[data-connection-id]').filter({ hasText: '/editors' }).dispatchEvent('mousedown');
  });

  afterAll(() => {
    client?.terminate();
  });

  const addRule = async (phase: 'Messages' | 'Handshakes', content?: string) => {
    await ui.page.getByRole('tab', { name: /^Intercept/ }).click();
    await ui.page.getByRole('radiogroup', { name: 'Hold' }).getByRole('radio', { name: phase }).click();
    await ui.page.getByRole('radiogroup', { name: 'Direction' }).getByRole('radio', { name: phase === 'Messages' ? '↑ Sent' : 'Both' }).click();
    if (content !== undefined) await ui.page.getByLabel('Content').fill(content);
    await ui.page.getByRole('button', { name: 'Add rule' }).click();
    await ui.page.locator('[data-rule]').last().waitFor();
    const pressed = await ui.page.getByRole('button', { name: /^Breakpoints/ }).getAttribute('aria-pressed');
    if (pressed !== 'true') await ui.page.getByRole('button', { name: /^Breakpoints/ }).click();
  };

  /** Removes every breakpoint rule (through the UI's intercept store: the rules list is not what is tested here). */
  const deleteRules = async () => {
    await ui.page.evaluate('Promise.all(window.framescope.intercept.rules.map((r) => window.framescope.intercept.deleteRule(r.id)))');
    await poll(() => ui.page.locator('[data-rule]').count()).toBe(0);
  };

  /** The newest held item handled so far: the card of one just forwarded may still show for a moment. */
  let lastHeld = -1;
  /** Opens the editor of the newly held item and returns its card's selector. */
  const editHeld = async (): Promise<string> => {
    const newer = () => ui.page.locator('[data-held]').evaluateAll((cards, last) => cards.map((c) => Number(c.getAttribute('data-held'))).filter((id) => id > last), lastHeld);
    await poll(async () => (await newer()).length).toBeGreaterThan(0);
    const id = Math.min(...(await newer()));
    lastHeld = id;
    const scope = `[data-held="${id}"]`;
    await ui.page.locator(scope).getByRole('button', { name: 'Edit', exact: true }).click();
    await ui.page.locator(`${scope} .monaco[data-ready="true"]`).waitFor();
    return scope;
  };

  it('edits a held compact JSON message in place: only the touched bytes change', async () => {
    await addRule('Messages', '"qty"');
    const before = received.length;
    client.send(COMPACT);
    const scope = await editHeld();
    // The editor shows the message as it came, not pretty-printed.
    await poll(() => editorText(ui.page, scope)).toBe(COMPACT);
    // Select "10" (after `{"order":"A-17","item":"bolt","qty":`) and type 99 over it.
    await ui.page.locator(`${scope} .monaco-host`).click();
    await ui.page.keyboard.press('ControlOrMeta+Home');
    const at = COMPACT.indexOf('10');
    for (let i = 0; i < at; i++) await ui.page.keyboard.press('ArrowRight');
    await ui.page.keyboard.press('Shift+ArrowRight');
    await ui.page.keyboard.press('Shift+ArrowRight');
    await ui.page.keyboard.type('99');
    await ui.page.locator(scope).getByRole('button', { name: 'Forward edited' }).click();
    await poll(() => received.length).toBe(before + 1);
    expect(received[before]).toEqual(Buffer.from(COMPACT.replace('10', '99'), 'utf8'));
    expect(received[before]!.length).toBe(46);
  });

  it('pretty-prints a held message only when Format is pressed, and then sends the formatted text', async () => {
    const before = received.length;
    client.send(COMPACT);
    const scope = await editHeld();
    await poll(() => editorText(ui.page, scope)).toBe(COMPACT);
    await ui.page.locator(scope).getByRole('button', { name: 'Format' }).click();
    const pretty = JSON.stringify(JSON.parse(COMPACT), null, 2);
    await poll(() => editorText(ui.page, scope)).toBe(pretty);
    await screenshot(ui.page, 'intercept-format-button');
    await ui.page.locator(scope).getByRole('button', { name: 'Forward edited' }).click();
    await poll(() => received.length).toBe(before + 1);
    expect(received[before]!.toString('utf8')).toBe(pretty);
  });

  it('keeps every keystroke typed at zero delay into a held message (5 rounds)', async () => {
    for (let i = 1; i <= 5; i++) {
      const before = received.length;
      client.send(`{"qty":${i}}`);
      const scope = await editHeld();
      await typeInto(ui.page, scope, typed(i));
      await poll(() => editorText(ui.page, scope)).toBe(typed(i));
      await ui.page.locator(scope).getByRole('button', { name: 'Forward edited' }).click();
      await poll(() => received.length).toBe(before + 1);
      expect(received[before]).toEqual(Buffer.from(typed(i), 'utf8'));
    }
    await deleteRules();
  }, 60_000);

  it('keeps every keystroke typed at zero delay into a held handshake\'s request target (5 rounds)', async () => {
    await addRule('Handshakes');
    const clients: WebSocket[] = [];
    try {
      for (let i = 1; i <= 5; i++) {
        const ws = wsViaAbsoluteForm(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}/held-handshake-${i}`);
        const open = opened(ws);
        clients.push(ws);
        const scope = await editHeld();
        await poll(async () => (await editorText(ui.page, scope)).split('\n')[0]).toBe(`/held-handshake-${i}`);
        // Retype the first line (the request target) only.
        await ui.page.locator(`${scope} .monaco-host`).click();
        await ui.page.keyboard.press('ControlOrMeta+Home');
        await ui.page.keyboard.press('Shift+End');
        const target = `/typed-${i}?fast=${'0123456789'.repeat(2)}&round=${i}&typed-without-delay`;
        await ui.page.keyboard.type(target, { delay: 0 });
        await poll(async () => (await editorText(ui.page, scope)).split('\n')[0]).toBe(target);
        await ui.page.locator(scope).getByRole('button', { name: 'Forward edited' }).click();
        await open;
        expect(targets.at(-1)).toBe(target);
      }
    } finally {
      for (const ws of clients) ws.terminate();
      await deleteRules();
    }
  }, 60_000);

  it('keeps every keystroke typed at zero delay into the composer (5 rounds)', async () => {
    await ui.page.locator('[data-connection-id]').filter({ hasText: '/editors' }).dispatchEvent('mousedown');
    await ui.page.getByRole('tab', { name: 'Composer' }).click();
    await monacoReady(ui.page);
    await ui.page.getByRole('radiogroup', { name: 'Content format' }).getByRole('radio', { name: 'Text' }).click();
    for (let i = 1; i <= 5; i++) {
      const before = received.length;
      await typeInto(ui.page, '.composer-editor', typed(i));
      await poll(() => editorText(ui.page, '.composer-editor')).toBe(typed(i));
      await ui.page.getByRole('button', { name: 'Send', exact: true }).click();
      await poll(() => received.length).toBe(before + 1);
      expect(received[before]).toEqual(Buffer.from(typed(i), 'utf8'));
    }
  });

  it('resends a captured compact JSON message byte for byte, pretty-printed only on Format', async () => {
    const before = received.length;
    client.send(COMPACT);
    await poll(() => received.length).toBe(before + 1);
    await ui.page.getByRole('tab', { name: 'Frames' }).click();
    // The newest row with that text (rows are recycled slots: the DOM order is not the list's).
    const numbers = await ui.page.locator('[data-frame]').filter({ hasText: COMPACT }).evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-frame'))));
    await ui.page.locator(`[data-frame="${Math.max(...numbers)}"]`).dispatchEvent('mousedown');
    await ui.page.locator('.frame-detail').getByRole('button', { name: 'Edit & resend' }).click();
    await ui.page.locator('.resend-banner').waitFor();
    await monacoReady(ui.page);
    await poll(() => editorText(ui.page, '.composer-editor')).toBe(COMPACT);
    await ui.page.getByRole('button', { name: 'Resend', exact: true }).click();
    await poll(() => received.length).toBe(before + 2);
    expect(received[before + 1]).toEqual(Buffer.from(COMPACT, 'utf8'));

    await ui.page.getByRole('button', { name: 'Format' }).click();
    const pretty = JSON.stringify(JSON.parse(COMPACT), null, 2);
    await poll(() => editorText(ui.page, '.composer-editor')).toBe(pretty);
    await screenshot(ui.page, 'composer-format-button');
    await ui.page.getByRole('button', { name: 'Resend', exact: true }).click();
    await poll(() => received.length).toBe(before + 3);
    expect(received[before + 2]!.toString('utf8')).toBe(pretty);
  });

  it('keeps every keystroke typed at zero delay into a resend (5 rounds)', async () => {
    await ui.page.getByRole('radiogroup', { name: 'Content format' }).getByRole('radio', { name: 'Text' }).click();
    for (let i = 1; i <= 5; i++) {
      const before = received.length;
      await typeInto(ui.page, '.composer-editor', typed(i));
      await poll(() => editorText(ui.page, '.composer-editor')).toBe(typed(i));
      await ui.page.getByRole('button', { name: 'Resend', exact: true }).click();
      await poll(() => received.length).toBe(before + 1);
      expect(received[before]).toEqual(Buffer.from(typed(i), 'utf8'));
    }
    await ui.page.getByRole('button', { name: 'Send as a new message instead' }).click();
    expect(ui.errors).toEqual([]);
  });
});
