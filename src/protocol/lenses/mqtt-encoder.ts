// Encoding MQTT packets for the composer (MQTT 5 §3, 3.1.1 §3): pure functions from fields to the bytes
// of one binary WebSocket message.
import { PROPERTY_IDS } from './mqtt-properties.js';

const utf8 = new TextEncoder();

export interface MqttPublishOptions {
  topic: string;
  /** Text goes as UTF-8. */
  payload: string | Uint8Array;
  qos?: 0 | 1 | 2;
  retain?: boolean;
  dup?: boolean;
  /** Needed for QoS 1 and 2. */
  packetId?: number;
  /** The connection's protocol level: 4 (3.1.1, the default) or 5; 3 (3.1) encodes as 4. */
  version?: number;
  /** MQTT 5 properties, named as the decoder names them (`contentType`, `userProperties: {k: v}`, ...). */
  properties?: Record<string, unknown>;
}

export function encodeMqttPublish(options: MqttPublishOptions): Uint8Array {
  const qos = options.qos ?? 0;
  if (qos > 0 && options.packetId === undefined) throw new Error('a QoS 1 or 2 PUBLISH needs a packet id');
  const parts: Uint8Array[] = [utf8String(options.topic)];
  if (qos > 0) parts.push(uint16(checkedId(options.packetId!)));
  if ((options.version ?? 4) >= 5) parts.push(encodeProperties(options.properties ?? {}));
  parts.push(typeof options.payload === 'string' ? utf8.encode(options.payload) : options.payload);
  const flags = (options.dup ? 8 : 0) | (qos << 1) | (options.retain ? 1 : 0);
  return packet(0x30 | flags, parts);
}

export interface MqttSubscribeOptions {
  packetId: number;
  subscriptions: { topic: string; qos?: 0 | 1 | 2 }[];
  version?: number;
}

export function encodeMqttSubscribe(options: MqttSubscribeOptions): Uint8Array {
  const parts: Uint8Array[] = [uint16(checkedId(options.packetId))];
  if ((options.version ?? 4) >= 5) parts.push(encodeProperties({}));
  for (const s of options.subscriptions) parts.push(utf8String(s.topic), Uint8Array.of(s.qos ?? 0));
  return packet(0x82, parts);
}

export function encodeMqttUnsubscribe(options: { packetId: number; topics: string[]; version?: number }): Uint8Array {
  const parts: Uint8Array[] = [uint16(checkedId(options.packetId))];
  if ((options.version ?? 4) >= 5) parts.push(encodeProperties({}));
  for (const t of options.topics) parts.push(utf8String(t));
  return packet(0xa2, parts);
}

/** PUBACK, PUBREC, PUBREL or PUBCOMP for a packet id (reason Success, so the short form in MQTT 5 too). */
export function encodeMqttAck(type: 'PUBACK' | 'PUBREC' | 'PUBREL' | 'PUBCOMP', packetId: number): Uint8Array {
  const first = { PUBACK: 0x40, PUBREC: 0x50, PUBREL: 0x62, PUBCOMP: 0x70 }[type];
  return packet(first, [uint16(checkedId(packetId))]);
}

export function encodeMqttPingreq(): Uint8Array {
  return Uint8Array.of(0xc0, 0);
}

export function encodeMqttDisconnect(): Uint8Array {
  return Uint8Array.of(0xe0, 0);
}

/** MQTT 5 §2.2.2.2. */
export function encodeProperties(properties: Record<string, unknown>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [name, value] of Object.entries(properties)) {
    const known = PROPERTY_IDS[name];
    if (!known) throw new Error(`unknown MQTT 5 property ${name}`);
    const [id, kind] = known;
    if (kind === 'pair') {
      for (const [key, v] of Object.entries(value as Record<string, string | string[]>)) {
        for (const one of Array.isArray(v) ? v : [v]) parts.push(Uint8Array.of(id), utf8String(key), utf8String(one));
      }
      continue;
    }
    for (const one of Array.isArray(value) ? value : [value]) {
      parts.push(varint(id));
      if (kind === 'byte') parts.push(Uint8Array.of(Number(one)));
      else if (kind === 'uint16') parts.push(uint16(Number(one)));
      else if (kind === 'uint32') parts.push(uint32(Number(one)));
      else if (kind === 'varint') parts.push(varint(Number(one)));
      else if (kind === 'string') parts.push(utf8String(String(one)));
      else parts.push(lengthPrefixed(one instanceof Uint8Array ? one : utf8.encode(String(one))));
    }
  }
  const body = concat(parts);
  return concat([varint(body.length), body]);
}

function packet(first: number, parts: Uint8Array[]): Uint8Array {
  const body = concat(parts);
  return concat([Uint8Array.of(first), varint(body.length), body]);
}

function checkedId(id: number): number {
  if (!Number.isInteger(id) || id < 1 || id > 0xffff) throw new Error(`a packet id is 1 to 65535, not ${id}`);
  return id;
}

/** MQTT 5 §1.5.5. */
export function varint(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 268_435_455) throw new Error(`${value} does not fit a variable byte integer`);
  const out: number[] = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
  return Uint8Array.from(out);
}

function uint16(v: number): Uint8Array {
  return Uint8Array.of((v >> 8) & 0xff, v & 0xff);
}

function uint32(v: number): Uint8Array {
  return Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  if (bytes.length > 0xffff) throw new Error('an MQTT string or binary field holds at most 65535 bytes');
  return concat([uint16(bytes.length), bytes]);
}

function utf8String(text: string): Uint8Array {
  return lengthPrefixed(utf8.encode(text));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
