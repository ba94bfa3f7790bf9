// One MQTT control packet's variable header and payload, decoded (MQTT 5 §3, MQTT 3.1.1 §3). The framing
// (fixed header, remaining length) is mqtt.ts's job; this reads one whole packet body.
import { textOrBinary } from '../payload/json-safe.js';
import { readProperties } from './mqtt-properties.js';
import { reasonName } from './mqtt-reason-codes.js';
import { MqttFormatError, MqttReader } from './mqtt-reader.js';

export const PACKET_TYPES = [
  'reserved', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP',
  'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH',
] as const;

export type MqttPacketType = (typeof PACKET_TYPES)[number];

/** One decoded packet. */
export interface MqttPacket {
  type: MqttPacketType;
  /** The packet identifier, for the packets that carry one. */
  packetId?: number;
  /** PUBLISH: the topic name as sent (empty when a topic alias stands for it). */
  topic?: string;
  /** PUBLISH: the application message. */
  payload?: Uint8Array;
  /** Every other field, JSON-safe, named after mqtt.js's packet objects (qos, retain, dup, properties, ...). */
  fields: Record<string, unknown>;
  /** What breaks the spec without stopping the decode (reserved flags). */
  problems: string[];
}

/** MQTT 5 §2.1.3: the fixed header flags that are not PUBLISH's are fixed. */
const REQUIRED_FLAGS: Partial<Record<MqttPacketType, number>> = { PUBREL: 2, SUBSCRIBE: 2, UNSUBSCRIBE: 2 };

/**
 * Decodes one packet from its first byte and its body (the bytes after the remaining length).
 * `version` is the protocol level the CONNECT set (3, 4 = 3.1.1, 5); a CONNECT reads its own.
 * Throws MqttFormatError when the body does not hold what the type requires.
 */
export function decodeMqttPacket(first: number, body: Uint8Array, version: number): MqttPacket {
  const type = PACKET_TYPES[first >> 4]!;
  const flags = first & 0x0f;
  const r = new MqttReader(body);
  const fields: Record<string, unknown> = {};
  const packet: MqttPacket = { type, fields, problems: [] };
  if (type === 'reserved') throw new MqttFormatError('packet type 0 is reserved');
  if (type === 'AUTH' && version < 5) packet.problems.push('AUTH exists only in MQTT 5');
  if (type !== 'PUBLISH') {
    const required = REQUIRED_FLAGS[type] ?? 0;
    if (flags !== required) packet.problems.push(`${type} must have fixed header flags ${required.toString(2).padStart(4, '0')}, found ${flags.toString(2).padStart(4, '0')}`);
  }
  const v5 = version >= 5;
  const reason = (code: number) => { fields.reasonCode = code; fields.reason = reasonName(code, type, version); };
  switch (type) {
    case 'CONNECT': readConnect(r, fields, packet); break;
    case 'CONNACK': {
      const ack = r.byte('the acknowledge flags');
      fields.sessionPresent = (ack & 1) === 1;
      reason(r.byte('the return code'));
      if (v5) fields.properties = readProperties(r);
      break;
    }
    case 'PUBLISH': {
      const qos = (flags >> 1) & 3;
      if (qos === 3) packet.problems.push('PUBLISH with QoS 3 (both QoS bits set)');
      fields.qos = qos;
      fields.retain = (flags & 1) === 1;
      fields.dup = (flags & 8) === 8;
      packet.topic = r.string('the topic name');
      fields.topic = packet.topic;
      if (qos > 0) packet.packetId = r.uint16('the packet identifier');
      if (v5) fields.properties = readProperties(r);
      packet.payload = r.rest();
      break;
    }
    case 'PUBACK': case 'PUBREC': case 'PUBREL': case 'PUBCOMP': case 'UNSUBACK': case 'SUBACK': {
      packet.packetId = r.uint16('the packet identifier');
      if (type === 'SUBACK' || type === 'UNSUBACK') {
        if (v5) fields.properties = readProperties(r);
        if (type === 'SUBACK' || v5) {
          const codes = [...r.rest()];
          fields.granted = codes;
          fields.reasons = codes.map((c) => reasonName(c, type, version));
        }
      } else if (v5 && r.remaining > 0) {
        // MQTT 5 §3.4.2.1: the reason code and properties may be left out when Success and none.
        reason(r.byte('the reason code'));
        if (r.remaining > 0) fields.properties = readProperties(r);
      }
      break;
    }
    case 'SUBSCRIBE': {
      packet.packetId = r.uint16('the packet identifier');
      if (v5) fields.properties = readProperties(r);
      const subscriptions: Record<string, unknown>[] = [];
      while (r.remaining > 0) {
        const topic = r.string('a topic filter');
        const options = r.byte('the subscription options');
        const sub: Record<string, unknown> = { topic, qos: options & 3 };
        if (v5) {
          sub.nl = (options & 4) === 4;
          sub.rap = (options & 8) === 8;
          sub.rh = (options >> 4) & 3;
        }
        subscriptions.push(sub);
      }
      if (subscriptions.length === 0) packet.problems.push('SUBSCRIBE without a topic filter');
      fields.subscriptions = subscriptions;
      break;
    }
    case 'UNSUBSCRIBE': {
      packet.packetId = r.uint16('the packet identifier');
      if (v5) fields.properties = readProperties(r);
      const topics: string[] = [];
      while (r.remaining > 0) topics.push(r.string('a topic filter'));
      fields.unsubscriptions = topics;
      break;
    }
    case 'PINGREQ': case 'PINGRESP': break;
    case 'DISCONNECT': case 'AUTH':
      if (v5 && r.remaining > 0) {
        reason(r.byte('the reason code'));
        if (r.remaining > 0) fields.properties = readProperties(r);
      }
      break;
  }
  if (packet.packetId !== undefined) fields.messageId = packet.packetId;
  if (r.remaining > 0) packet.problems.push(`${r.remaining} bytes after the ${type} packet's fields`);
  return packet;
}

function readConnect(r: MqttReader, fields: Record<string, unknown>, packet: MqttPacket): void {
  fields.protocolId = r.string('the protocol name');
  const level = r.byte('the protocol level');
  fields.protocolVersion = level;
  const flags = r.byte('the connect flags');
  if (flags & 1) packet.problems.push('the reserved connect flag is set');
  fields.clean = (flags & 2) === 2;
  fields.keepalive = r.uint16('the keep alive');
  const v5 = level >= 5;
  if (v5) fields.properties = readProperties(r);
  fields.clientId = r.string('the client identifier');
  if (flags & 4) {
    const will: Record<string, unknown> = { qos: (flags >> 3) & 3, retain: (flags & 0x20) === 0x20 };
    if (v5) will.properties = readProperties(r);
    will.topic = r.string('the will topic');
    will.payload = textOrBinary(r.binary('the will payload'));
    fields.will = will;
  }
  if (flags & 0x80) fields.username = r.string('the user name');
  if (flags & 0x40) {
    const password = r.binary('the password');
    fields.password = textOrBinary(password);
  }
}

/** The protocol level a CONNECT body announces (the byte after the protocol name), if it parses. */
export function connectLevel(body: Uint8Array): number | undefined {
  if (body.length < 2) return undefined;
  const nameLength = (body[0]! << 8) | body[1]!;
  return body[2 + nameLength];
}

