// The SignalR lens: ASP.NET Core SignalR's hub protocols over WebSocket (HubProtocol.md). Every
// connection opens with a JSON handshake ended by the record separator 0x1e; then the JSON protocol
// ends each message with 0x1e and the MessagePack protocol puts a variable-length size before each.
// Links by invocationId: an Invocation or StreamInvocation to its StreamItems, Completion and the
// caller's CancelInvocation; a handshake request to its response.
import { Decoder as MessagePackDecoder } from '@msgpack/msgpack';
import type { Lens, LensConnection, LensDecoder, LensMessage, LensResult, PacketLink, ProtocolPacket } from './lens.js';
import { parseJson, utf8Text } from './lens-bytes.js';
import { fromJson, fromMessagePack, SignalrFormatError, type SignalrMessage } from './signalr-messages.js';

type Direction = LensMessage['direction'];
type HubProtocol = 'json' | 'messagepack';

const RECORD_SEPARATOR = 0x1e;

/** Past this much buffered without a message's end, the lens gives up on the stream. */
export const SIGNALR_MAX_PENDING = 64 * 1024 * 1024;

export const signalrLens: Lens = {
  name: 'signalr',
  detect(connection: LensConnection, first: readonly LensMessage[]): number {
    const url = urlScore(connection.target);
    const firstSent = first.find((m) => m.direction === 'send');
    if (firstSent && readHandshake(firstSent.data)?.request) return url > 0.5 ? 1 : 0.95;
    return url;
  },
  decoder: () => new SignalrDecoder(),
};

/** The WebSocket URL after negotiate carries `id=` (the connection token); hubs are usually mapped at `/...hub`. */
function urlScore(target: string): number {
  const queryAt = target.indexOf('?');
  const path = (queryAt < 0 ? target : target.slice(0, queryAt)).toLowerCase();
  const query = queryAt < 0 ? '' : target.slice(queryAt + 1);
  const hasId = /(^|&)id=[^&]+/.test(query);
  const hubPath = /hub[^/]*\/?$/.test(path);
  return hasId && hubPath ? 0.7 : hasId ? 0.4 : hubPath ? 0.3 : 0;
}

interface Handshake {
  /** Where the 0x1e after the JSON is. */
  end: number;
  value: Record<string, unknown>;
  request: boolean;
}

/** A handshake at the start of the bytes: a JSON object, then 0x1e. */
function readHandshake(bytes: Uint8Array): Handshake | undefined {
  const end = bytes.indexOf(RECORD_SEPARATOR);
  if (end < 0 || bytes[0] !== 0x7b) return undefined;
  const text = utf8Text(bytes.subarray(0, end));
  const parsed = text === undefined ? undefined : parseJson(text);
  if (!parsed?.ok || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) return undefined;
  const value = parsed.value as Record<string, unknown>;
  return { end, value, request: typeof value.protocol === 'string' && typeof value.version === 'number' };
}

interface Stream {
  pending: Uint8Array;
  handshakeDone: boolean;
  /** Upload stream ids this direction's invocations declared (streamIds) → the key of that invocation. */
  uploads: Map<string, string | undefined>;
}

export class SignalrDecoder implements LensDecoder {
  /** The hub protocol the handshake request named; undefined before one (then text reads as JSON, binary as MessagePack). */
  private protocol?: HubProtocol;
  private readonly streams: Record<Direction, Stream> = {
    send: { pending: new Uint8Array(0), handshakeDone: false, uploads: new Map() },
    receive: { pending: new Uint8Array(0), handshakeDone: false, uploads: new Map() },
  };
  private readonly messagePack = new MessagePackDecoder({ useBigInt64: true });

  decode(message: LensMessage): LensResult {
    const stream = this.streams[message.direction];
    const bytes = stream.pending.length === 0 ? message.data : concat(stream.pending, message.data);
    const packets: ProtocolPacket[] = [];
    const problems: string[] = [];
    let offset = 0;
    if (!stream.handshakeDone) {
      const candidate = readHandshake(bytes);
      // A request names its protocol; a response is `{}` or `{"error"}`; a hub message has a `type`.
      const handshake = candidate && (message.direction === 'send' ? candidate.request : !('type' in candidate.value)) ? candidate : undefined;
      if (handshake) {
        stream.handshakeDone = true;
        offset = handshake.end + 1;
        packets.push(this.handshakePacket(handshake, message.direction, problems));
      } else if (bytes[0] === 0x7b && bytes.indexOf(RECORD_SEPARATOR) < 0) {
        // A handshake still coming.
        return this.finish(stream, bytes, 0, packets, problems);
      } else {
        // The capture began after the handshake: read on.
        stream.handshakeDone = true;
      }
    }
    const protocol = this.protocol ?? (message.opcode === 1 ? 'json' : 'messagepack');
    while (offset < bytes.length) {
      if (protocol === 'json') {
        const end = bytes.indexOf(RECORD_SEPARATOR, offset);
        if (end < 0) break;
        const record = bytes.subarray(offset, end);
        offset = end + 1;
        const text = utf8Text(record);
        const parsed = text === undefined ? undefined : parseJson(text);
        if (!parsed?.ok) {
          problems.push(text === undefined ? 'a JSON message that is not UTF-8' : `a message that is not JSON: ${parsed!.ok ? '' : parsed!.error}`);
          continue;
        }
        this.push(() => fromJson(parsed.value), message.direction, packets, problems);
      } else {
        const size = readVarint(bytes, offset);
        if (size === 'invalid') {
          problems.push('a message size longer than five bytes; the rest of this stream is not read as SignalR');
          offset = bytes.length;
          break;
        }
        if (!size || offset + size.size + size.value > bytes.length) {
          if (size && size.value > SIGNALR_MAX_PENDING) {
            problems.push(`a message claims ${size.value} bytes, more than the lens buffers; the rest of this stream is not read as SignalR`);
            offset = bytes.length;
          }
          break;
        }
        const body = bytes.subarray(offset + size.size, offset + size.size + size.value);
        offset += size.size + size.value;
        let value: unknown;
        try {
          value = this.messagePack.decode(body);
        } catch (error) {
          problems.push(`a message that is not MessagePack: ${(error as Error).message}`);
          continue;
        }
        this.push(() => fromMessagePack(value), message.direction, packets, problems);
      }
    }
    return this.finish(stream, bytes, offset, packets, problems);
  }

