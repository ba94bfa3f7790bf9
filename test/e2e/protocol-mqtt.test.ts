// An MQTT session (mqtt.js against an aedes broker over WebSocket) through the proxy, read in Chromium
// (mqtt.js writes a packet's parts as separate messages: those rows say the packet continues later)
// through the MQTT lens: the Protocol column, the Protocol tab with the PUBACK linked to its PUBLISH,
// the topic filter with MQTT wildcards, and the composer writing an MQTT publish.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { HttpProxyAgent } from 'http-proxy-agent';
import { CHROMIUM } from '../support/chromium.js';
import { screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

describe.runIf(existsSync(CHROMIUM))('an MQTT session in the UI', () => {
  const ui = useUiSuite();
  let broker: Aedes;
  let server: http.Server;
  let wss: WebSocketServer;
  let client: MqttClient | undefined;
  const page = () => ui.page;

  beforeAll(async () => {
    broker = await Aedes.createBroker();
    server = http.createServer();
    wss = new WebSocketServer({ server });
    wss.on('connection', (ws) => broker.handle(createWebSocketStream(ws) as never));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    client = await mqtt.connectAsync(`ws://127.0.0.1:${port}/mqtt`, {
      protocolVersion: 4, keepalive: 60, reconnectPeriod: 0, clientId: 'e2e',
      wsOptions: { agent: new HttpProxyAgent(`http://127.0.0.1:${ui.app.proxyPort}`) as never },
    });
    await client.subscribeAsync('sensors/#', { qos: 1 });
    const delivered = new Promise<void>((resolve) => client!.once('message', () => resolve()));
    await client.publishAsync('sensors/t1', '21.5', { qos: 1 });
    await delivered;
  }, 60_000);

  afterAll(async () => {
    await client?.endAsync();
    for (const c of wss?.clients ?? []) c.terminate();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (broker ? broker.close(() => resolve()) : resolve()));
  });

  it('shows the packets, links the PUBACK to its PUBLISH, filters by topic and writes a publish', async () => {
    const row = page().locator('[data-connection-id]').filter({ hasText: '/mqtt' }).first();
    await row.waitFor();
    await row.dispatchEvent('mousedown');
    await page().getByRole('tab', { name: 'Frames' }).click();
    const cells = page().locator('.protocol-cell');
    // The list follows the open connection's tail: the newest packets are in view.
    await poll(() => cells.allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^→PUBLISH sensors\/t1 QoS1 #\d+$/), expect.stringMatching(/^←PUBACK #\d+$/)]));
    // The subscription came first: at the top of the list.
    await page().locator('.frames-table .vlist').evaluate((el) => { el.scrollTop = 0; });
    await poll(() => cells.allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^→CONNECT e2e v3\.1\.1 clean keepalive \d+$/), expect.stringMatching(/^→SUBSCRIBE #\d+ sensors\/# QoS1$/), expect.stringMatching(/^←SUBACK #\d+ Granted QoS 1$/)]));
    // And back to the newest.
    await page().locator('.frames-table .vlist').evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await poll(() => cells.allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^→PUBLISH sensors\/t1 QoS1 #\d+$/), expect.stringMatching(/^←PUBACK #\d+$/)]));
    await screenshot(page(), 'protocol-mqtt');

    const publishRow = page().locator('.frame-row').filter({ has: page().locator('.protocol-cell', { hasText: /^→PUBLISH sensors\/t1 QoS1/ }) }).first();
    await publishRow.dispatchEvent('mousedown');
    await page().getByRole('tab', { name: 'Protocol' }).click();
    const packet = page().locator('.protocol-packet').first();
    await poll(() => packet.locator('.protocol-summary').textContent()).toMatch(/^mqtt PUBLISH sensors\/t1 QoS1/);
    await poll(() => packet.locator('.protocol-links').textContent()).toMatch(/^Answered by message #\d+ · first after \d+ ms$/);
    await packet.locator('[data-jump="answer"]').click();
    await poll(() => page().locator('.protocol-packet .protocol-summary').first().textContent()).toMatch(/^mqtt PUBACK/);

    const input = page().getByLabel('Protocol filter', { exact: true });
    await input.fill('mqtt.topic:sensors/#');
    await input.press('Enter');
    const hits = page().getByRole('list', { name: 'Protocol filter hits' }).getByRole('button');
    await poll(() => hits.count()).toBeGreaterThanOrEqual(2);
    for (const text of await hits.allTextContents()) expect(text).toMatch(/^#\d+ (SUBSCRIBE #\d+ sensors\/# QoS1|PUBLISH sensors\/t1 QoS1 #\d+)$/);

    await page().getByRole('tab', { name: 'Composer' }).click();
    const block = page().getByLabel('Protocol composer');
    await block.getByLabel('Topic').fill('sensors/t2');
    await block.getByLabel('Payload').fill('19');
    await block.getByLabel('QoS').selectOption('1');
    await block.getByLabel('Packet id').fill('77');
    await block.getByRole('button', { name: 'Put in the composer' }).click();
    await poll(() => block.locator('[data-encoded]').getAttribute('data-encoded')).toMatch(/^PUBLISH sensors\/t2 QoS1/);
  });
});
