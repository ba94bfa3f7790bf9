// Tampering you can trust, from the UI: "Close → Both peers" puts exactly one close frame on each wire
// (raw socket peers, exact bytes); a connection the server fails with 1002 while Chromium answers
// reaches CLOSED and its duration stops; a replay after a drop and an edit sends what the server
// received, and "as the client sent" shows the differences side by side, kept in the history.
import { afterAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import type { WebSocket } from 'ws';
import { CHROMIUM, chromiumArgs } from '../support/chromium.js';
import { RawPeer, opened, startRawServer, wsViaAbsoluteForm } from '../support/peers.js';
import { encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import { screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

const key = Buffer.from([9, 8, 7, 6]);
const closePayload = (code: number, reason = '') => Buffer.concat([Buffer.from([code >> 8, code & 0xff]), Buffer.from(reason)]);

describe.runIf(existsSync(CHROMIUM))('tampering from the UI', () => {
  /** What the ws server received, per path. */
  const received = new Map<string, string[]>();
  const ui = useUiSuite((ws, request) => {
    const path = request.url ?? '';
    const list = received.get(path) ?? [];
    received.set(path, list);
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      list.push(text);
      ws.send(text.startsWith('long') ? JSON.stringify({ echo: text, padding: 'x'.repeat(400) }) : `got ${text}`);
    });
    ws.on('error', () => {});
  });
  const clients: WebSocket[] = [];
  let proxied: Browser | undefined;
  afterAll(async () => {
    for (const c of clients) c.terminate();
    await proxied?.close();
  });

  const connectionRow = (path: string) => ui.page.locator('[data-connection-id]').filter({ hasText: path });
  const cell = (path: string, column: number) => connectionRow(path).first().locator('.td').nth(column);
  const connectionAction = async (label: string) => {
    await ui.page.getByRole('button', { name: 'Actions' }).click();
    await ui.page.getByRole('menuitem', { name: label }).click();
  };
  /** A command through the UI's own control client. */
  const api = <T>(method: string, params: unknown) => ui.page.evaluate(
    ([m, p]) => (globalThis as unknown as { framescope: { client: { request(m: string, p: unknown): Promise<unknown> } } }).framescope.client.request(m as string, p),
    [method, params] as const,
  ) as Promise<T>;

  it('closes both peers with exactly one close frame on each wire', async () => {
    const server = await startRawServer();
    try {
      const socket = net.connect({ host: '127.0.0.1', port: ui.app.proxyPort, allowHalfOpen: true });
      await once(socket, 'connect');
      socket.write(`GET ws://127.0.0.1:${server.port}/both HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
      const client = new RawPeer(socket);
      while (client.bytes.indexOf('\r\n\r\n') < 0) await client.waitForBytes(client.bytes.length + 1);
      client.take(client.bytes.indexOf('\r\n\r\n') + 4);
      const upstream = await server.nextConnection();

      await poll(() => cell('/both', 2).textContent()).toBe('open');
      await connectionRow('/both').dispatchEvent('mousedown');
      await connectionAction('Close…');
      const dialog = ui.page.getByRole('dialog', { name: /^Close connection #/ });
      await dialog.getByLabel('Reason').fill('bye');
      await dialog.getByRole('radiogroup', { name: 'Send to' }).getByRole('radio', { name: 'Both peers' }).click();
      await dialog.getByRole('button', { name: 'Send close' }).click();

      const toClient = encodeFrameBytes({ opcode: 8, payload: closePayload(1000, 'bye') });
      expect((await client.waitForBytes(toClient.length)).equals(toClient)).toBe(true);
      const atServer = await upstream.waitForBytes(11);
      expect([...atServer.subarray(0, 2)]).toEqual([0x88, 0x85]);
      // Each peer answers the close it got; then the server ends TCP, as RFC 6455 section 7.1.1 has it.
      socket.write(encodeFrameBytes({ opcode: 8, mask: key, payload: closePayload(1000, 'bye') }));
      upstream.socket.write(encodeFrameBytes({ opcode: 8, payload: closePayload(1000, 'bye') }));
      await poll(() => cell('/both', 3).textContent()).toMatch(/./);
      upstream.socket.end();
      socket.end();
      await poll(() => cell('/both', 2).textContent()).toBe('closed');
      await Promise.all([client.ended, upstream.ended]);
      // One close frame on each wire, exactly the proxy's; the peers' answers were recorded, not forwarded.
      expect(client.bytes.equals(toClient)).toBe(true);
      expect(upstream.bytes.length).toBe(11);
      await ui.page.getByRole('tab', { name: 'Frames' }).click();
      const marks = ui.page.locator('[data-frame] .mark');
      await poll(() => marks.allTextContents()).toEqual(['injected', 'injected', 'dropped', 'dropped']);
    } finally {
      await server.close();
    }
  });

  it('reaches CLOSED with 1002 when the server fails a Chromium connection, and its duration stops', async () => {
    proxied = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs({ proxyPort: ui.app.proxyPort }) });
    const page = await proxied.newPage();
    await page.evaluate(`new Promise((resolve) => {
      const ws = new WebSocket('ws://127.0.0.1:${ui.server.port}/stuck');
      ws.onopen = () => resolve();
      window.ended = new Promise((done) => { ws.onclose = (e) => done(e.code); });
    })`);
    await poll(() => cell('/stuck', 2).textContent()).toBe('open');
    const { id } = (await api<{ id: number }[]>('listConnections', {})).find((c) => (c as unknown as { url: string }).url.endsWith('/stuck'))!;
    // A reserved opcode: the ws server fails the connection with 1002 and ends TCP at once.
    await api('sendRawFrame', { connectionId: id, direction: 'send', frame: { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 3, mask: true, payloadBase64: 'eA==' } });
    expect(await page.evaluate('window.ended')).toBe(1002);
    await poll(() => cell('/stuck', 2).textContent()).toBe('closed');
    expect(await cell('/stuck', 9).textContent()).toMatch(/^1002 /);
    const duration = await cell('/stuck', 4).textContent();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await cell('/stuck', 4).textContent()).toBe(duration);
    await screenshot(ui.page, 'closed-after-server-1002');
  });

  it('replays what the server received after a drop and an edit, and as the client sent, side by side, kept in the history', async () => {
    const ws = wsViaAbsoluteForm(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}/orders`);
    clients.push(ws);
    await opened(ws);
    const rule = await api<{ id: number }>('setBreakpoint', { rule: { id: 0, enabled: true, phase: 'message', direction: 'send', regex: '^(drop|edit|long) me' } });
    await ui.page.getByRole('tab', { name: /^Intercept/ }).click();
    ws.send('first');
    ws.send('drop me');
    const dropCard = ui.page.locator('[data-held]').filter({ hasText: 'drop me' });
    await dropCard.getByRole('button', { name: 'Drop', exact: true }).click();
    ws.send('long me 1');
    const longCard = ui.page.locator('[data-held]').filter({ hasText: 'long me 1' });
    await longCard.getByRole('button', { name: 'Forward', exact: true }).click();
    ws.send('edit me');
    const editCard = ui.page.locator(`[data-held="${await ui.page.locator('[data-held]').filter({ hasText: 'edit me' }).getAttribute('data-held')}"]`);
    await editCard.getByRole('button', { name: 'Edit', exact: true }).click();
    await editCard.locator('.monaco[data-ready="true"]').waitFor();
    await editCard.locator('.monaco-host').click();
    await ui.page.keyboard.press('ControlOrMeta+a');
    await ui.page.keyboard.press('Delete');
    await ui.page.keyboard.insertText('edited');
    await editCard.getByRole('button', { name: 'Forward edited' }).click();
    await poll(() => received.get('/orders')).toEqual(['first', 'long me 1', 'edited']);
    await api('deleteBreakpoint', { id: rule.id });
    ws.close();
    await poll(() => cell('/orders', 2).textContent()).toBe('closed');

    // The list says what happened to each: the held original was replaced, not dropped.
    await connectionRow('/orders').first().dispatchEvent('mousedown');
    await ui.page.getByRole('tab', { name: 'Frames' }).click();
    await poll(() => ui.page.locator('[data-frame] .mark').allTextContents()).toEqual(['dropped', 'replaced', 'edited']);

    await connectionAction('Replay…');
    const dialog = ui.page.getByRole('dialog', { name: /^Replay connection #/ });
    await dialog.getByRole('button', { name: 'Replay', exact: true }).click();
    const summary = dialog.locator('[data-testid="replay-summary"]');
    await poll(() => summary.textContent()).toBe('3 same · 0 different · 0 missing · 0 extra');
    expect(received.get('/orders')!.slice(3)).toEqual(['first', 'long me 1', 'edited']);

    await dialog.getByRole('radiogroup', { name: 'Send' }).getByRole('radio', { name: 'As the client sent' }).click();
    await dialog.getByRole('button', { name: 'Replay', exact: true }).click();
    await poll(() => summary.textContent()).toBe('2 same · 1 different · 0 missing · 1 extra');
    expect(received.get('/orders')!.slice(6)).toEqual(['first', 'drop me', 'long me 1', 'edit me']);
    // The first change (an extra answer) is shown at once; the changed answer side by side on a click.
    const diff = dialog.getByTestId('answer-diff');
    expect(await diff.locator('.diff-added .diff-right').allTextContents()).toEqual(['got drop me']);
    await dialog.locator('.comparison-table tbody tr').filter({ hasText: 'got edited' }).click();
    expect(await diff.locator('.diff-changed .diff-left').allTextContents()).toEqual(['got edited']);
    expect(await diff.locator('.diff-changed .diff-right').allTextContents()).toEqual(['got edit me']);
    const history = dialog.getByTestId('replay-history').locator('li');
    await poll(() => history.count()).toBe(2);
    expect(await history.nth(0).textContent()).toMatch(/ 3 same · 0 different · 0 missing · 0 extra/);
    expect(await history.nth(1).textContent()).toMatch(/ 2 same · 1 different · 0 missing · 1 extra/);

    // A long answer stays inside the dialog: the Replayed column ends within it.
    await dialog.locator('.comparison-table tbody tr').filter({ hasText: 'long me 1' }).click();
    const box = (await dialog.boundingBox())!;
    for (const cellBox of await dialog.locator('.comparison-table tbody tr td:last-child').evaluateAll((tds) => tds.map((td) => td.getBoundingClientRect().right))) {
      expect(cellBox).toBeLessThanOrEqual(box.x + box.width);
    }
    const diffBox = (await diff.boundingBox())!;
    expect(diffBox.x + diffBox.width).toBeLessThanOrEqual(box.x + box.width);
    await screenshot(ui.page, 'replay-dialog-diff-history');
    // Picking the first replay from the history shows its comparison again.
    await history.nth(0).getByRole('button').click();
    await poll(() => summary.textContent()).toBe('3 same · 0 different · 0 missing · 0 extra');
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
    expect(ui.errors).toEqual([]);
  });
});
