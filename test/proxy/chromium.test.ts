// Headless Chromium (Debian's, driven by playwright-core) through the explicit proxy to a local ws
// server: the page loads through the proxy and its messages appear in the HAR exactly.
import type { HarEntryJson } from '../support/har-schema.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { WebSocketServer } from 'ws';
import { exportHar } from '../../src/capture/har-export.js';
import { startProxy, connectionClosed } from '../support/proxy.js';
import { CHROMIUM, chromiumArgs } from '../support/chromium.js';

const PAGE = `<!doctype html><title>ws page</title><script>
window.log = [];
window.done = new Promise((resolve) => {
  const ws = new WebSocket('ws://' + location.host + '/live');
  ws.onopen = () => { ws.send('hello from chromium'); ws.send(new Uint8Array([1, 2, 3])); };
  ws.onmessage = async (e) => {
    const data = typeof e.data === 'string' ? e.data : Array.from(new Uint8Array(await e.data.arrayBuffer())).join(',');
    window.log.push(data);
    if (window.log.length === 2) ws.close(1000, 'page done');
  };
  ws.onclose = (e) => resolve({ code: e.code, reason: e.reason, log: window.log });
});
</script>`;

describe.runIf(existsSync(CHROMIUM))('Chromium through the explicit proxy', () => {
  let server: http.Server;
  let port: number;
  let browser: Browser;
  let proxy: Awaited<ReturnType<typeof startProxy>>;

  beforeAll(async () => {
    server = http.createServer((_req, res) => { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end(PAGE); });
    const wss = new WebSocketServer({ server });
    wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(isBinary ? data : `server got: ${data.toString()}`, { binary: isBinary })));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
    proxy = await startProxy();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs({ proxyPort: proxy.port }) });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    server?.close();
  });

  it('records the page\'s messages in both directions', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    const result = await page.evaluate(() => (globalThis as unknown as { done: Promise<unknown> }).done);
    expect(result).toEqual({ code: 1000, reason: 'page done', log: ['server got: hello from chromium', '1,2,3'] });
    await connectionClosed(proxy.session);
    const entries = exportHar(proxy.session.connections).log.entries as unknown as HarEntryJson[];
    expect(entries).toHaveLength(1);
    expect(entries[0]!.request.url).toBe(`ws://127.0.0.1:${port}/live`);
    expect(entries[0]!.request.headers.find((h: { name: string }) => h.name === 'User-Agent')?.value).toMatch(/Chrome/);
    // Each direction in order; how the two interleave depends on timing.
    const sent = entries[0]!._webSocketMessages.filter((m: { type: string }) => m.type === 'send');
    const received = entries[0]!._webSocketMessages.filter((m: { type: string }) => m.type === 'receive');
    expect(sent.map((m: { opcode: number; data: string }) => [m.opcode, m.data])).toEqual([[1, 'hello from chromium'], [2, Buffer.from([1, 2, 3]).toString('base64')]]);
    expect(received.map((m: { opcode: number; data: string }) => [m.opcode, m.data])).toEqual([[1, 'server got: hello from chromium'], [2, Buffer.from([1, 2, 3]).toString('base64')]]);
    expect(entries[0]!._webSocketClose).toEqual({ code: 1000, reason: 'page done', closedBy: 'client' });
    await page.close();
  }, 60_000);
});

describe.runIf(existsSync(CHROMIUM))('Chromium through the explicit proxy over TLS', () => {
  it('loads an https:// page through CONNECT with TLS intercepted and records its wss:// messages', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const https = await import('node:https');
    const { CertificateAuthority } = await import('../../src/proxy/certificate-authority.js');
    const home = mkdtempSync(join(tmpdir(), 'framescope-chromium-tls-'));
    const proxyCa = CertificateAuthority.loadOrCreate(join(home, 'proxy'));
    const siteCa = CertificateAuthority.loadOrCreate(join(home, 'site'));
    const leaf = siteCa.certificateFor('localhost');
    const site = https.createServer({ cert: leaf.cert, key: leaf.key }, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(PAGE.replace("'ws://'", "'wss://'"));
    });
    new WebSocketServer({ server: site }).on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(isBinary ? data : `server got: ${data.toString()}`, { binary: isBinary })));
    site.listen(0, '127.0.0.1');
    await once(site, 'listening');
    const sitePort = (site.address() as { port: number }).port;
    const proxy = await startProxy({ certificateAuthority: () => proxyCa, upstreamCa: siteCa.certPem });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: chromiumArgs({ proxyPort: proxy.port, extra: [`--ignore-certificate-errors-spki-list=${proxyCa.leafSpkiFingerprint()},${proxyCa.spkiFingerprint()}`] }),
    });
    try {
      const page = await browser.newPage();
      await page.goto(`https://localhost:${sitePort}/`);
      const result = await page.evaluate(() => (globalThis as unknown as { done: Promise<unknown> }).done);
      expect(result).toEqual({ code: 1000, reason: 'page done', log: ['server got: hello from chromium', '1,2,3'] });
      await connectionClosed(proxy.session);
      const entry = exportHar(proxy.session.connections).log.entries[0] as unknown as HarEntryJson;
      expect(entry.request.url).toBe(`wss://localhost:${sitePort}/live`);
      expect(entry._framescope.tls).toEqual({ verified: true, insecure: false });
      expect(entry._webSocketMessages.filter((m) => m.type === 'send').map((m) => m.data)).toEqual(['hello from chromium', Buffer.from([1, 2, 3]).toString('base64')]);
    } finally {
      await browser.close();
      await proxy.close();
      site.close();
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);
});

