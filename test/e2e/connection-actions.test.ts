// Acting on connections from the UI, checked at the real peers: a handshake held at a breakpoint and
// edited arrives at the ws server with the header the user added; a replay's comparison is exactly
// what the server answered each time; a clean close reaches both peers with the code and reason
// chosen; a reset drops the connection under both of them.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { CHROMIUM } from '../support/chromium.js';
import { closed, nextMessage, opened, wsViaAbsoluteForm } from '../support/peers.js';
import { screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

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
  const clients: WebSocket[] = [];
  const serverSides: ServerSide[] = [];
  const sidesOf = (path: string) => serverSides.filter((s) => s.path === path);

  // Echoes text; "which?" is answered with the connection's ordinal on its path, so a replay differs there.
  const ui = useUiSuite((ws, request) => {
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

  afterAll(() => {
    for (const c of clients) c.terminate();
  });

  const connect = (path: string) => {
    const ws = wsViaAbsoluteForm(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}${path}`);
    ws.on('error', () => {});
    clients.push(ws);
    return ws;
  };
  const connectionRow = (path: string) => ui.page.locator('[data-connection-id]').filter({ hasText: path });
  const cell = (path: string, column: number) => connectionRow(path).first().locator('.td').nth(column);
  const selectOpen = async (path: string) => {
    await poll(() => cell(path, 2).textContent()).toBe('open');
    await connectionRow(path).first().dispatchEvent('mousedown');
  };
  const connectionAction = async (label: string) => {
    await ui.page.getByRole('button', { name: 'Actions' }).click();
    await ui.page.getByRole('menuitem', { name: label }).click();
  };

  it('holds a handshake at a breakpoint; a header added in the editor arrives at the server', async () => {
    await ui.page.getByRole('tab', { name: /^Intercept/ }).click();
    const form = ui.page.locator('.rule-form');
    await form.getByRole('radiogroup', { name: 'Hold' }).getByRole('radio', { name: 'Handshakes' }).click();
    await form.getByLabel('URL').fill('/held-handshake');
    await form.getByRole('button', { name: 'Add rule' }).click();
    const rule = ui.page.locator('[data-rule]').filter({ hasText: 'URL /held-handshake' });
    await rule.waitFor();
    expect(await rule.textContent()).toBe('Handshakes · both ways · URL /held-handshake');

    const ws = connect('/held-handshake');
    const isOpen = opened(ws);
    const card = ui.page.locator('[data-held]').filter({ hasText: '/held-handshake' });
    await card.waitFor();
    expect(await card.locator('.kind-handshake').textContent()).toBe('handshake');
    expect(sidesOf('/held-handshake')).toEqual([]);

    await card.getByRole('button', { name: 'Edit', exact: true }).click();
    await card.locator('.monaco[data-ready="true"]').waitFor();
    await card.locator('.monaco-host').click();
    await ui.page.keyboard.press('ControlOrMeta+End');
    await ui.page.keyboard.press('Enter');
    await ui.page.keyboard.insertText('X-Added-By: framescope-ui');
    await screenshot(ui.page, 'handshake-breakpoint-edit');
    await card.getByRole('button', { name: 'Forward edited' }).click();

    await isOpen;
    const [side] = sidesOf('/held-handshake');
    expect(side!.request.headers['x-added-by']).toBe('framescope-ui');
    expect(side!.request.rawHeaders.filter((name) => name.toLowerCase() === 'x-added-by')).toEqual(['X-Added-By']);
    await poll(() => ui.page.locator('[data-held]').count()).toBe(0);
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
    const dialog = ui.page.getByRole('dialog', { name: /^Replay connection #/ });
    await dialog.getByRole('button', { name: 'Replay', exact: true }).click();
    const summary = dialog.locator('[data-testid="replay-summary"]');
    await summary.waitFor();
    await screenshot(ui.page, 'replay-comparison');

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
    const dialog = ui.page.getByRole('dialog', { name: /^Close connection #/ });
    await dialog.getByLabel('Code').selectOption('4000');
    await dialog.getByLabel('Reason').fill('maintenance ✓');
    expect(await dialog.locator('.field-grid .small').nth(1).textContent()).toBe('15 of 123 bytes');
    await screenshot(ui.page, 'close-dialog');
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
    expect(ui.errors).toEqual([]);
  });
});
