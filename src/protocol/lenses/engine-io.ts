// The Engine.IO lens: the transport under Socket.IO, read on its own (an `/engine.io/` endpoint, or
// a Socket.IO connection the user chose to see one layer down). Pings and pongs are linked.
import type { Lens, LensConnection, LensDecoder, LensMessage, LensResult, ProtocolPacket } from './lens.js';
import { targetPathAndQuery } from './lens-connection.js';
import { binaryValue, parseJson, shortValue } from './lens-bytes.js';
import { engineIoVersion, looksLikeEngineIoOpen, parseEngineIo, type EngineIoPacket } from './engine-io-packet.js';

const other = (direction: LensMessage['direction']) => (direction === 'send' ? 'receive' : 'send');

/** The Engine.IO packet as a protocol packet (ping/pong linked by direction and data, as the probe is). */
export function engineIoProtocolPacket(packet: EngineIoPacket, direction: LensMessage['direction']): ProtocolPacket {
  const base = { name: 'engine.io' as const, type: packet.type };
  switch (packet.type) {
    case 'open': {
      const parsed = packet.text === undefined ? undefined : parseJson(packet.text);
      const data = parsed?.ok ? parsed.value : packet.text;
      const sid = parsed?.ok && typeof (parsed.value as { sid?: unknown }).sid === 'string' ? (parsed.value as { sid: string }).sid : undefined;
      return { ...base, summary: sid ? `open sid ${sid}` : 'open', ...(data !== undefined ? { data } : {}) };
    }
    case 'ping':
    case 'pong': {
      const data = packet.text ?? '';
      const link = packet.type === 'ping'
        ? { role: 'request' as const, key: `eio-ping:${direction}:${data}` }
        : { role: 'answer' as const, key: `eio-ping:${other(direction)}:${data}`, final: true };
      return { ...base, summary: data ? `${packet.type} ${shortValue(data)}` : packet.type, ...(data ? { data } : {}), link };
    }
    case 'message': {
      if (packet.bytes) return { ...base, summary: `message binary ${packet.bytes.length} bytes`, data: binaryValue(packet.bytes) };
      const text = packet.text ?? '';
      return { ...base, summary: `message ${shortValue(text)}`, data: text };
    }
    default:
      return { ...base, summary: packet.type, ...(packet.text !== undefined ? { data: packet.text } : {}) };
  }
}

class EngineIoDecoder implements LensDecoder {
  constructor(private readonly version: 3 | 4) {}

  decode(message: LensMessage): LensResult {
    const parsed = parseEngineIo(message, this.version);
    if (!parsed.ok) return { packets: [], problems: [parsed.problem] };
    return { packets: [engineIoProtocolPacket(parsed.packet, message.direction)] };
  }
}

export const engineIoLens: Lens = {
  name: 'engine.io',
  detect(connection: LensConnection, first: readonly LensMessage[]): number {
    const { path, query } = targetPathAndQuery(connection.target);
    if (/\/engine\.io\/?$/.test(path)) return 1;
    if (query.has('EIO') || first.some(looksLikeEngineIoOpen)) return 0.7;
    return 0;
  },
  decoder(connection: LensConnection): LensDecoder {
    return new EngineIoDecoder(engineIoVersion(connection));
  },
};
