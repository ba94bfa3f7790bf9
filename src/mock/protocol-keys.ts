// The protocol fields a mock matches client messages by when their bytes differ (a fresh id, a time
// stamp): the message's type and event. One ProtocolKeys reads one stream of messages in order, as a
// lens decoder does, so protocols that keep state between messages can be read too.
//
// Today's reader is JSON's: a text message holding a JSON object with a string `type` and/or `event`
// (the shape of most hand-rolled protocols, and of graphql-ws's and Action Cable's messages). The lens
// registry (src/protocol/lenses/) plugs in here through keysFromLensDecoder: a packet's protocol name,
// type and event make the key.
import type { LensDecoder, LensMessage } from '../protocol/lenses/lens.js';

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
