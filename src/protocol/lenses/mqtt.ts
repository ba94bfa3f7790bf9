// The MQTT lens (MQTT 3.1, 3.1.1 and 5 over WebSocket, MQTT 5 §6): a byte stream per direction cut into
// control packets, so several packets in one message and one packet across messages both read right.
// Packet ids link a PUBLISH to its PUBACK (QoS 1) or PUBREC/PUBREL/PUBCOMP (QoS 2), a SUBSCRIBE to its
// SUBACK, an UNSUBSCRIBE to its UNSUBACK; CONNECT links to CONNACK and PINGREQ to PINGRESP.
import { textOrBinary } from '../payload/json-safe.js';
import type { Lens, LensConnection, LensDecoder, LensMessage, LensResult, PacketLink, ProtocolPacket } from './lens.js';
import { connectLevel, decodeMqttPacket, type MqttPacket } from './mqtt-packet.js';
import { MqttFormatError, readRemainingLength } from './mqtt-reader.js';

type Direction = LensMessage['direction'];

/** A packet may claim up to 256 MiB; past this much buffered the lens gives up on the stream (the store caps messages anyway). */
export const MQTT_MAX_PENDING = 64 * 1024 * 1024;

const SUBPROTOCOLS = ['mqtt', 'mqttv3.1'];

export const mqttLens: Lens = {
  name: 'mqtt',
  detect(connection: LensConnection, first: readonly LensMessage[]): number {
    const chosen = connection.subprotocol?.toLowerCase();
    if (chosen && SUBPROTOCOLS.includes(chosen)) return 1;
    // A client may write each field of its CONNECT as its own message (mqtt.js does): read them joined.
    const sent = first.filter((m) => m.direction === 'send').map((m) => m.data);
    if (sent.length > 0 && startsWithConnect(sent.length === 1 ? sent[0]! : concat(...sent))) return 0.95;
    if (!chosen && connection.offeredSubprotocols.some((p) => SUBPROTOCOLS.includes(p.toLowerCase()))) return 0.6;
    return 0;
  },
  decoder: () => new MqttDecoder(),
};

/** A CONNECT fixed header, then the protocol name "MQTT" (3.1.1, 5) or "MQIsdp" (3.1). */
function startsWithConnect(data: Uint8Array): boolean {
  if (data[0] !== 0x10) return false;
  try {
    const length = readRemainingLength(data, 1);
    if (!length) return false;
    const start = 1 + length.size;
    const nameLength = (data[start]! << 8) | data[start + 1]!;
    if (nameLength !== 4 && nameLength !== 6) return false;
    const name = String.fromCharCode(...data.subarray(start + 2, start + 2 + nameLength));
    return name === 'MQTT' || name === 'MQIsdp';
  } catch {
    return false;
  }
}

interface Stream {
  /** Bytes of a packet not yet complete. */
  pending: Uint8Array;
  /** MQTT 5 topic aliases this direction's sender set (§3.3.2.3.4). */
  aliases: Map<number, string>;
}

export class MqttDecoder implements LensDecoder {
  /** The protocol level from the CONNECT: 3 (3.1), 4 (3.1.1) or 5; 3.1.1 until one is seen. */
  private version = 4;
  private readonly streams: Record<Direction, Stream> = {
    send: { pending: new Uint8Array(0), aliases: new Map() },
    receive: { pending: new Uint8Array(0), aliases: new Map() },
  };

  decode(message: LensMessage): LensResult {
    const stream = this.streams[message.direction];
    const problems: string[] = [];
    if (message.opcode === 1) problems.push('MQTT over WebSocket goes in binary messages (MQTT 5 §6.0.0-1); this one is text');
    const bytes = stream.pending.length === 0 ? message.data : concat(stream.pending, message.data);
    const packets: ProtocolPacket[] = [];
    let offset = 0;
    while (bytes.length - offset >= 2) {
      let length: { value: number; size: number } | undefined;
      try {
        length = readRemainingLength(bytes, offset + 1);
      } catch (error) {
        problems.push(`${(error as Error).message}; the rest of this stream is not read as MQTT`);
        offset = bytes.length;
        break;
      }
      if (!length) break;
      const end = offset + 1 + length.size + length.value;
      if (length.value > MQTT_MAX_PENDING) {
        problems.push(`a packet claims ${length.value} bytes, more than the lens buffers; the rest of this stream is not read as MQTT`);
        offset = bytes.length;
        break;
      }
      if (end > bytes.length) break;
      const first = bytes[offset]!;
      const body = bytes.subarray(offset + 1 + length.size, end);
      offset = end;
      if (first >> 4 === 1 && message.direction === 'send') this.version = connectLevel(body) ?? this.version;
      try {
        const packet = decodeMqttPacket(first, body, this.version);
        problems.push(...packet.problems);
        packets.push(this.toProtocolPacket(packet, message.direction, stream));
      } catch (error) {
        if (!(error instanceof MqttFormatError)) throw error;
        problems.push(`malformed packet (type ${first >> 4}): ${error.message}`);
      }
    }
    // Copy what is left: the message's buffer is not ours to keep.
    stream.pending = offset >= bytes.length ? new Uint8Array(0) : bytes.slice(offset);
    const result: LensResult = { packets };
    if (packets.length === 0 && stream.pending.length > 0) result.pending = true;
    if (problems.length > 0) result.problems = problems;
    return result;
  }

