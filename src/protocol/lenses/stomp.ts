// The STOMP lens (STOMP 1.0, 1.1 and 1.2 over WebSocket): each direction is a byte stream of frames and
// heart-beats (bare EOLs), so a frame split across messages or several in one message both read right.
// Links: a frame's `receipt` to the RECEIPT (or ERROR) with that receipt-id; a SUBSCRIBE's id to the
// MESSAGEs of that subscription and the UNSUBSCRIBE that ends it; CONNECT or STOMP to CONNECTED.
import { textOrBinary } from '../payload/json-safe.js';
import type { Lens, LensConnection, LensDecoder, LensMessage, LensResult, PacketLink, ProtocolPacket } from './lens.js';
import { eolAt, readStompFrame, type StompFrame } from './stomp-frame.js';

type Direction = LensMessage['direction'];

const SUBPROTOCOL_VERSIONS: Record<string, string> = { 'v10.stomp': '1.0', 'v11.stomp': '1.1', 'v12.stomp': '1.2' };
const CLIENT_COMMANDS = ['CONNECT', 'STOMP', 'SEND', 'SUBSCRIBE', 'UNSUBSCRIBE', 'BEGIN', 'COMMIT', 'ABORT', 'ACK', 'NACK', 'DISCONNECT'];
const SERVER_COMMANDS = ['CONNECTED', 'MESSAGE', 'RECEIPT', 'ERROR'];

/** Past this much buffered without a frame's end, the lens gives up on the stream. */
export const STOMP_MAX_PENDING = 64 * 1024 * 1024;

export const stompLens: Lens = {
  name: 'stomp',
  detect(connection: LensConnection, first: readonly LensMessage[]): number {
    const chosen = connection.subprotocol?.toLowerCase();
    if (chosen && chosen in SUBPROTOCOL_VERSIONS) return 1;
    // A client may split its CONNECT across messages (stompjs with splitLargeFrames): read them joined,
    // and take a head that is still coming as long as what came is a command and header lines.
    const sent = first.filter((m) => m.direction === 'send').map((m) => latin1Prefix(m.data, 2048)).join('').slice(0, 2048);
    if (/^(CONNECT|STOMP)\r?\n([^\n:\0]+:[^\n\0]*\r?\n)*(\r?\n|[^\n\0]*$)/.test(sent)) return 0.95;
    if (!chosen && connection.offeredSubprotocols.some((p) => p.toLowerCase() in SUBPROTOCOL_VERSIONS)) return 0.6;
    return 0;
  },
  decoder: (connection) => new StompDecoder(SUBPROTOCOL_VERSIONS[connection.subprotocol?.toLowerCase() ?? '']),
};

function latin1Prefix(data: Uint8Array, n: number): string {
  return String.fromCharCode(...data.subarray(0, n));
}

export class StompDecoder implements LensDecoder {
  private readonly pending: Record<Direction, Uint8Array> = { send: new Uint8Array(0), receive: new Uint8Array(0) };
  /** receipt → the subscription key its SUBSCRIBE opened, so the RECEIPT joins that pair. */
  private readonly subscribeReceipts = new Map<string, string>();

  /** @param version the STOMP version the subprotocol named; the CONNECTED frame's `version` replaces it. */
  constructor(private version?: string) {}

  decode(message: LensMessage): LensResult {
    const before = this.pending[message.direction];
    const bytes = before.length === 0 ? message.data : concat(before, message.data);
    const packets: ProtocolPacket[] = [];
    const problems: string[] = [];
    let offset = 0;
    let framesHere = 0;
    while (offset < bytes.length) {
      const eol = eolAt(bytes, offset);
      if (eol > 0) {
        let end = offset;
        for (let n = eol; n > 0; n = eolAt(bytes, end)) end += n;
        // EOLs after a frame are allowed padding (1.2); EOLs on their own are heart-beats.
        if (framesHere === 0 && before.length === 0) packets.push({ name: 'stomp', type: 'HEARTBEAT', summary: 'heart-beat' });
        offset = end;
        continue;
      }
      const read = readStompFrame(bytes, offset, this.version !== '1.0');
      if (read === 'incomplete') break;
      offset = read.end;
      framesHere++;
      problems.push(...read.frame.problems);
      packets.push(this.toPacket(read.frame, message.direction, problems));
    }
    let rest = offset >= bytes.length ? new Uint8Array(0) : bytes.slice(offset);
    if (rest.length > STOMP_MAX_PENDING) {
      problems.push(`${rest.length} bytes without the end of a frame; the rest of this stream is not read as STOMP`);
      rest = new Uint8Array(0);
    }
    this.pending[message.direction] = rest;
    const result: LensResult = { packets };
    if (packets.length === 0 && rest.length > 0) result.pending = true;
    if (problems.length > 0) result.problems = problems;
    return result;
  }

