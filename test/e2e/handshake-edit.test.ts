// A handshake edited at a breakpoint, from the UI: a malformed request line is warned about before it
// goes, "Send anyway" still sends it (users test servers), and the Handshake tab then shows what was
// sent, marked edited, with the client's original below it.
import { afterAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { CHROMIUM } from '../support/chromium.js';
import { screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

describe.runIf(existsSync(CHROMIUM))('an edited handshake in the UI', () => {
  const ui = useUiSuite();
  /** Raw request heads a plain TCP server received (it answers 400 and closes). */
  const heads: string[] = [];
  const server = net.createServer((socket) => {
    let head = '';
    socket.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      heads.push(head.slice(0, head.indexOf('\r\n\r\n')));
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    socket.on('error', () => {});
  });
  afterAll(() => { server.close(); });

  const api = <T>(method: string, params: unknown) => ui.page.evaluate(
    ([m, p]) => (globalThis as unknown as { framescope: { client: { request(m: string, p: unknown): Promise<unknown> } } }).framescope.client.request(m as string, p),
    [method, params] as const,
  ) as Promise<T>;

  it('warns before sending a malformed request line, sends it anyway on request, and shows both requests', async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as net.AddressInfo).port;
    await api('setBreakpoint', { rule: { id: 0, enabled: true, phase: 'handshake', direction: 'both', urlPattern: '/dump-hs' } });
    await ui.page.getByRole('tab', { name: /^Intercept/ }).click();

    const client = net.connect({ host: '127.0.0.1', port: ui.app.proxyPort });
    client.on('error', () => {});
    await once(client, 'connect');
    client.write(`GET ws://127.0.0.1:${port}/dump-hs?u=1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');

    const card = ui.page.locator('[data-held]').filter({ hasText: '/dump-hs' });
    await card.getByRole('button', { name: 'Edit', exact: true }).click();
    await card.locator('.monaco[data-ready="true"]').waitFor();
    await card.locator('.monaco-host').click();
    await ui.page.keyboard.press('ControlOrMeta+Home');
    await ui.page.keyboard.press('Shift+End');
    await ui.page.keyboard.insertText('/dump hs?u=2');
    await card.getByRole('button', { name: 'Forward edited' }).click();

    const warnings = card.getByTestId('request-warnings');
    await warnings.waitFor();
    expect(await warnings.locator('li').allTextContents()).toEqual([
      'target the request target holds a space; spaces, control and non-ASCII characters must be percent-encoded (RFC 9112 §3.2)',
    ]);
    expect(heads).toEqual([]);
    await screenshot(ui.page, 'handshake-malformed-warning');
    await warnings.getByRole('button', { name: 'Send anyway' }).click();
    await poll(() => heads.length).toBe(1);
    expect(heads[0]!.split('\r\n')[0]).toBe('GET /dump hs?u=2 HTTP/1.1');

    const row = ui.page.locator('[data-connection-id]').filter({ hasText: '/dump-hs' });
    await row.dispatchEvent('mousedown');
    await ui.page.getByRole('tab', { name: 'Handshake' }).click();
    // The row can be opened before the answer to the edited request is recorded: wait for the detail to follow.
    await poll(async () => (await ui.page.getByTestId('handshake-request').textContent())?.split('\n')[0]).toBe('GET /dump hs?u=2 HTTP/1.1');
    await poll(() => ui.page.getByTestId('handshake-edited').textContent()).toBe('edited');
    await poll(async () => (await ui.page.getByTestId('handshake-original-request').textContent())?.split('\n')[0]).toBe(`GET ws://127.0.0.1:${port}/dump-hs?u=1 HTTP/1.1`);
    await screenshot(ui.page, 'handshake-edited');
    client.destroy();
    expect(ui.errors).toEqual([]);
  });
});
