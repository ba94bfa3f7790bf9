// Phoenix channels (phoenix.js's serializers): v1 sends objects {topic, event, payload, ref,
// join_ref}; v2 (`/websocket?vsn=2.0.0`) sends arrays [join_ref, ref, topic, event, payload], and
// binary payloads in a small binary frame (kind 0 push, 1 reply, 2 broadcast). A push with a ref is
// answered by the phx_reply with the same ref.
import type { Lens, LensConnection, LensDecoder, LensMessage, LensResult, ProtocolPacket } from './lens.js';
import { targetPathAndQuery } from './lens-connection.js';
import { binaryValue, headText, isPlainObject, jsonMessage, startsWithJson } from './lens-bytes.js';

type Direction = LensMessage['direction'];

interface PhoenixMessage {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
}

/** The packet type: Phoenix's own events by their short name; a client's event is a push, the server's a broadcast. */
const TYPES: Record<string, string> = { phx_join: 'join', phx_reply: 'reply', phx_leave: 'leave', phx_close: 'close', phx_error: 'error', heartbeat: 'heartbeat' };

const refOf = (value: unknown): string | null => (typeof value === 'string' || typeof value === 'number' ? String(value) : null);

function fromJson(value: unknown): PhoenixMessage | string {
  if (Array.isArray(value)) {
    if (value.length !== 5 || typeof value[2] !== 'string' || typeof value[3] !== 'string') return 'a Phoenix v2 message is [join_ref, ref, topic, event, payload]';
    return { joinRef: refOf(value[0]), ref: refOf(value[1]), topic: value[2], event: value[3], payload: value[4] };
  }
  if (isPlainObject(value) && typeof value['topic'] === 'string' && typeof value['event'] === 'string') {
    return { joinRef: refOf(value['join_ref']), ref: refOf(value['ref']), topic: value['topic'], event: value['event'], payload: value['payload'] };
  }
  return 'a Phoenix message is {topic, event, payload, ref} (v1) or [join_ref, ref, topic, event, payload] (v2)';
}

// phoenix.js serializer.js: the client's pushes carry a ref, the server's pushes do not.
function fromBinary(bytes: Uint8Array, direction: Direction): PhoenixMessage | string {
  const text = new TextDecoder();
  const kind = bytes[0];
  const sizes = kind === 1 || (kind === 0 && direction === 'send') ? 4 : kind === 0 ? 3 : kind === 2 ? 2 : -1;
  if (sizes < 0) return `a binary Phoenix message starts with its kind (0 push, 1 reply, 2 broadcast), not ${kind ?? 'nothing'}`;
  if (bytes.length < 1 + sizes) return 'a binary Phoenix message is shorter than its header';
  const lengths = [...bytes.subarray(1, 1 + sizes)];
  let offset = 1 + sizes;
  const fields: string[] = [];
  for (const length of lengths) {
    if (offset + length > bytes.length) return 'a binary Phoenix message is shorter than its header says';
    fields.push(text.decode(bytes.subarray(offset, offset + length)));
    offset += length;
  }
  const data = binaryValue(bytes.subarray(offset));
  if (kind === 2) return { joinRef: null, ref: null, topic: fields[0]!, event: fields[1]!, payload: data };
  if (kind === 1) return { joinRef: fields[0]!, ref: fields[1]!, topic: fields[2]!, event: 'phx_reply', payload: { status: fields[3]!, response: data } };
  if (sizes === 4) return { joinRef: fields[0]!, ref: fields[1]!, topic: fields[2]!, event: fields[3]!, payload: data };
  return { joinRef: fields[0]!, ref: null, topic: fields[1]!, event: fields[2]!, payload: data };
}

export function phoenixPacket(m: PhoenixMessage, direction: Direction): ProtocolPacket {
  const type = TYPES[m.event] ?? (direction === 'send' ? 'push' : 'broadcast');
  const packet: ProtocolPacket = { name: 'phoenix', type, summary: '', event: m.event, channel: m.topic };
  if (m.ref !== null) packet.id = m.ref;
  if (m.payload !== undefined) packet.data = m.payload;
  const ref = m.ref === null ? '' : ` #${m.ref}`;
  if (type === 'reply') {
    const status = isPlainObject(m.payload) && typeof m.payload['status'] === 'string' ? ` ${m.payload['status']}` : '';
    packet.summary = `reply${status} ${m.topic}${ref}`;
    // A ref is the client's, so only a reply from the server answers it.
    if (m.ref !== null && direction === 'receive') packet.link = { role: 'answer', key: `ref:${m.ref}`, final: true };
  } else {
    packet.summary = type === 'push' || type === 'broadcast' ? `${type} ${m.event} ${m.topic}${ref}` : type === 'heartbeat' ? `heartbeat${ref}` : `${type} ${m.topic}${ref}`;
    if (m.ref !== null && direction === 'send') packet.link = { role: 'request', key: `ref:${m.ref}` };
  }
  return packet;
}

class PhoenixDecoder implements LensDecoder {
  decode(message: LensMessage): LensResult {
    let parsed: PhoenixMessage | string;
    if (message.opcode === 2) parsed = fromBinary(message.data, message.direction);
    else {
      const json = jsonMessage(message, 'Phoenix');
      if (!json.ok) return { packets: [], problems: [json.problem] };
      parsed = fromJson(json.value);
    }
    if (typeof parsed === 'string') return { packets: [], problems: [parsed] };
    return { packets: [phoenixPacket(parsed, message.direction)] };
  }
}

export const phoenixLens: Lens = {
  name: 'phoenix',
  detect(connection: LensConnection, first: readonly LensMessage[]): number {
    const { path, query } = targetPathAndQuery(connection.target);
    const vsn = query.get('vsn');
    if (/\/websocket$/.test(path) && (vsn === '1.0.0' || vsn === '2.0.0')) return 1;
    if (first.some((m) => startsWithJson(m, '{', '[') && /"(phx_join|phx_reply|heartbeat)"/.test(headText(m.data)))) return 0.85;
    return 0;
  },
  decoder(): LensDecoder {
    return new PhoenixDecoder();
  },
};
