// mqtt.js clients through the proxy, against an aedes broker (MQTT 3.1.1) and against a small MQTT 5
// broker built on mqtt-packet; the lens reads back what the capture store recorded.
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import { Aedes } from 'aedes';
import mqtt, { UniqueMessageIdProvider } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { mqttLens } from '../../../src/protocol/lenses/mqtt.js';
import { defaultLensRegistry } from '../../../src/protocol/lenses/registry.js';
import { startTestEngine, type TestEngine } from '../../support/engine.js';
import { decodeRecorded, recordedConnections } from '../../support/lens-capture.js';

let t: TestEngine | undefined;
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await t?.close();
  t = undefined;
});

async function wsServer(onSocket: (ws: WebSocket) => void): Promise<number> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', onSocket);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise<void>((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(); server.close(() => resolve()); }));
  return (server.address() as AddressInfo).port;
}

function summaries(decoded: ReturnType<typeof decodeRecorded>): string[] {
  return decoded.flatMap((m) => m.packets.map((p) => `${m.direction === 'send' ? '>' : '<'} ${p.summary}`));
}

describe('the MQTT lens on mqtt.js traffic through the proxy', () => {
  it('reads a 3.1.1 session with an aedes broker: QoS 0, 1 and 2, a retained message, and links every packet id', async () => {
    const broker = await Aedes.createBroker();
    cleanups.push(() => new Promise<void>((resolve) => broker.close(() => resolve())));
    const port = await wsServer((ws) => broker.handle(createWebSocketStream(ws) as never));
    t = await startTestEngine({ upstream: `ws://127.0.0.1:${port}` });
    const url = `ws://127.0.0.1:${t.proxyPort}/mqtt`;
    const options = { protocolVersion: 4 as const, keepalive: 60, reconnectPeriod: 0, messageIdProvider: new UniqueMessageIdProvider() };

    const publisher = await mqtt.connectAsync(url, { ...options, clientId: 'pub' });
    await publisher.publishAsync('sensors/t1', '21.5', { qos: 1, retain: true });
    const subscriber = await mqtt.connectAsync(url, { ...options, clientId: 'sub', messageIdProvider: new UniqueMessageIdProvider() });
    const received: string[] = [];
    const allArrived = new Promise<void>((resolve) => subscriber.on('message', (topic, payload) => {
      received.push(`${topic}=${payload.toString('hex')}`);
      if (received.length === 3) resolve();
    }));
    // The broker has the PUBACK of the retained delivery before anything else is published, so the
    // recorded order does not depend on which side is faster.
    const retainedAcked = once(broker, 'ack');
    await subscriber.subscribeAsync('sensors/#', { qos: 2 });
    await retainedAcked;
    await publisher.publishAsync('sensors/t2', 'zero', { qos: 0 });
    await publisher.publishAsync('sensors/t3', Buffer.from([0xde, 0xad, 0xbe, 0xef]), { qos: 2 });
    await allArrived;
    await subscriber.endAsync();
    await publisher.endAsync();

    const [pub, sub] = await recordedConnections(t.engine, (target) => target === '/mqtt', 2);
    // mqtt.js writes each field of a packet as its own WebSocket message.
    expect(pub!.messages.slice(0, 4).map((m) => Buffer.from(m.data).toString('hex'))).toEqual(['10', '0f', '0004', '4d515454']);
    expect(mqttLens.detect(pub!.connection, pub!.messages.slice(0, 8))).toBe(1);
    expect(mqttLens.detect({ ...pub!.connection, subprotocol: undefined, offeredSubprotocols: [] }, pub!.messages.slice(0, 8))).toBe(0.95);
    expect(mqttLens.detect({ ...pub!.connection, subprotocol: undefined, offeredSubprotocols: [] }, pub!.messages.slice(0, 3))).toBe(0);
    expect(defaultLensRegistry().detect({ ...pub!.connection, subprotocol: undefined, offeredSubprotocols: [] }, pub!.messages)?.lens.name).toBe('mqtt');
    const pubPackets = decodeRecorded(mqttLens, pub!);
    expect(summaries(pubPackets)).toEqual([
      '> CONNECT pub v3.1.1 clean keepalive 60',
      '< CONNACK Connection Accepted',
      '> PUBLISH sensors/t1 QoS1 #1 retain',
      '< PUBACK #1',
      '> PUBLISH sensors/t2 QoS0',
      '> PUBLISH sensors/t3 QoS2 #1',
      '< PUBREC #1',
      '> PUBREL #1',
      '< PUBCOMP #1',
      '> DISCONNECT',
    ]);
    const flat = pubPackets.flatMap((m) => m.packets);
    expect(flat.map((p) => p.link ?? null)).toEqual([
      { role: 'request', key: 'mqtt:connect' },
      { role: 'answer', key: 'mqtt:connect', final: true },
      { role: 'request', key: 'mqtt:send:1' },
      { role: 'answer', key: 'mqtt:send:1', final: true },
      null,
      { role: 'request', key: 'mqtt:send:1' },
      { role: 'answer', key: 'mqtt:send:1' },
      { role: 'answer', key: 'mqtt:send:1' },
      { role: 'answer', key: 'mqtt:send:1', final: true },
      null,
    ]);
    expect(flat[2]).toMatchObject({ channel: 'sensors/t1', id: 1, data: '21.5', fields: { qos: 1, retain: true, dup: false } });
    expect(flat[5]).toMatchObject({ channel: 'sensors/t3', id: 1, data: { _binary: '3q2+7w==' } });

    const subPackets = decodeRecorded(mqttLens, sub!).flatMap((m) => m.packets);
    const subLines = summaries(decodeRecorded(mqttLens, sub!));
    // aedes numbers its own deliveries; read the ids back from the packets to check the links.
    const deliveries = subPackets.filter((p) => p.type === 'PUBLISH');
    expect(deliveries.map((p) => [p.channel, p.data, (p.fields as { qos: number }).qos, (p.fields as { retain: boolean }).retain])).toEqual([
      ['sensors/t1', '21.5', 1, true],
      ['sensors/t2', 'zero', 0, false],
      ['sensors/t3', { _binary: '3q2+7w==' }, 2, false],
    ]);
    const retainedId = deliveries[0]!.id;
    const qos2Id = deliveries[2]!.id;
    expect(subLines).toEqual([
      '> CONNECT sub v3.1.1 clean keepalive 60',
      '< CONNACK Connection Accepted',
      '> SUBSCRIBE #1 sensors/# QoS2',
      // aedes writes the SUBACK, then the retained messages (lib/handlers/subscribe.js).
      '< SUBACK #1 Granted QoS 2',
      `< PUBLISH sensors/t1 QoS1 #${retainedId} retain`,
      `> PUBACK #${retainedId}`,
      '< PUBLISH sensors/t2 QoS0',
      `< PUBLISH sensors/t3 QoS2 #${qos2Id}`,
      `> PUBREC #${qos2Id}`,
      `< PUBREL #${qos2Id}`,
      `> PUBCOMP #${qos2Id}`,
      '> DISCONNECT',
    ]);
    expect(subPackets.filter((p) => p.link?.key === `mqtt:receive:${qos2Id}`).map((p) => p.type)).toEqual(['PUBLISH', 'PUBREC', 'PUBREL', 'PUBCOMP']);
    expect(subPackets.filter((p) => p.link?.key === 'mqtt:send:1').map((p) => p.type)).toEqual(['SUBSCRIBE', 'SUBACK']);
    expect(received).toEqual(['sensors/t1=32312e35', 'sensors/t2=7a65726f', 'sensors/t3=deadbeef']);
  });

  it('reads an MQTT 5 session: CONNECT and CONNACK properties, user properties, topic aliases, subscription ids', async () => {
    const port = await wsServer((ws) => miniBroker(ws));
    t = await startTestEngine({ upstream: `ws://127.0.0.1:${port}` });
    const client = await mqtt.connectAsync(`ws://127.0.0.1:${t.proxyPort}/mqtt5`, {
      protocolVersion: 5, clientId: 'five', keepalive: 60, reconnectPeriod: 0, messageIdProvider: new UniqueMessageIdProvider(),
      properties: { sessionExpiryInterval: 300, userProperties: { app: 'test' } },
    });
    const received: unknown[] = [];
    const twoArrived = new Promise<void>((resolve) => client.on('message', (topic, payload, packet) => {
      received.push([topic, payload.toString(), packet.properties?.userProperties]);
      if (received.length === 2) resolve();
    }));
    await client.subscribeAsync('room/1', { qos: 1, properties: { subscriptionIdentifier: 7 } });
    await client.publishAsync('room/1', 'hello', {
      qos: 1,
      properties: { topicAlias: 2, contentType: 'text/plain', responseTopic: 'replies', correlationData: Buffer.from('c1'), userProperties: { from: 'five' } },
    });
    await client.publishAsync('', 'again', { qos: 0, properties: { topicAlias: 2 } });
    await twoArrived;
    await client.endAsync();

    const [recorded] = await recordedConnections(t.engine, (target) => target === '/mqtt5', 1);
    const packets = decodeRecorded(mqttLens, recorded!).flatMap((m) => m.packets);
    expect(summaries(decodeRecorded(mqttLens, recorded!))).toEqual([
      '> CONNECT five v5 clean keepalive 60',
      '< CONNACK Success',
      '> SUBSCRIBE #1 room/1 QoS1',
      '< SUBACK #1 Granted QoS 1',
      '> PUBLISH room/1 QoS1 #1 alias 2',
      '< PUBLISH room/1 QoS0',
      '< PUBACK #1',
      '> PUBLISH room/1 QoS0 alias 2',
      '< PUBLISH room/1 QoS0',
      '> DISCONNECT Normal disconnection',
    ]);
    expect(packets[0]!.fields).toMatchObject({ protocolVersion: 5, properties: { sessionExpiryInterval: 300, userProperties: { app: 'test' } } });
    expect(packets[1]!.fields).toEqual({ sessionPresent: false, reasonCode: 0, reason: 'Success', properties: { topicAliasMaximum: 5, receiveMaximum: 10, userProperties: { broker: 'mini' } } });
    expect(packets[2]!.fields).toEqual({
      properties: { subscriptionIdentifier: 7 }, subscriptions: [{ topic: 'room/1', qos: 1, nl: false, rap: false, rh: 0 }], messageId: 1,
    });
    expect(packets[4]).toEqual({
      name: 'mqtt', type: 'PUBLISH', summary: 'PUBLISH room/1 QoS1 #1 alias 2', channel: 'room/1', id: 1, data: 'hello',
      fields: {
        qos: 1, retain: false, dup: false, topic: 'room/1', messageId: 1,
        properties: { topicAlias: 2, contentType: 'text/plain', responseTopic: 'replies', correlationData: { _binary: Buffer.from('c1').toString('base64') }, userProperties: { from: 'five' } },
      },
      link: { role: 'request', key: 'mqtt:send:1' },
    });
    expect(packets[5]!.fields).toMatchObject({ properties: { subscriptionIdentifier: 7, userProperties: { from: 'five' } } });
    expect(packets[7]!.fields).toEqual({ qos: 0, retain: false, dup: false, topic: '', properties: { topicAlias: 2 }, resolvedTopic: 'room/1' });
    expect(received).toEqual([['room/1', 'hello', { from: 'five' }], ['room/1', 'again', undefined]]);
  });
});

