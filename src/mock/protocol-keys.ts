// The protocol fields a mock matches client messages by when their bytes differ (a fresh id, a time
// stamp): the message's type and event. One ProtocolKeys reads one stream of messages in order, as a
// lens decoder does, so protocols that keep state between messages can be read too.
//
// When a lens recognises the recorded connection (src/protocol/lenses/: Socket.IO, JSON-RPC, GraphQL
// over WebSocket, MQTT, STOMP...), a message's first packet gives the key: the protocol, its type and
// its event. Otherwise (and for a message the lens makes nothing of) the key comes from JSON: a text
// message holding a JSON object with a string `type` and/or `event`, the shape of most hand-rolled
// protocols.
import type { LensConnection, LensDecoder, LensMessage, LensName } from '../protocol/lenses/lens.js';
import { defaultLensRegistry } from '../protocol/lenses/registry.js';
import { lensConnectionOf } from '../protocol/lenses/lens-connection.js';

export interface ProtocolKeys {
  /** The message's key, or undefined when it has no protocol fields to match by. Feed every message in order. */
  keyOf(message: LensMessage): string | undefined;
}

/** Keys from JSON objects' `type` and `event` fields. */
export function jsonFieldKeys(): ProtocolKeys {
  return {
    keyOf(message) {
      if (message.opcode !== 1) return undefined;
      const text = Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength).toString('utf8').trim();
      if (!text.startsWith('{')) return undefined;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return undefined;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
      const { type, event } = value as Record<string, unknown>;
      const field = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
      const t = field(type);
      const e = field(event);
      return t === undefined && e === undefined ? undefined : `json type=${t ?? ''} event=${e ?? ''}`;
    },
  };
}

/** Keys from a lens: the first packet's protocol, type and event. */
export function keysFromLensDecoder(decoder: LensDecoder): ProtocolKeys {
  return {
    keyOf(message) {
      let packets;
      try {
        packets = decoder.decode(message).packets;
      } catch {
        return undefined;
      }
      const packet = packets[0];
      return packet ? `${packet.name} type=${packet.type} event=${packet.event ?? ''}` : undefined;
    },
  };
}

/** Keys from the lens first, then from JSON fields. */
function eitherKeys(first: ProtocolKeys, second: ProtocolKeys): ProtocolKeys {
  return { keyOf: (message) => first.keyOf(message) ?? second.keyOf(message) };
}

export interface ProtocolKeysSource {
  /** The recorded request target and headers, and the subprotocol the server chose. */
  request: { target: string; rawHeaders: readonly string[] };
  protocol?: string;
  /** The recorded messages, in order (detection looks at the first ones). */
  items: readonly LensMessage[];
}

/**
 * How a mock keys the messages of one recorded connection: a fresh ProtocolKeys for each stream (the
 * recording, each live client), and the lens that reads them, when one recognised the connection.
 */
export function protocolKeysFor(source: ProtocolKeysSource): { lens?: LensName; keys: () => ProtocolKeys } {
  const connection: LensConnection = lensConnectionOf(source.request.target, source.request.rawHeaders, source.protocol);
  const detected = defaultLensRegistry().detect(connection, source.items);
  if (!detected) return { keys: jsonFieldKeys };
  const lens = detected.lens;
  return { lens: lens.name, keys: () => eitherKeys(keysFromLensDecoder(lens.decoder(connection)), jsonFieldKeys()) };
}