  private finish(stream: Stream, bytes: Uint8Array, offset: number, packets: ProtocolPacket[], problems: string[]): LensResult {
    let rest = offset >= bytes.length ? new Uint8Array(0) : bytes.slice(offset);
    if (rest.length > SIGNALR_MAX_PENDING) {
      problems.push(`${rest.length} bytes without the end of a message; the rest of this stream is not read as SignalR`);
      rest = new Uint8Array(0);
    }
    stream.pending = rest;
    const result: LensResult = { packets };
    if (packets.length === 0 && rest.length > 0) result.pending = true;
    if (problems.length > 0) result.problems = problems;
    return result;
  }

  private handshakePacket(handshake: Handshake, direction: Direction, problems: string[]): ProtocolPacket {
    const value = handshake.value;
    if (direction === 'send') {
      if (!handshake.request) problems.push('the handshake request names no protocol and version');
      const protocol = String(value.protocol);
      if (protocol === 'json' || protocol === 'messagepack') this.protocol = protocol;
      else problems.push(`an unknown hub protocol ${JSON.stringify(value.protocol)}`);
      return {
        name: 'signalr', type: 'HandshakeRequest', summary: `HandshakeRequest ${protocol} v${String(value.version)}`,
        data: value, fields: { protocol: value.protocol, version: value.version }, link: { role: 'request', key: 'signalr:handshake' },
      };
    }
    const error = typeof value.error === 'string' ? value.error : undefined;
    const packet: ProtocolPacket = {
      name: 'signalr', type: 'HandshakeResponse', summary: error === undefined ? 'HandshakeResponse' : `HandshakeResponse error: ${error}`,
      data: value, fields: {}, link: { role: 'answer', key: 'signalr:handshake', final: true },
    };
    if (error !== undefined) packet.fields = { error };
    return packet;
  }

  private push(read: () => SignalrMessage, direction: Direction, packets: ProtocolPacket[], problems: string[]): void {
    let m: SignalrMessage;
    try {
      m = read();
    } catch (error) {
      if (!(error instanceof SignalrFormatError)) throw error;
      problems.push(error.message);
      return;
    }
    const packet: ProtocolPacket = { name: 'signalr', type: m.type, summary: summarize(m), fields: m.fields };
    if (m.target !== undefined) packet.event = m.target;
    if (m.invocationId !== undefined) packet.id = m.invocationId;
    if (m.data !== undefined) packet.data = m.data;
    const link = this.linkOf(m, direction);
    if (link) packet.link = link;
    packets.push(packet);
  }

  private linkOf(m: SignalrMessage, direction: Direction): PacketLink | undefined {
    const id = m.invocationId;
    const uploads = this.streams[direction].uploads;
    switch (m.type) {
      case 'Invocation': case 'StreamInvocation': {
        const key = id === undefined ? undefined : `signalr:${direction}:${id}`;
        for (const streamId of (m.fields.streamIds as string[] | undefined) ?? []) uploads.set(String(streamId), key);
        return key === undefined ? undefined : { role: 'request', key };
      }
      case 'StreamItem': case 'Completion': {
        if (id === undefined) return undefined;
        // An item or end of a stream this side uploads belongs to the invocation that declared it.
        if (uploads.has(id)) {
          const key = uploads.get(id);
          if (m.type === 'Completion') uploads.delete(id);
          return key === undefined ? undefined : { role: 'answer', key };
        }
        const key = `signalr:${direction === 'send' ? 'receive' : 'send'}:${id}`;
        return m.type === 'Completion' ? { role: 'answer', key, final: true } : { role: 'answer', key };
      }
      case 'CancelInvocation':
        return id === undefined ? undefined : { role: 'answer', key: `signalr:${direction}:${id}` };
      default:
        return undefined;
    }
  }
}

function summarize(m: SignalrMessage): string {
  const parts = [m.type];
  if (m.target !== undefined) parts.push(m.target);
  if (m.invocationId !== undefined) parts.push(`#${m.invocationId}`);
  const streamIds = m.fields.streamIds as unknown[] | undefined;
  if (streamIds?.length) parts.push(`streams ${streamIds.join(',')}`);
  if (m.fields.sequenceId !== undefined) parts.push(String(m.fields.sequenceId));
  if (m.error !== undefined) parts.push(`error: ${m.error}`);
  return parts.join(' ');
}

/** The size before a MessagePack hub message: seven bits a byte, least significant first, at most five bytes. */
function readVarint(bytes: Uint8Array, offset: number): { value: number; size: number } | undefined | 'invalid' {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (offset + i >= bytes.length) return undefined;
    const b = bytes[offset + i]!;
    value += (b & 0x7f) * 128 ** i;
    if ((b & 0x80) === 0) return { value, size: i + 1 };
  }
  return 'invalid';
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
