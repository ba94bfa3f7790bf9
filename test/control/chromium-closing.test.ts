// Closing with a real browser: Chromium and a ws server through the engine's proxy. A hand-crafted
// frame with a reserved opcode makes the server fail the connection (close 1002, then FIN at once);
// Chromium answers the close on its half-open socket. The connection must reach CLOSED.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { WebSocketServer } from 'ws';
import { CHROMIUM, chromiumArgs } from '../support/chromium.js';
import { startTestEngine, type TestEngine } from '../support/engine.js';

const PAGE = `<!doctype html><title>closing</title><script>
window.ws = new WebSocket('ws://' + location.host + '/live');
window.ready = new Promise((resolve) => (window.ws.onopen = resolve));
window.ended = new Promise((resolve) => (window.ws.onclose = (e) => resolve({ code: e.code, wasClean: e.wasClean })));
</script>`;

describe.runIf(existsSync(CHROMIUM))('closing with Chromium', () => {
  let t: TestEngine;
  let server: http.Server;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestEngine();
    server = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE));
    new WebSocketServer({ server }).on('connection', (ws) => ws.on('error', () => {}));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs({ proxyPort: t.proxyPort }) });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    server?.close();
  });

  it('reaches CLOSED with the server\'s 1002 after a reserved-opcode frame, and its duration stops', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
    await page.evaluate(() => (globalThis as unknown as { ready: Promise<void> }).ready);
    const connectionId = (await t.api.call('listConnections', {})).find((c) => c.url.endsWith('/live'))!.id;
    await t.api.call('sendRawFrame', { connectionId, direction: 'send', frame: { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 3, mask: true, payloadBase64: Buffer.from('x').toString('base64') } });
    expect(await page.evaluate(() => (globalThis as unknown as { ended: Promise<unknown> }).ended)).toMatchObject({ code: 1002 });
    const closed = await t.api.waitForEvent((e) => e.kind === 'connection' && e.connection.id === connectionId && e.connection.state === 'closed');
    expect(closed.kind === 'connection' && closed.connection).toMatchObject({ state: 'closed', close: { code: 1002, reason: '', closedBy: 'server' } });
    expect(closed.kind === 'connection' && closed.connection.endedAt).toBeGreaterThan(0);
    await page.close();
  }, 30_000);
});
