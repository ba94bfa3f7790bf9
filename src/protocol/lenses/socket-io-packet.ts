// The Socket.IO packet inside an Engine.IO `message` (https://socket.io/docs/v4/socket-io-protocol/):
//   <type>[<attachments>-][<namespace>,][<ack id>][<JSON>]
// Protocol v5 (Socket.IO 3 and later, Engine.IO 4) calls type 4 CONNECT_ERROR; v4 (Socket.IO 2,
// Engine.IO 3) calls it ERROR. Binary events carry `{"_placeholder":true,"num":N}` where attachment N
// goes; the attachments follow as binary messages.
import { isPlainObject, parseJson } from './lens-bytes.js';

export const SOCKET_IO_TYPES = ['CONNECT', 'DISCONNECT', 'EVENT', 'ACK', 'CONNECT_ERROR', 'BINARY_EVENT', 'BINARY_ACK'] as const;
export type SocketIoType = (typeof SOCKET_IO_TYPES)[number] | 'ERROR';

export interface SocketIoPacket {
  type: SocketIoType;
  /** The namespace, `/` when the packet names none (a v4 namespace may carry its query: `/chat?token=1`). */
  nsp: string;
  id?: number;
  /** Binary attachments that follow (BINARY_EVENT, BINARY_ACK). */
  attachments: number;
  /** The JSON payload, when there is one. */
  payload?: unknown;
  hasPayload: boolean;
}

export type SocketIoParse = { ok: true; packet: SocketIoPacket } | { ok: false; problem: string };

/** Parses the text after the Engine.IO `4`; protocol is 5 or 4. */
export function parseSocketIo(text: string, protocol: 4 | 5): SocketIoParse {
  const code = text.charCodeAt(0) - 48;
  if (!(code >= 0 && code <= 6)) return { ok: false, problem: `a Socket.IO packet starts with its type (0-6), not ${text.length === 0 ? 'nothing' : JSON.stringify(text[0])}` };
  const type: SocketIoType = code === 4 && protocol === 4 ? 'ERROR' : SOCKET_IO_TYPES[code]!;
  let i = 1;
  let attachments = 0;
  if (type === 'BINARY_EVENT' || type === 'BINARY_ACK') {
    const dash = text.indexOf('-', i);
    const count = dash < 0 ? '' : text.slice(i, dash);
    if (!/^\d+$/.test(count)) return { ok: false, problem: `a ${type} gives its attachment count and "-" after the type` };
    attachments = Number(count);
    i = dash + 1;
  }
  let nsp = '/';
  if (text[i] === '/') {
    const comma = text.indexOf(',', i);
    nsp = comma < 0 ? text.slice(i) : text.slice(i, comma);
    i = comma < 0 ? text.length : comma + 1;
  }
  let digits = '';
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) digits += text[i++];
  const rest = text.slice(i);
  let payload: unknown;
  const hasPayload = rest.length > 0;
  if (hasPayload) {
    const parsed = parseJson(rest);
    if (!parsed.ok) return { ok: false, problem: `the ${type} payload is not JSON: ${parsed.error}` };
    payload = parsed.value;
  }
  const problem = payloadProblem(type, payload, hasPayload);
  if (problem) return { ok: false, problem };
  return { ok: true, packet: { type, nsp, attachments, hasPayload, ...(digits ? { id: Number(digits) } : {}), ...(hasPayload ? { payload } : {}) } };
}

// The checks socket.io-parser's isPayloadValid makes, so the lens rejects what the library rejects.
function payloadProblem(type: SocketIoType, payload: unknown, has: boolean): string | undefined {
  switch (type) {
    case 'CONNECT':
      return has && !isPlainObject(payload) ? 'a CONNECT payload is an object' : undefined;
    case 'DISCONNECT':
      return has ? 'a DISCONNECT has no payload' : undefined;
    case 'EVENT':
    case 'BINARY_EVENT':
      return Array.isArray(payload) && (typeof payload[0] === 'string' || typeof payload[0] === 'number') ? undefined : `a ${type} payload is an array that starts with the event name`;
    case 'ACK':
    case 'BINARY_ACK':
      return Array.isArray(payload) ? undefined : `an ${type} payload is an array`;
    default:
      return undefined;
  }
}

/** Puts each attachment where its placeholder is, as `{ _binary: base64 }` (or what `fill` makes of it). */
export function fillPlaceholders(value: unknown, fill: (num: number) => unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => fillPlaceholders(item, fill));
  if (isPlainObject(value)) {
    if (value['_placeholder'] === true && typeof value['num'] === 'number') return fill(value['num']);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fillPlaceholders(v, fill);
    return out;
  }
  return value;
}