/**
 * A small MQTT 5 broker for one client: it acknowledges, and echoes each PUBLISH to the client when it
 * subscribed to the topic, at QoS 0, with the subscription identifier and the publisher's user properties.
 */
function miniBroker(ws: WebSocket): void {
  const parser = mqttPacket.parser({ protocolVersion: 5 });
  const send = (packet: object) => ws.send(mqttPacket.generate(packet as mqttPacket.Packet, { protocolVersion: 5 }));
  const subscriptions = new Map<string, number | undefined>();
  const aliases = new Map<number, string>();
  parser.on('packet', (packet: mqttPacket.Packet) => {
    switch (packet.cmd) {
      case 'connect':
        send({ cmd: 'connack', sessionPresent: false, reasonCode: 0, properties: { topicAliasMaximum: 5, receiveMaximum: 10, userProperties: { broker: 'mini' } } });
        break;
      case 'subscribe':
        for (const s of packet.subscriptions) subscriptions.set(s.topic, packet.properties?.subscriptionIdentifier as number | undefined);
        send({ cmd: 'suback', messageId: packet.messageId, granted: packet.subscriptions.map((s) => s.qos) });
        break;
      case 'publish': {
        const alias = packet.properties?.topicAlias;
        if (alias !== undefined && packet.topic) aliases.set(alias, packet.topic);
        const topic = packet.topic || aliases.get(alias!) || '';
        if (subscriptions.has(topic)) {
          const properties: Record<string, unknown> = { subscriptionIdentifier: subscriptions.get(topic) };
          if (packet.properties?.userProperties) properties.userProperties = packet.properties.userProperties;
          send({ cmd: 'publish', topic, payload: packet.payload, qos: 0, retain: false, dup: false, properties });
        }
        if (packet.qos === 1) send({ cmd: 'puback', messageId: packet.messageId, reasonCode: 0 });
        break;
      }
      case 'pingreq': send({ cmd: 'pingresp' }); break;
      case 'disconnect': ws.close(); break;
    }
  });
  ws.on('message', (data: Buffer) => parser.parse(data));
}
