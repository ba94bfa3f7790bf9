// A Socket.IO chat through the proxy, read in Chromium through its lens: the Protocol column, the
// Protocol tab (packet tree, payload, a one-click jump from an emit to its ack with the latency), the
// protocol filter, the user's lens choice, and the composer writing a Socket.IO emit with an ack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { HttpProxyAgent } from 'http-proxy-agent';
import { CHROMIUM } from '../support/chromium.js';
import { monacoReady, screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

describe.runIf(existsSync(CHROMIUM))('protocol lenses in the UI', () => {
  const ui = useUiSuite();
  let server: Server;
  let client: Socket;
  const page = () => ui.page;

  beforeAll(async () => {
    const http = createServer();
    server = new Server(http, { pingInterval: 60_000, pingTimeout: 60_000 });
    server.of('/chat').on('connection', (socket) => {
      socket.on('message', (body: { text: string }, ack: (r: string) => void) => {
        socket.broadcast.emit('message', body);
        ack(`got ${body.text}`);
      });
      socket.on('typing', () => {});
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as AddressInfo).port;
    client = io(`http://127.0.0.1:${port}/chat`, { transports: ['websocket'], reconnection: false, agent: new HttpProxyAgent(`http://127.0.0.1:${ui.app.proxyPort}`) as never });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    client.emit('typing');
    expect(await client.emitWithAck('message', { text: 'hello' })).toBe('got hello');
    expect(await client.emitWithAck('message', { text: 'again' })).toBe('got again');
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('shows each frame\'s packet in the Protocol column, and the packet, its payload and its answer in the Protocol tab', async () => {
    const row = page().locator('[data-connection-id]').filter({ hasText: '/socket.io/' }).first();
    await row.waitFor();
    await row.dispatchEvent('mousedown');
    await page().getByRole('tab', { name: 'Frames' }).click();
    const emitRow = page().locator('.frame-row').filter({ has: page().locator('.protocol-cell', { hasText: 'EVENT message /chat ack 0' }) });
    await poll(() => emitRow.count()).toBe(1);
    const ackRow = page().locator('.frame-row').filter({ has: page().locator('.protocol-cell', { hasText: 'ACK /chat ack 0' }) });
    await poll(() => ackRow.count()).toBe(1);
    await poll(() => page().locator('.protocol-cell', { hasText: 'EVENT typing /chat' }).count()).toBe(1);
    await screenshot(page(), 'protocol-column');

    await emitRow.dispatchEvent('mousedown');
    await page().getByRole('tab', { name: 'Protocol' }).click();
    const packet = page().locator('[data-protocol-packet="EVENT message /chat ack 0"]');
    await packet.waitFor();
    await poll(() => packet.locator('.protocol-summary').textContent()).toBe('socket.io EVENT message /chat ack 0');
    await poll(() => packet.getByRole('tree').textContent()).toContain('"hello"');
    await poll(() => packet.locator('.protocol-links').textContent()).toMatch(/^Answered by message #\d+ · first after \d+ ms$/);
    await screenshot(page(), 'protocol-tab');

    const ackFrame = Number(await ackRow.getAttribute('data-frame'));
    await packet.locator('[data-jump="answer"]').click();
    await page().locator(`[data-frame-detail="${ackFrame}"]`).waitFor();
    const answer = page().locator('[data-protocol-packet="ACK /chat ack 0"]');
    await answer.waitFor();
    await poll(() => answer.locator('.protocol-links').textContent()).toMatch(/^Answers the request in message #\d+ · \d+ ms$/);
    const emitFrame = Number(await emitRow.getAttribute('data-frame'));
    await answer.locator('[data-jump="request"]').click();
    await page().locator(`[data-frame-detail="${emitFrame}"]`).waitFor();
  });

  it('filters by protocol fields and jumps to a hit', async () => {
    const input = page().getByLabel('Protocol filter', { exact: true });
    await input.fill('socket.io.event:message');
    await input.press('Enter');
    const hits = page().getByRole('list', { name: 'Protocol filter hits' }).getByRole('button');
    await poll(() => hits.allTextContents()).toEqual([expect.stringMatching(/^#\d+ EVENT message \/chat ack 0$/), expect.stringMatching(/^#\d+ EVENT message \/chat ack 1$/)]);
    await input.fill('proto.type:ACK');
    await input.press('Enter');
    await poll(() => hits.count()).toBe(2);
    await hits.nth(1).click();
    await poll(() => page().locator('.frame-detail').getAttribute('data-frame-detail')).toBe(String(Number(await page().locator('.frame-row').filter({ has: page().locator('.protocol-cell', { hasText: 'ACK /chat ack 1' }) }).getAttribute('data-frame'))));
  });

  it('keeps the user\'s lens choice: Engine.IO shows the raw message packets, Auto goes back to Socket.IO', async () => {
    const picker = page().getByLabel('Protocol lens');
    await picker.selectOption('engine.io');
    await poll(() => page().locator('.protocol-cell', { hasText: 'message 2/chat,0["message",{"text":"hello"}]' }).count()).toBe(1);
    await page().reload();
    await page().locator('[data-connection-id]').filter({ hasText: '/socket.io/' }).first().dispatchEvent('mousedown');
    await page().getByRole('tab', { name: 'Frames' }).click();
    await poll(() => page().locator('.protocol-cell', { hasText: 'message 2/chat,0["message",{"text":"hello"}]' }).count()).toBe(1);
    await page().locator('.frame-row').first().dispatchEvent('mousedown');
    await page().getByRole('tab', { name: 'Protocol' }).click();
    await page().getByLabel('Protocol lens').selectOption('auto');
    await poll(() => page().locator('.protocol-cell', { hasText: 'EVENT message /chat ack 0' }).count()).toBe(1);
  });

  it('writes a Socket.IO emit with an ack into the composer', async () => {
    await page().getByRole('tab', { name: 'Composer' }).click();
    const block = page().getByLabel('Protocol composer');
    await block.getByLabel('Event').fill('message');
    await block.getByLabel('Namespace').fill('/chat');
    await block.getByLabel('Arguments (JSON array)').fill('[{"text":"from the composer"}]');
    await block.getByLabel('Ack id (empty: none)').fill('9');
    await block.getByRole('button', { name: 'Put in the composer' }).click();
    await poll(() => block.locator('[data-encoded]').getAttribute('data-encoded')).toBe('EVENT message /chat ack 9');
    await monacoReady(page());
    await poll(async () => (await page().locator('.composer-editor .view-lines').textContent())?.replace(/\u00a0/g, ' ')).toBe('42/chat,9["message",{"text":"from the composer"}]');
    await screenshot(page(), 'protocol-composer');
  });
});
