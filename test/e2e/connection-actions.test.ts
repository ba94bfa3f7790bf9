// Acting on connections from the UI, checked at the real peers: a handshake held at a breakpoint and
// edited arrives at the ws server with the header the user added; a replay's comparison is exactly
// what the server answered each time; a clean close reaches both peers with the code and reason
// chosen; a reset drops the connection under both of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import type { WebSocket } from 'ws';
import { CHROMIUM } from '../support/chromium.js';
import { closed, nextMessage, opened, startWsServer, wsViaAbsoluteForm } from '../support/peers.js';
import { ensureBuilt } from './support/build.js';
import { launchChromium, openUi, screenshot, startApp, type RunningApp } from './support/ui-app.js';

/** What the ws server saw of one connection. */
interface ServerSide {
  path: string;
  request: IncomingMessage;
  /** The text messages it sent, in order. */
  sent: string[];
  /** Its close event: code and reason. */
  closed: Promise<{ code: number; reason: string }>;
}

describe.runIf(existsSync(CHROMIUM))('acting on connections from the UI', () => {
  let app: RunningApp;
  let server: Awaited<ReturnType<typeof startWsServer>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const clients: WebSocket[] = [];
  const serverSides: ServerSide[] = [];
  const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 5000 });
  const sidesOf = (path: string) => serverSides.filter((s) => s.path === path);

  beforeAll(async () => {
    await ensureBuilt();
    [app, server, browser] = await Promise.all([startApp(), startWsServer(), launchChromium()]);
    // Echoes text; "which?" is answered with the connection's ordinal on its path, so a replay differs there.
    server.wss.on('connection', (ws, request) => {
      const path = request.url ?? '';
      const side: ServerSide = { path, request, sent: [], closed: closed(ws) };
      serverSides.push(side);
      const ordinal = sidesOf(path).length;
      ws.on('message', (data: Buffer) => {
        const text = data.toString();
        const answer = text === 'which?' ? `connection ${ordinal} on ${path}` : `echo: ${text}`;
        side.sent.push(answer);
        ws.send(answer);
      });
      ws.on('error', () => {});
    });
    ({ page, errors } = await openUi(browser, app.url));
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.terminate();
    await browser?.close();
    await server?.close();
    await app?.stop();
  });

  const connect = (path: string) => {
    const ws = wsViaAbsoluteForm(app.proxyPort, `ws://127.0.0.1:${server.port}${path}`);
    ws.on('error', () => {});
    clients.push(ws);
    return ws;
  };
  const connectionRow = (path: string) => page.locator('[data-connection-id]').filter({ hasText: path });
  const cell = (path: string, column: number) => connectionRow(path).first().locator('.td').nth(column);
  const selectOpen = async (path: string) => {
    await poll(() => cell(path, 2).textContent()).toBe('open');
    await connectionRow(path).first().dispatchEvent('mousedown');
  };
  const connectionAction = async (label: string) => {
    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: label }).click();
  };

  it('holds a handshake at a breakpoint; a header added in the editor arrives at the server', async () => {
    await page.getByRole('tab', { name: /^Intercept/ }).click();
    const form = page.locator('.rule-form');
    await form.getByRole('radiogroup', { name: 'Hold' }).getByRole('radio', { name: 'Handshakes' }).click();
    await form.getByLabel('URL').fill('/held-handshake');
    await form.getByRole('button', { name: 'Add rule' }).click();
    const rule = page.locator('[data-rule]').filter({ hasText: 'URL /held-handshake' });
    await rule.waitFor();
    expect(await rule.textContent()).toBe('Handshakes · both ways · URL /held-handshake');

    const ws = connect('/held-handshake');
    const isOpen = opened(ws);
    const card = page.locator('[data-held]').filter({ hasText: '/held-handshake' });
    await card.waitFor();
    expect(await card.locator('.kind-handshake').textContent()).toBe('handshake');
    expect(sidesOf('/held-handshake')).toEqual([]);

    await card.getByRole('button', { name: 'Edit', exact: true }).click();
    await card.locator('.monaco[data-ready="true"]').waitFor();
    await card.locator('.monaco-host').click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.press('Enter');
    await page.keyboard.insertText('X-Added-By: framescope-ui');
    await screenshot(page, 'handshake-breakpoint-edit');
    await card.getByRole('button', { name: 'Forward edited' }).click();

    await isOpen;
    const [side] = sidesOf('/held-handshake');
    expect(side!.request.headers['x-added-by']).toBe('framescope-ui');
    expect(side!.request.rawHeaders.filter((name) => name.toLowerCase() === 'x-added-by')).toEqual(['X-Added-By']);
    await poll(() => page.locator('[data-held]').count()).toBe(0);
    await rule.getByRole('button', { name: 'Delete rule' }).click();
    await poll(() => rule.count()).toBe(0);
  });

  it('replays a connection and shows the comparison of exactly what the server answered each time', async () => {
    const ws = connect('/replay-me');
    await opened(ws);
    for (const text of ['first', 'second', 'which?']) {
      ws.send(text);
      await nextMessage(ws);
    }
    ws.close(1000, 'recorded');
    await closed(ws);
    await poll(() => cell('/replay-me', 2).textContent()).toBe('closed');
    await connectionRow('/replay-me').dispatchEvent('mousedown');

    await connectionAction('Replay…');
    const dialog = page.getByRole('dialog', { name: /^Replay connection #/ });
    await dialog.getByRole('button', { name: 'Replay', exact: true }).click();
    const summary = dialog.locator('[data-testid="replay-summary"]');
    await summary.waitFor();
    await screenshot(page, 'replay-comparison');

    const [original, replayed] = sidesOf('/replay-me');
    expect(original!.sent).toEqual(['echo: first', 'echo: second', 'connection 1 on /replay-me']);
    expect(replayed!.sent).toEqual(['echo: first', 'echo: second', 'connection 2 on /replay-me']);
    const tableRows = dialog.locator('.comparison tbody tr');
    const rows = await Promise.all(Array.from({ length: await tableRows.count() }, (_, i) => tableRows.nth(i).locator('td').allTextContents()));
    expect(rows).toEqual(original!.sent.map((answer, i) => [String(i), answer === replayed!.sent[i] ? 'same' : 'different', answer, replayed!.sent[i]]));
    expect(await summary.textContent()).toBe('2 same · 1 different · 0 missing · 0 extra');
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
  });

  it('closes a connection cleanly with the code and reason chosen: both peers see exactly those', async () => {
    const ws = connect('/close-clean');
    const clientClosed = closed(ws);
    await opened(ws);
    await selectOpen('/close-clean');
    await connectionAction('Close…');
    const dialog = page.getByRole('dialog', { name: /^Close connection #/ });
    await dialog.getByLabel('Code').selectOption('4000');
    await dialog.getByLabel('Reason').fill('maintenance ✓');
    expect(await dialog.locator('.field-grid .small').nth(1).textContent()).toBe('15 of 123 bytes');
    await screenshot(page, 'close-dialog');
    await dialog.getByRole('button', { name: 'Send close' }).click();

    expect(await clientClosed).toEqual({ code: 4000, reason: 'maintenance ✓' });
    expect(await sidesOf('/close-clean')[0]!.closed).toEqual({ code: 4000, reason: 'maintenance ✓' });
    await poll(() => cell('/close-clean', 2).textContent()).toBe('closed');
    expect(await cell('/close-clean', 9).textContent()).toMatch(/^4000 /);
  });

  it('resets a connection: both peers see it drop without a close frame', async () => {
    const ws = connect('/reset-me');
    const clientClosed = closed(ws);
    await opened(ws);
    await selectOpen('/reset-me');
    await connectionAction('Reset (drop TCP)');

    // 1006: the connection ended without a close frame (RFC 6455 §7.1.5).
    expect(await clientClosed).toEqual({ code: 1006, reason: '' });
    expect(await sidesOf('/reset-me')[0]!.closed).toEqual({ code: 1006, reason: '' });
    await poll(() => cell('/reset-me', 2).textContent()).toBe('closed');
    expect(await cell('/reset-me', 9).textContent()).toBe('1006 Abnormal Closure');
    expect(errors).toEqual([]);
  });
});
