// Engine.IO packets over WebSocket (https://socket.io/docs/v4/engine-io-protocol/): one packet per
// message. A text message is a type digit and its data; a binary message is a `message` packet whose
// data is the bytes (v4), or a type byte and then the bytes (v3). The probe (`2probe`, `3probe`, then
// `5`) upgrades a polling session to WebSocket.
import type { LensConnection, LensMessage } from './lens.js';
import { targetPathAndQuery } from './lens-connection.js';
import { utf8Text } from './lens-bytes.js';

export const ENGINE_IO_TYPES = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'] as const;
export type EngineIoType = (typeof ENGINE_IO_TYPES)[number];

export interface EngineIoPacket {
  type: EngineIoType;
  /** Text data (everything after the type digit), absent when there was none. */
  text?: string;
  /** Binary data of a binary message. */
  bytes?: Uint8Array;
}

export type EngineIoParse = { ok: true; packet: EngineIoPacket } | { ok: false; problem: string };

/** 3 or 4: from the EIO query parameter; 4 when the URL does not say. */
export function engineIoVersion(connection: LensConnection): 3 | 4 {
  return targetPathAndQuery(connection.target).query.get('EIO') === '3' ? 3 : 4;
}

export function parseEngineIo(message: LensMessage, version: 3 | 4): EngineIoParse {
  if (message.opcode === 2) {
    if (version === 4) return { ok: true, packet: { type: 'message', bytes: message.data } };
    const type = ENGINE_IO_TYPES[message.data[0] ?? -1];
    if (!type) return { ok: false, problem: `a binary Engine.IO v3 message starts with its packet type (0-6), not ${message.data.length === 0 ? 'nothing' : `0x${message.data[0]!.toString(16).padStart(2, '0')}`}` };
    return { ok: true, packet: { type, bytes: message.data.subarray(1) } };
  }
  const text = utf8Text(message.data);
  if (text === undefined) return { ok: false, problem: 'an Engine.IO text message is not valid UTF-8' };
  const code = text.charCodeAt(0) - 48;
  const type = ENGINE_IO_TYPES[code];
  if (text.length === 0 || !type) return { ok: false, problem: `an Engine.IO packet starts with its type (0-6), not ${text.length === 0 ? 'an empty message' : JSON.stringify(text[0])}` };
  return { ok: true, packet: text.length > 1 ? { type, text: text.slice(1) } : { type } };
}

/** Whether a text message looks like an Engine.IO open packet (`0{"sid":...}`). */
export function looksLikeEngineIoOpen(message: LensMessage): boolean {
  if (message.opcode !== 1 || message.data[0] !== 0x30 || message.data[1] !== 0x7b) return false;
  const text = utf8Text(message.data);
  return text !== undefined && text.includes('"sid"') && text.includes('"pingInterval"');
}