  private toProtocolPacket(packet: MqttPacket, direction: Direction, stream: Stream): ProtocolPacket {
    const out: ProtocolPacket = { name: 'mqtt', type: packet.type, summary: '' };
    const { fields } = packet;
    if (packet.packetId !== undefined) out.id = packet.packetId;
    if (packet.type === 'PUBLISH') {
      let topic = packet.topic ?? '';
      const alias = (fields.properties as { topicAlias?: number } | undefined)?.topicAlias;
      if (alias !== undefined) {
        if (topic) stream.aliases.set(alias, topic);
        else topic = stream.aliases.get(alias) ?? '';
        if (!packet.topic && topic) fields.resolvedTopic = topic;
      }
      out.channel = topic;
      out.data = textOrBinary(packet.payload ?? new Uint8Array(0));
    } else if (packet.type === 'SUBSCRIBE' || packet.type === 'UNSUBSCRIBE') {
      const topics = packet.type === 'SUBSCRIBE' ? (fields.subscriptions as { topic: string }[]).map((s) => s.topic) : (fields.unsubscriptions as string[]);
      if (topics.length === 1) out.channel = topics[0];
    }
    out.summary = summarize(packet, out.channel);
    out.fields = fields;
    const link = linkOf(packet, direction);
    if (link) out.link = link;
    return out;
  }
}

function opposite(direction: Direction): Direction {
  return direction === 'send' ? 'receive' : 'send';
}

/** Keys carry the direction of the packet that opened the exchange: each side numbers its own packets. */
function linkOf(packet: MqttPacket, direction: Direction): PacketLink | undefined {
  const id = packet.packetId;
  switch (packet.type) {
    case 'CONNECT': return { role: 'request', key: 'mqtt:connect' };
    case 'CONNACK': return { role: 'answer', key: 'mqtt:connect', final: true };
    case 'PINGREQ': return { role: 'request', key: `mqtt:ping:${direction}` };
    case 'PINGRESP': return { role: 'answer', key: `mqtt:ping:${opposite(direction)}`, final: true };
    case 'PUBLISH': return id === undefined ? undefined : { role: 'request', key: `mqtt:${direction}:${id}` };
    case 'SUBSCRIBE': case 'UNSUBSCRIBE': return { role: 'request', key: `mqtt:${direction}:${id}` };
    case 'PUBACK': case 'PUBCOMP': case 'SUBACK': case 'UNSUBACK':
      return { role: 'answer', key: `mqtt:${opposite(direction)}:${id}`, final: true };
    case 'PUBREC': return { role: 'answer', key: `mqtt:${opposite(direction)}:${id}` };
    // PUBREL goes the way the PUBLISH went (MQTT 5 §4.3.3).
    case 'PUBREL': return { role: 'answer', key: `mqtt:${direction}:${id}` };
    default: return undefined;
  }
}

function summarize(packet: MqttPacket, channel: string | undefined): string {
  const f = packet.fields;
  const parts: string[] = [packet.type];
  const id = packet.packetId !== undefined ? `#${packet.packetId}` : undefined;
  const reason = () => { if (typeof f.reason === 'string' && f.reasonCode !== 0) parts.push(f.reason); };
  switch (packet.type) {
    case 'CONNECT': {
      parts.push(f.clientId ? String(f.clientId) : '(no client id)', `v${f.protocolVersion === 5 ? '5' : f.protocolVersion === 4 ? '3.1.1' : f.protocolVersion === 3 ? '3.1' : String(f.protocolVersion)}`);
      if (f.clean) parts.push('clean');
      parts.push(`keepalive ${String(f.keepalive)}`);
      if (f.will) parts.push(`will ${(f.will as { topic: string }).topic}`);
      if (f.username !== undefined) parts.push(`user ${String(f.username)}`);
      break;
    }
    case 'CONNACK':
      parts.push(String(f.reason));
      if (f.sessionPresent) parts.push('session-present');
      break;
    case 'PUBLISH': {
      parts.push(channel || '(no topic)', `QoS${String(f.qos)}`);
      if (id) parts.push(id);
      if (f.retain) parts.push('retain');
      if (f.dup) parts.push('dup');
      const alias = (f.properties as { topicAlias?: number } | undefined)?.topicAlias;
      if (alias !== undefined) parts.push(`alias ${alias}`);
      break;
    }
    case 'SUBSCRIBE':
      parts.push(id!, (f.subscriptions as { topic: string; qos: number }[]).map((s) => `${s.topic} QoS${s.qos}`).join(', '));
      break;
    case 'SUBACK':
      parts.push(id!, (f.reasons as string[]).join(', '));
      break;
    case 'UNSUBSCRIBE':
      parts.push(id!, (f.unsubscriptions as string[]).join(', '));
      break;
    case 'UNSUBACK':
      parts.push(id!);
      if (Array.isArray(f.reasons)) parts.push((f.reasons as string[]).join(', '));
      break;
    case 'PUBACK': case 'PUBREC': case 'PUBREL': case 'PUBCOMP':
      parts.push(id!);
      reason();
      break;
    case 'DISCONNECT': case 'AUTH':
      if (typeof f.reason === 'string') parts.push(f.reason);
      break;
  }
  return parts.join(' ');
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
