// Changing the traffic of a real page: Chromium talks to a ws server through the engine's proxy,
// and the control API injects, holds, edits and resends its messages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WebSocketServer } from 'ws';
import { CHROMIUM, chromiumArgs } from '../support/chromium.js';
import { startTestEngine, type TestEngine } from '../support/engine.js';

const PAGE = `<!doctype html><title>page</title><script>
window.received = [];
window.ws = new WebSocket('ws://' + location.host + '/live');
window.ws.onmessage = (e) => window.received.push(e.data);
window.ready = new Promise((resolve) => (window.ws.onopen = resolve));
</script>`;

describe.runIf(existsSync(CHROMIUM))('traffic commands on a page in Chromium', () => {
  let t: TestEngine;
  let server: http.Server;
  let atServer: string[];
  let browser: Browser;
  let page: Page;
  let connectionId: number;

  beforeAll(async () => {
    t = await startTestEngine();
    atServer = [];
    server = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE));
    new WebSocketServer({ server }).on('connection', (ws) => ws.on('message', (d) => atServer.push(d.toString())));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs({ proxyPort: t.proxyPort }) });
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
    await page.evaluate(() => (globalThis as unknown as { ready: Promise<void> }).ready);
    connectionId = (await t.api.call('listConnections', {}))[0]!.id;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await t?.close();
  });

  const received = () => page.evaluate(() => (globalThis as unknown as { received: string[] }).received);
  const send = (text: string) => page.evaluate((t) => (globalThis as unknown as { ws: WebSocket }).ws.send(t), text);

  it('delivers a message injected toward the page', async () => {
    await t.api.call('inject', { connectionId, direction: 'receive', message: { kind: 'text', dataBase64: Buffer.from('from framescope').toString('base64') } });
    await expect.poll(received).toEqual(['from framescope']);
  });

  it('holds the page\'s message at a breakpoint and delivers the edited version', async () => {
    const rule = await t.api.call('setBreakpoint', { rule: { id: 0, enabled: true, phase: 'message', direction: 'send', text: 'password' } });
    await send('my password is hunter2');
    const held = await t.api.waitForEvent((e) => e.kind === 'held' && e.items.length === 1);
    const item = held.kind === 'held' ? held.items[0]! : undefined;
    expect(Buffer.from(item!.dataBase64!, 'base64').toString()).toBe('my password is hunter2');
    await send('next message');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(atServer).toEqual([]);
    await t.api.call('resolveHeld', { id: item!.id, action: 'forward', editedMessage: { opcode: 1, dataBase64: Buffer.from('my password is ********').toString('base64') } });
    await expect.poll(() => atServer).toEqual(['my password is ********', 'next message']);
    await t.api.call('deleteBreakpoint', { id: rule.id });
  });

  it('resends the page\'s message to the server', async () => {
    const messages = t.engine.store.messages(connectionId, 0, t.engine.store.messageCount(connectionId));
    const number = messages.findIndex((m) => m.direction === 'send' && m.message.data.toString() === 'next message');
    await t.api.call('resend', { connectionId, messageNumber: number });
    await expect.poll(() => atServer).toEqual(['my password is ********', 'next message', 'next message']);
  });
});
