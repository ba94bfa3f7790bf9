import { describe, expect, it } from 'vitest';
import mqttPacket from 'mqtt-packet';
import { mqttLens, MqttDecoder } from '../../../src/protocol/lenses/mqtt.js';
import { encodeMqttAck, encodeMqttPublish, encodeMqttSubscribe, encodeMqttUnsubscribe } from '../../../src/protocol/lenses/mqtt-encoder.js';
import type { LensMessage, ProtocolPacket } from '../../../src/protocol/lenses/lens.js';

const CONNECTION = { target: '/mqtt', subprotocol: 'mqtt', offeredSubprotocols: ['mqtt'] };

function gen(packet: object, protocolVersion = 4): Uint8Array {
  return new Uint8Array(mqttPacket.generate(packet as mqttPacket.Packet, { protocolVersion }));
}

function send(data: Uint8Array): LensMessage {
  return { direction: 'send', opcode: 2, data };
}

function receive(data: Uint8Array): LensMessage {
  return { direction: 'receive', opcode: 2, data };
}

function decodeAll(messages: LensMessage[]): ProtocolPacket[] {
  const decoder = new MqttDecoder();
  return messages.flatMap((m) => {
    const result = decoder.decode(m);
    expect(result.problems).toBeUndefined();
    return result.packets;
  });
}

const CONNECT_V5 = {
  cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 30, clientId: 'sensor-1',
  username: 'ann', password: Buffer.from('secret'),
  will: { topic: 'status/sensor-1', payload: Buffer.from('gone'), qos: 1, retain: true, properties: { willDelayInterval: 5 } },
  properties: { sessionExpiryInterval: 3600, receiveMaximum: 20, userProperties: { site: 'north' } },
};

