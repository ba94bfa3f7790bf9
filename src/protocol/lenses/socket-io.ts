// The Socket.IO lens (protocols v4 and v5 over Engine.IO v3 and v4). Engine.IO messages that carry a
// Socket.IO packet are shown as that packet; the transport's own packets (open, ping, pong, upgrade,
// ...) stay Engine.IO. A binary event's attachments arrive as the next binary messages of the same
// direction: the event is given, attachments in place, with the message that completes it.
import type { Lens, LensConnection, LensDecoder, LensMessage, LensResult, PacketLink, ProtocolPacket } from './lens.js';
import { targetPathAndQuery } from './lens-connection.js';
import { binaryValue, shortValue, utf8Text } from './lens-bytes.js';
import { engineIoVersion, looksLikeEngineIoOpen, parseEngineIo } from './engine-io-packet.js';
import { engineIoProtocolPacket } from './engine-io.js';
import { fillPlaceholders, parseSocketIo, type SocketIoPacket } from './socket-io-packet.js';

type Direction = LensMessage['direction'];
const other = (direction: Direction): Direction => (direction === 'send' ? 'receive' : 'send');

interface Awaiting {
  packet: SocketIoPacket;
  attachments: Uint8Array[];
}

/** The namespace without a v4 query (`/chat?token=1` is the namespace `/chat`). */
const namespaceOf = (nsp: string) => nsp.split('?')[0]!;

function linkOf(packet: SocketIoPacket, direction: Direction): PacketLink | undefined {
  const nsp = namespaceOf(packet.nsp);
  switch (packet.type) {
    case 'EVENT':
    case 'BINARY_EVENT':
      // Each side numbers its own acks, so the key carries the direction of the emit.
      return packet.id === undefined ? undefined : { role: 'request', key: `ack:${direction}:${nsp}:${packet.id}` };
    case 'ACK':
    case 'BINARY_ACK':
      return packet.id === undefined ? undefined : { role: 'answer', key: `ack:${other(direction)}:${nsp}:${packet.id}`, final: true };
    case 'CONNECT':
      return direction === 'send' ? { role: 'request', key: `connect:${nsp}` } : { role: 'answer', key: `connect:${nsp}`, final: true };
    case 'CONNECT_ERROR':
    case 'ERROR':
      return direction === 'receive' ? { role: 'answer', key: `connect:${nsp}`, final: true } : undefined;
    default:
      return undefined;
  }
}

/** The packet in the `_protocol` contract's terms; attachments, when any, fill their placeholders. */
export function socketIoProtocolPacket(packet: SocketIoPacket, direction: Direction, attachments: readonly Uint8Array[] = []): ProtocolPacket {
  const nsp = namespaceOf(packet.nsp);
  const payload = attachments.length > 0
    ? fillPlaceholders(packet.payload, (num) => (attachments[num] ? binaryValue(attachments[num]) : { _placeholder: true, num }))
    : packet.payload;
  const where = nsp === '/' ? '' : ` ${nsp}`;
  const ack = packet.id === undefined ? '' : ` ack ${packet.id}`;
  const link = linkOf(packet, direction);
  const out: ProtocolPacket = { name: 'socket.io', type: packet.type, summary: '', channel: nsp };
  if (packet.id !== undefined) out.id = packet.id;
  switch (packet.type) {
    case 'EVENT':
    case 'BINARY_EVENT': {
      const [event, ...args] = payload as unknown[];
      out.event = String(event);
      out.data = args;
      out.summary = `${packet.type} ${out.event}${where}${ack}`;
      break;
    }
    case 'ACK':
    case 'BINARY_ACK':
      out.data = payload;
      out.summary = `${packet.type}${where}${ack}`;
      break;
    case 'CONNECT': {
      if (packet.hasPayload) out.data = payload;
      const sid = (payload as { sid?: unknown } | undefined)?.sid;
      out.summary = `CONNECT ${nsp}${typeof sid === 'string' ? ` sid ${sid}` : ''}`;
      break;
    }
    case 'CONNECT_ERROR':
    case 'ERROR': {
      if (packet.hasPayload) out.data = payload;
      const why = (payload as { message?: unknown } | undefined)?.message ?? payload;
      out.summary = `${packet.type} ${nsp}${why === undefined ? '' : ` ${shortValue(why)}`}`;
      break;
    }
    default:
      out.summary = `${packet.type} ${nsp}`;
  }
  if (link) out.link = link;
  return out;
}

class SocketIoDecoder implements LensDecoder {
  private readonly engineVersion: 3 | 4;
  private readonly protocol: 4 | 5;
  private readonly awaiting: Record<Direction, Awaiting | undefined> = { send: undefined, receive: undefined };

  constructor(connection: LensConnection) {
    this.engineVersion = engineIoVersion(connection);
    this.protocol = this.engineVersion === 3 ? 4 : 5;
  }

  decode(message: LensMessage): LensResult {
    const parsed = parseEngineIo(message, this.engineVersion);
    if (!parsed.ok) return { packets: [], problems: [parsed.problem] };
    const eio = parsed.packet;
    if (eio.type !== 'message') return { packets: [engineIoProtocolPacket(eio, message.direction)] };
    const waiting = this.awaiting[message.direction];
    if (eio.bytes) {
      if (!waiting) return { packets: [engineIoProtocolPacket(eio, message.direction)], problems: ['a binary message with no Socket.IO binary packet waiting for it'] };
      waiting.attachments.push(eio.bytes);
      if (waiting.attachments.length < waiting.packet.attachments) return { packets: [], pending: true };
      this.awaiting[message.direction] = undefined;
      return { packets: [socketIoProtocolPacket(waiting.packet, message.direction, waiting.attachments)] };
    }
    const problems: string[] = [];
    if (waiting) {
      // A text packet where an attachment was due: the binary packet is given as it stands.
      this.awaiting[message.direction] = undefined;
      problems.push(`${waiting.packet.type} expected ${waiting.packet.attachments} attachment(s), got ${waiting.attachments.length}`);
    }
    const sio = parseSocketIo(eio.text ?? '', this.protocol);
    if (!sio.ok) return { packets: [engineIoProtocolPacket(eio, message.direction)], problems: [...problems, sio.problem] };
    if (sio.packet.attachments > 0) {
      this.awaiting[message.direction] = { packet: sio.packet, attachments: [] };
      return { packets: [], pending: true, ...(problems.length ? { problems } : {}) };
    }
    return { packets: [socketIoProtocolPacket(sio.packet, message.direction)], ...(problems.length ? { problems } : {}) };
  }
}

/** A text message that is an Engine.IO message holding a Socket.IO packet type (`40`, `42[...`). */
function looksLikeSocketIo(message: LensMessage): boolean {
  if (message.opcode !== 1 || message.data[0] !== 0x34) return false;
  const second = message.data[1];
  return second !== undefined && second >= 0x30 && second <= 0x36 && utf8Text(message.data) !== undefined;
}

export const socketIoLens: Lens = {
  name: 'socket.io',
  detect(connection: LensConnection, first: readonly LensMessage[]): number {
    const { path, query } = targetPathAndQuery(connection.target);
    if (/\/socket\.io\/?$/.test(path)) return 1;
    const engine = query.has('EIO') || first.some(looksLikeEngineIoOpen);
    if (engine && first.some(looksLikeSocketIo)) return 0.9;
    return engine ? 0.4 : 0;
  },
  decoder(connection: LensConnection): LensDecoder {
    return new SocketIoDecoder(connection);
  },
};