  private toPacket(frame: StompFrame, direction: Direction, problems: string[]): ProtocolPacket {
    const header = (name: string) => frame.headers.find(([n]) => n === name)?.[1];
    const known = direction === 'send' ? CLIENT_COMMANDS : SERVER_COMMANDS;
    if (!known.includes(frame.command)) problems.push(`${JSON.stringify(frame.command)} is not a STOMP ${direction === 'send' ? 'client' : 'server'} command`);
    if (frame.command === 'CONNECTED' && header('version')) this.version = header('version');
    const packet: ProtocolPacket = { name: 'stomp', type: frame.command, summary: '' };
    const destination = header('destination');
    if (destination !== undefined) packet.channel = destination;
    const subscription = frame.command === 'MESSAGE' ? header('subscription') : frame.command === 'SUBSCRIBE' || frame.command === 'UNSUBSCRIBE' ? header('id') : undefined;
    const receipt = header('receipt') ?? header('receipt-id');
    const id = subscription ?? receipt;
    if (id !== undefined) packet.id = id;
    if (frame.body.length > 0) packet.data = textOrBinary(frame.body);
    const headers: Record<string, string> = {};
    for (const [name, value] of frame.headers) if (!(name in headers)) headers[name] = value;
    packet.fields = { headers };
    if (frame.headers.length > Object.keys(headers).length) packet.fields.headerList = frame.headers;
    packet.summary = summarize(frame.command, headers, frame.body.length);
    const link = this.linkOf(frame.command, headers);
    if (link) packet.link = link;
    return packet;
  }

  private linkOf(command: string, headers: Record<string, string>): PacketLink | undefined {
    const receipt = headers.receipt;
    switch (command) {
      case 'CONNECT': case 'STOMP': return { role: 'request', key: 'stomp:connect' };
      case 'CONNECTED': return { role: 'answer', key: 'stomp:connect', final: true };
      case 'SUBSCRIBE': {
        if (headers.id === undefined) break;
        const key = `stomp:sub:${headers.id}`;
        if (receipt !== undefined) this.subscribeReceipts.set(receipt, key);
        return { role: 'request', key };
      }
      case 'MESSAGE': return headers.subscription === undefined ? undefined : { role: 'answer', key: `stomp:sub:${headers.subscription}` };
      case 'UNSUBSCRIBE':
        if (receipt === undefined && headers.id !== undefined) return { role: 'answer', key: `stomp:sub:${headers.id}`, final: true };
        break;
      case 'RECEIPT': case 'ERROR': {
        const answered = headers['receipt-id'];
        if (answered === undefined) return undefined;
        const subscription = this.subscribeReceipts.get(answered);
        if (subscription) {
          this.subscribeReceipts.delete(answered);
          return { role: 'answer', key: subscription };
        }
        return { role: 'answer', key: `stomp:receipt:${answered}`, final: true };
      }
    }
    return receipt === undefined ? undefined : { role: 'request', key: `stomp:receipt:${receipt}` };
  }
}

function summarize(command: string, h: Record<string, string>, bodyLength: number): string {
  const parts = [command];
  const add = (label: string, value: string | undefined) => { if (value !== undefined) parts.push(label ? `${label} ${value}` : value); };
  switch (command) {
    case 'CONNECT': case 'STOMP':
      add('host', h.host); add('accept-version', h['accept-version']); add('heart-beat', h['heart-beat']); add('login', h.login);
      break;
    case 'CONNECTED':
      add('version', h.version); add('heart-beat', h['heart-beat']); add('server', h.server);
      break;
    case 'SEND':
      add('', h.destination);
      break;
    case 'SUBSCRIBE':
      add('', h.destination); add('id', h.id); add('ack', h.ack);
      break;
    case 'UNSUBSCRIBE':
      add('id', h.id);
      break;
    case 'MESSAGE':
      add('', h.destination); add('subscription', h.subscription); add('message-id', h['message-id']);
      break;
    case 'ACK': case 'NACK':
      add('id', h.id ?? h['message-id']); add('transaction', h.transaction);
      break;
    case 'BEGIN': case 'COMMIT': case 'ABORT':
      add('', h.transaction);
      break;
    case 'RECEIPT':
      add('', h['receipt-id']);
      break;
    case 'ERROR':
      add('', h.message); add('receipt-id', h['receipt-id']);
      break;
  }
  if (command !== 'RECEIPT' && command !== 'ERROR') add('receipt', h.receipt);
  if (bodyLength > 0) parts.push(`(${bodyLength} B)`);
  return parts.join(' ');
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