describe('the MQTT lens', () => {
  it('detects MQTT from the subprotocol, from a first CONNECT, and declines other traffic', () => {
    expect(mqttLens.detect(CONNECTION, [])).toBe(1);
    expect(mqttLens.detect({ target: '/', subprotocol: 'mqttv3.1', offeredSubprotocols: ['mqttv3.1'] }, [])).toBe(1);
    const plain = { target: '/', offeredSubprotocols: [] };
    expect(mqttLens.detect(plain, [send(gen(CONNECT_V5, 5))])).toBe(0.95);
    expect(mqttLens.detect(plain, [send(gen({ cmd: 'connect', protocolId: 'MQIsdp', protocolVersion: 3, clientId: 'a' }, 3))])).toBe(0.95);
    expect(mqttLens.detect(plain, [send(new TextEncoder().encode('{"hello":1}'))])).toBe(0);
    expect(mqttLens.detect(plain, [send(Uint8Array.of(0x10, 0xff, 0xff, 0xff, 0xff))])).toBe(0);
    expect(mqttLens.detect(plain, [])).toBe(0);
  });

  it('reads an MQTT 5 CONNECT with its will, credentials and properties, and links it to the CONNACK', () => {
    const [connect, connack] = decodeAll([
      send(gen(CONNECT_V5, 5)),
      receive(gen({ cmd: 'connack', sessionPresent: true, reasonCode: 0, properties: { assignedClientIdentifier: 'x1', topicAliasMaximum: 10 } }, 5)),
    ]);
    expect(connect).toEqual({
      name: 'mqtt', type: 'CONNECT', summary: 'CONNECT sensor-1 v5 clean keepalive 30 will status/sensor-1 user ann',
      fields: {
        protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 30, clientId: 'sensor-1',
        properties: { sessionExpiryInterval: 3600, receiveMaximum: 20, userProperties: { site: 'north' } },
        will: { qos: 1, retain: true, properties: { willDelayInterval: 5 }, topic: 'status/sensor-1', payload: 'gone' },
        username: 'ann', password: 'secret',
      },
      link: { role: 'request', key: 'mqtt:connect' },
    });
    expect(connack).toEqual({
      name: 'mqtt', type: 'CONNACK', summary: 'CONNACK Success session-present',
      fields: { sessionPresent: true, reasonCode: 0, reason: 'Success', properties: { assignedClientIdentifier: 'x1', topicAliasMaximum: 10 } },
      link: { role: 'answer', key: 'mqtt:connect', final: true },
    });
  });

  it('reads MQTT 3.1.1 CONNACK return codes in 3.1.1 words', () => {
    const [, connack] = decodeAll([send(gen({ cmd: 'connect', protocolVersion: 4, clientId: 'c', keepalive: 10 })), receive(gen({ cmd: 'connack', returnCode: 5 }))]);
    expect(connack!.summary).toBe('CONNACK Not authorized');
    expect(connack!.fields).toEqual({ sessionPresent: false, reasonCode: 5, reason: 'Not authorized' });
  });

  it('reads PUBLISH at each QoS with topic, retain, dup, packet id and payload, text or binary', () => {
    const packets = decodeAll([
      send(gen({ cmd: 'connect', protocolVersion: 4, clientId: 'c' })),
      send(gen({ cmd: 'publish', topic: 'sensors/t1', payload: Buffer.from('21.5'), qos: 0, retain: false, dup: false })),
      send(gen({ cmd: 'publish', topic: 'sensors/t1', payload: Buffer.from('22'), qos: 1, messageId: 42, retain: true, dup: true })),
      send(gen({ cmd: 'publish', topic: 'bin', payload: Buffer.from([0xff, 0x00, 0x80]), qos: 2, messageId: 7, retain: false, dup: false })),
    ]).slice(1);
    expect(packets).toEqual([
      { name: 'mqtt', type: 'PUBLISH', summary: 'PUBLISH sensors/t1 QoS0', channel: 'sensors/t1', data: '21.5', fields: { qos: 0, retain: false, dup: false, topic: 'sensors/t1' } },
      {
        name: 'mqtt', type: 'PUBLISH', summary: 'PUBLISH sensors/t1 QoS1 #42 retain dup', channel: 'sensors/t1', id: 42, data: '22',
        fields: { qos: 1, retain: true, dup: true, topic: 'sensors/t1', messageId: 42 }, link: { role: 'request', key: 'mqtt:send:42' },
      },
      {
        name: 'mqtt', type: 'PUBLISH', summary: 'PUBLISH bin QoS2 #7', channel: 'bin', id: 7, data: { _binary: '/wCA' },
        fields: { qos: 2, retain: false, dup: false, topic: 'bin', messageId: 7 }, link: { role: 'request', key: 'mqtt:send:7' },
      },
    ]);
  });

  it('links the QoS 2 exchange per direction: PUBLISH, PUBREC, PUBREL, PUBCOMP', () => {
    const packets = decodeAll([
      receive(gen({ cmd: 'publish', topic: 'a', payload: Buffer.from('x'), qos: 2, messageId: 3 })),
      send(gen({ cmd: 'pubrec', messageId: 3 })),
      receive(gen({ cmd: 'pubrel', messageId: 3 })),
      send(gen({ cmd: 'pubcomp', messageId: 3 })),
      send(gen({ cmd: 'publish', topic: 'a', payload: Buffer.from('y'), qos: 1, messageId: 3 })),
      receive(gen({ cmd: 'puback', messageId: 3 })),
    ]);
    expect(packets.map((p) => [p.summary, p.link])).toEqual([
      ['PUBLISH a QoS2 #3', { role: 'request', key: 'mqtt:receive:3' }],
      ['PUBREC #3', { role: 'answer', key: 'mqtt:receive:3' }],
      ['PUBREL #3', { role: 'answer', key: 'mqtt:receive:3' }],
      ['PUBCOMP #3', { role: 'answer', key: 'mqtt:receive:3', final: true }],
      ['PUBLISH a QoS1 #3', { role: 'request', key: 'mqtt:send:3' }],
      ['PUBACK #3', { role: 'answer', key: 'mqtt:send:3', final: true }],
    ]);
  });

  it('reads SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP and DISCONNECT in MQTT 5', () => {
    const packets = decodeAll([
      send(gen({ cmd: 'connect', protocolVersion: 5, clientId: 'c' }, 5)),
      send(gen({ cmd: 'subscribe', messageId: 9, properties: { subscriptionIdentifier: 145 }, subscriptions: [{ topic: 'sensors/#', qos: 1, nl: true, rap: false, rh: 1 }, { topic: 'cmd', qos: 2, nl: false, rap: true, rh: 0 }] }, 5)),
      receive(gen({ cmd: 'suback', messageId: 9, granted: [1, 0x87] }, 5)),
      send(gen({ cmd: 'unsubscribe', messageId: 10, unsubscriptions: ['cmd'] }, 5)),
      receive(gen({ cmd: 'unsuback', messageId: 10, granted: [0x11] }, 5)),
      send(gen({ cmd: 'pingreq' }, 5)),
      receive(gen({ cmd: 'pingresp' }, 5)),
      send(gen({ cmd: 'disconnect', reasonCode: 4, properties: { reasonString: 'bye' } }, 5)),
    ]).slice(1);
    expect(packets).toEqual([
      {
        name: 'mqtt', type: 'SUBSCRIBE', summary: 'SUBSCRIBE #9 sensors/# QoS1, cmd QoS2', id: 9,
        fields: { properties: { subscriptionIdentifier: 145 }, subscriptions: [{ topic: 'sensors/#', qos: 1, nl: true, rap: false, rh: 1 }, { topic: 'cmd', qos: 2, nl: false, rap: true, rh: 0 }], messageId: 9 },
        link: { role: 'request', key: 'mqtt:send:9' },
      },
      {
        name: 'mqtt', type: 'SUBACK', summary: 'SUBACK #9 Granted QoS 1, Not authorized', id: 9,
        fields: { properties: {}, granted: [1, 0x87], reasons: ['Granted QoS 1', 'Not authorized'], messageId: 9 },
        link: { role: 'answer', key: 'mqtt:send:9', final: true },
      },
      {
        name: 'mqtt', type: 'UNSUBSCRIBE', summary: 'UNSUBSCRIBE #10 cmd', id: 10, channel: 'cmd',
        fields: { properties: {}, unsubscriptions: ['cmd'], messageId: 10 }, link: { role: 'request', key: 'mqtt:send:10' },
      },
      {
        name: 'mqtt', type: 'UNSUBACK', summary: 'UNSUBACK #10 No subscription existed', id: 10,
        fields: { properties: {}, granted: [0x11], reasons: ['No subscription existed'], messageId: 10 },
        link: { role: 'answer', key: 'mqtt:send:10', final: true },
      },
      { name: 'mqtt', type: 'PINGREQ', summary: 'PINGREQ', fields: {}, link: { role: 'request', key: 'mqtt:ping:send' } },
      { name: 'mqtt', type: 'PINGRESP', summary: 'PINGRESP', fields: {}, link: { role: 'answer', key: 'mqtt:ping:send', final: true } },
      {
        name: 'mqtt', type: 'DISCONNECT', summary: 'DISCONNECT Disconnect with Will Message',
        fields: { reasonCode: 4, reason: 'Disconnect with Will Message', properties: { reasonString: 'bye' } },
      },
    ]);
  });

  it('reads MQTT 5 PUBLISH properties and resolves a topic alias per direction', () => {
    const props = {
      payloadFormatIndicator: true, messageExpiryInterval: 60, topicAlias: 3, responseTopic: 'replies', correlationData: Buffer.from([1, 2]),
      userProperties: { a: ['1', '2'], b: 'x' }, contentType: 'text/plain',
    };
    const packets = decodeAll([
      send(gen({ cmd: 'connect', protocolVersion: 5, clientId: 'c' }, 5)),
      send(gen({ cmd: 'publish', topic: 'long/topic/name', payload: Buffer.from('one'), qos: 1, messageId: 1, properties: props }, 5)),
      send(gen({ cmd: 'publish', topic: '', payload: Buffer.from('two'), qos: 0, properties: { topicAlias: 3 } }, 5)),
      receive(gen({ cmd: 'puback', messageId: 1, reasonCode: 0x10, properties: { reasonString: 'nobody' } }, 5)),
    ]).slice(1);
    expect(packets[0]!.fields!.properties).toEqual({
      payloadFormatIndicator: 1, messageExpiryInterval: 60, contentType: 'text/plain', responseTopic: 'replies',
      correlationData: { _binary: 'AQI=' }, topicAlias: 3, userProperties: { a: ['1', '2'], b: 'x' },
    });
    expect(packets[1]).toEqual({
      name: 'mqtt', type: 'PUBLISH', summary: 'PUBLISH long/topic/name QoS0 alias 3', channel: 'long/topic/name', data: 'two',
      fields: { qos: 0, retain: false, dup: false, topic: '', properties: { topicAlias: 3 }, resolvedTopic: 'long/topic/name' },
    });
    expect(packets[2]).toMatchObject({ summary: 'PUBACK #1 No matching subscribers', fields: { reasonCode: 0x10, reason: 'No matching subscribers', properties: { reasonString: 'nobody' } } });
  });

  it('reads several packets in one message and one packet split at every byte across messages', () => {
    const connect = gen({ cmd: 'connect', protocolVersion: 5, clientId: 'c' }, 5);
    const publish = gen({ cmd: 'publish', topic: 't', payload: Buffer.alloc(200, 0x61), qos: 1, messageId: 5, properties: { contentType: 'x' } }, 5);
    const both = new Uint8Array([...connect, ...publish]);
    expect(decodeAll([send(both)]).map((p) => p.summary)).toEqual(['CONNECT c v5 clean keepalive 0', 'PUBLISH t QoS1 #5']);
    for (let cut = 1; cut < both.length; cut++) {
      const decoder = new MqttDecoder();
      const first = decoder.decode(send(both.subarray(0, cut)));
      const second = decoder.decode(send(both.subarray(cut)));
      expect(first.pending ?? false).toBe(cut < connect.length);
      expect([...first.packets, ...second.packets].map((p) => p.summary)).toEqual(['CONNECT c v5 clean keepalive 0', 'PUBLISH t QoS1 #5']);
      expect(second.pending).toBeUndefined();
    }
  });

  it('reports a malformed packet and keeps reading the next one', () => {
    const decoder = new MqttDecoder();
    // A SUBSCRIBE whose topic filter claims more bytes than the packet has, then a PINGREQ.
    const result = decoder.decode(send(Uint8Array.of(0x82, 0x04, 0x00, 0x01, 0x00, 0x09, 0xc0, 0x00)));
    expect(result.problems).toEqual(['malformed packet (type 8): a topic filter needs 9 bytes, 0 left']);
    expect(result.packets.map((p) => p.type)).toEqual(['PINGREQ']);
    const flags = decoder.decode(send(Uint8Array.of(0xc1, 0x00)));
    expect(flags.problems).toEqual(['PINGREQ must have fixed header flags 0000, found 0001']);
    const text = decoder.decode({ direction: 'send', opcode: 1, data: Uint8Array.of(0xc0, 0x00) });
    expect(text.problems).toEqual(['MQTT over WebSocket goes in binary messages (MQTT 5 §6.0.0-1); this one is text']);
    const broken = decoder.decode(send(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x01)));
    expect(broken.problems).toEqual(['the remaining length is longer than four bytes; the rest of this stream is not read as MQTT']);
    expect(decoder.decode(send(Uint8Array.of(0xc0, 0x00))).packets.map((p) => p.type)).toEqual(['PINGREQ']);
  });

  it('encodes packets that mqtt-packet parses back to the same fields', () => {
    const parse = (bytes: Uint8Array, protocolVersion: number) => {
      const parser = mqttPacket.parser({ protocolVersion });
      const out: mqttPacket.Packet[] = [];
      parser.on('packet', (p) => out.push(p));
      parser.on('error', (e) => { throw e; });
      parser.parse(Buffer.from(bytes));
      return out;
    };
    expect(parse(encodeMqttPublish({ topic: 'a/b', payload: 'hi', qos: 1, packetId: 12, retain: true }), 4)).toMatchObject([
      { cmd: 'publish', topic: 'a/b', qos: 1, messageId: 12, retain: true, dup: false, payload: Buffer.from('hi') },
    ]);
    expect(parse(encodeMqttPublish({ topic: 't', payload: Uint8Array.of(0, 1), version: 5, properties: { contentType: 'bin', userProperties: { k: ['a', 'b'] }, messageExpiryInterval: 9 } }), 5)).toMatchObject([
      { cmd: 'publish', topic: 't', qos: 0, payload: Buffer.from([0, 1]), properties: { contentType: 'bin', userProperties: { k: ['a', 'b'] }, messageExpiryInterval: 9 } },
    ]);
    expect(parse(encodeMqttSubscribe({ packetId: 2, subscriptions: [{ topic: 'x/#', qos: 2 }] }), 4)).toMatchObject([{ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'x/#', qos: 2 }] }]);
    expect(parse(encodeMqttUnsubscribe({ packetId: 3, topics: ['x/#'], version: 5 }), 5)).toMatchObject([{ cmd: 'unsubscribe', messageId: 3, unsubscriptions: ['x/#'] }]);
    expect(parse(encodeMqttAck('PUBREL', 4), 4)).toMatchObject([{ cmd: 'pubrel', messageId: 4 }]);
    expect(() => encodeMqttPublish({ topic: 't', payload: '', qos: 1 })).toThrow('a QoS 1 or 2 PUBLISH needs a packet id');
  });
});
