import { describe, expect, it } from 'vitest';
import type { ProtocolPacket } from '../../../src/protocol/lenses/lens.js';
import { isProtocolFilter, matchProtocolField, mqttTopicMatches, parseProtocolFilter } from '../../../src/protocol/lenses/protocol-filter.js';

const chat: ProtocolPacket = { name: 'socket.io', type: 'EVENT', summary: 'EVENT message /chat ack 17', event: 'message', channel: '/chat', id: 17, data: [{ text: 'hi there' }] };
const publish: ProtocolPacket = { name: 'mqtt', type: 'PUBLISH', summary: 'PUBLISH sensors/t1 QoS1 #42', channel: 'sensors/t1', id: 42, fields: { qos: 1, retain: false } };
const subscribe: ProtocolPacket = { name: 'graphql-transport-ws', type: 'subscribe', summary: 'subscribe 1 OnChat', event: 'OnChat', id: '1' };

describe('protocol filters', () => {
  it('match the issue\'s examples, and miss the packets they do not name', () => {
    expect(matchProtocolField([chat], 'socket.io.event:message')).toBe(true);
    expect(matchProtocolField([chat], 'socket.io.event:messages')).toBe(false);
    expect(matchProtocolField([publish], 'mqtt.topic:sensors/#')).toBe(true);
    expect(matchProtocolField([publish], 'mqtt.topic:sensors/+')).toBe(true);
    expect(matchProtocolField([publish], 'mqtt.topic:other/#')).toBe(false);
    expect(matchProtocolField([subscribe], 'graphql.operation:OnChat')).toBe(true);
    expect(matchProtocolField([chat, publish, subscribe].slice(1), 'socket.io.event:message')).toBe(false);
  });

  it('match generic proto fields, ids as text, globs, data contents, the packet\'s own fields and bare protocols', () => {
    expect(matchProtocolField([chat], 'proto.type:EVENT')).toBe(true);
    expect(matchProtocolField([publish], 'proto.type:EVENT')).toBe(false);
    expect(matchProtocolField([chat], 'socket.io.ack:17')).toBe(true);
    expect(matchProtocolField([chat], 'socket.io.namespace:/ch*')).toBe(true);
    expect(matchProtocolField([chat], 'proto.data:"hi there"')).toBe(true);
    expect(matchProtocolField([publish], 'mqtt.qos:1')).toBe(true);
    expect(matchProtocolField([publish], 'mqtt.qos:2')).toBe(false);
    expect(matchProtocolField([publish], 'mqtt')).toBe(true);
    expect(matchProtocolField([publish], 'stomp')).toBe(false);
  });

  it('needs every term to hold for the same packet', () => {
    expect(matchProtocolField([chat, publish], 'proto.type:PUBLISH proto.event:message')).toBe(false);
    expect(matchProtocolField([chat, publish], 'proto.type:EVENT proto.event:message')).toBe(true);
  });

  it('refuses what names no protocol or no field, and matches nothing with it', () => {
    expect(parseProtocolFilter('sockets.event:x')).toEqual({ ok: false, error: expect.stringMatching(/^"sockets.event:x" does not name a protocol/) });
    expect(parseProtocolFilter('mqtt:x')).toEqual({ ok: false, error: '"mqtt:x" names no field (e.g. mqtt.type:VALUE)' });
    expect(parseProtocolFilter('  ')).toEqual({ ok: false, error: 'an empty protocol filter' });
    expect(matchProtocolField([chat], 'nonsense')).toBe(false);
    expect([isProtocolFilter('socket.io.event:a'), isProtocolFilter('hello world'), isProtocolFilter('')]).toEqual([true, false, false]);
  });

  it('match MQTT topic filters as MQTT 3.1.1 §4.7 says', () => {
    expect(mqttTopicMatches('sport/#', 'sport')).toBe(true);
    expect(mqttTopicMatches('sport/tennis/+', 'sport/tennis/p1')).toBe(true);
    expect(mqttTopicMatches('sport/+', 'sport/tennis/p1')).toBe(false);
    expect(mqttTopicMatches('#', '$SYS/x')).toBe(false);
    expect(mqttTopicMatches('+/x', '$SYS/x')).toBe(false);
    expect(mqttTopicMatches('a/#/b', 'a/x/b')).toBe(false);
  });
});
