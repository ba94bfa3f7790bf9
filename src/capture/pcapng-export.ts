// A session as a pcapng file for Wireshark: each connection as a TCP conversation made around the bytes
// that crossed the wire (src/capture/pcap/synthetic-tcp.ts) - the SYN handshake, the HTTP Upgrade heads
// as recorded, every frame's wire bytes at its time, and the FIN or RST that ended it. The client's leg is
// one interface; with legs 'both' the proxy's leg to the server is a second one. Where recording kept
// only a payload's first bytes, the packet is cut there and says so in a comment; no byte is made up.
// Written one frame at a time into a temporary file (0600) renamed over the target when complete.
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { CaptureStore } from './capture-store.js';
import type { ConnectionRecord } from './capture-model.js';
import { encodeFrame } from '../protocol/frame-encoder.js';
import { serializeHttpHead } from '../protocol/http-head.js';
import { enhancedPacket, interfaceDescription, sectionHeader } from './pcap/pcapng-blocks.js';
import { SyntheticTcp, type SyntheticPacket, type TcpEndpoint } from './pcap/synthetic-tcp.js';
import type { StoredFrame } from './record-reader.js';

export type PcapngLegs = 'client' | 'both';

export interface PcapngExportOptions {
  /** 'client' (default): the client's leg only; 'both': the upstream leg too, as a second interface. */
  legs?: PcapngLegs;
  /** Only these connections. */
  connectionIds?: readonly number[];
  signal?: AbortSignal;
  /** Called after each connection. */
  onProgress?: (progress: { done: number; total: number }) => void;
}

export interface PcapngWritten {
  connections: number;
  packets: number;
  bytes: number;
}

/** Bytes gathered before a write. */
const BLOCK = 1024 * 1024;

/** Made-up addresses come from the documentation ranges (RFC 5737, RFC 3849): they are never real. */
const MADE_UP = { client: '192.0.2.1', proxy: '192.0.2.2', server: '192.0.2.3' };

/** Writes the session's connections as pcapng at path, atomically. */
export async function writePcapngFile(path: string, store: CaptureStore, options: PcapngExportOptions = {}): Promise<PcapngWritten> {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  let handle: FileHandle | undefined = await open(temporary, 'wx', 0o600);
  try {
    const written = await writePcapng(store, options, (block) => handle!.write(block).then(() => undefined));
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, path);
    return written;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** Writes the pcapng through write, a block of about 1 MiB at a time. */
export async function writePcapng(store: CaptureStore, options: PcapngExportOptions, write: (block: Buffer) => Promise<void>): Promise<PcapngWritten> {
  const legs = options.legs ?? 'client';
  const wanted = options.connectionIds ? new Set(options.connectionIds) : null;
  const summaries = store.connections().filter((c) => !wanted || wanted.has(c.id));
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let bytes = 0;
  let packets = 0;
  const put = async (b: Buffer) => {
    pending.push(b);
    pendingBytes += b.length;
    bytes += b.length;
    if (pendingBytes >= BLOCK) {
      const out = Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      await write(out);
    }
  };

  const records = summaries.map((s) => store.connection(s.id)!);
  await put(sectionHeader('Framescope', headerComments(records, legs)));
  await put(interfaceDescription('client leg', 'between the client and the proxy, as the client saw it'));
  if (legs === 'both') await put(interfaceDescription('upstream leg', 'between the proxy and the server'));

  for (let i = 0; i < records.length; i++) {
    options.signal?.throwIfAborted();
    const record = records[i]!;
    for (const leg of legs === 'both' ? (['client', 'upstream'] as const) : (['client'] as const)) {
      const iface = leg === 'client' ? 0 : 1;
      for (const { time, packet, comment } of conversation(store, record, leg)) {
        await put(enhancedPacket(iface, time, packet.data, packet.originalLength, comment));
        packets++;
      }
    }
    options.onProgress?.({ done: i + 1, total: records.length });
  }
  if (pending.length) await write(Buffer.concat(pending));
  return { connections: records.length, packets, bytes };
}

interface TimedPacket {
  time: number;
  packet: SyntheticPacket;
  comment?: string;
}

/** The connection's packets on one leg, in the order they were recorded. */
function* conversation(store: CaptureStore, record: ConnectionRecord, leg: 'client' | 'upstream'): Generator<TimedPacket> {
  const ends = endpointsOf(record, leg);
  const tcp = new SyntheticTcp([ends.client, ends.server], [(record.id * 0x9e3779b1) >>> 0, (record.id * 0x85ebca6b) >>> 0]);
  const start = record.request.time;
  for (const packet of tcp.handshake()) yield { time: start, packet };
  const request = leg === 'upstream' && record.editedRequest ? record.editedRequest : record.request;
  if (request.method) {
    const head = serializeHttpHead({ request: { method: request.method, target: request.target, version: request.httpVersion }, rawHeaders: request.rawHeaders });
    for (const packet of tcp.send(0, head)) yield { time: request.time, packet };
  }
  const response = record.response;
  if (response) {
    const head = serializeHttpHead({ response: { version: response.httpVersion, statusCode: response.statusCode, statusMessage: response.statusMessage }, rawHeaders: response.rawHeaders });
    for (const packet of tcp.send(1, response.body ? Buffer.concat([head, response.body]) : head)) yield { time: response.time, packet };
  }
  let last = response?.time ?? request.time;
  const count = store.frameCount(record.id);
  for (let n = 0; n < count; n++) {
    const captured = store.frame(record.id, n);
    if (!onLeg(captured, leg)) continue;
    // The side of the proxy that received the frame saw it when it arrived, the other when it went on.
    const receivedHere = (leg === 'client') === (captured.direction === 'send');
    const time = receivedHere ? (captured.arrivedAt ?? captured.time) : captured.time;
    last = Math.max(last, captured.time);
    const { bytes, length, comment } = wireBytes(captured);
    const side = captured.direction === 'send' ? 0 : 1;
    const sent = tcp.send(side, bytes, length);
    for (let i = 0; i < sent.length; i++) yield { time, packet: sent[i]!, ...(comment && i === 0 ? { comment } : {}) };
  }
  if (record.endedAt === undefined) return;
  const first = record.close?.closedBy === 'server' ? 1 : 0;
  const other = first === 0 ? 1 : 0;
  const end = Math.max(record.endedAt, last);
  if (record.error && /reset|ECONNRESET/i.test(record.error)) {
    yield { time: end, packet: tcp.rst(first), comment: `reset: ${record.error}` };
    return;
  }
  yield { time: end, packet: tcp.fin(first) };
  yield { time: end, packet: tcp.fin(other) };
  yield { time: end, packet: tcp.ack(first) };
}

/**
 * Whether a frame crossed this leg. The client's leg carries what the client sent (not what the proxy made
 * or put in its place) and what the client was sent (not what the proxy dropped); the upstream leg the same
 * from the server's side.
 */
function onLeg(f: StoredFrame, leg: 'client' | 'upstream'): boolean {
  const replacement = f.edited === true && !f.dropped;
  const fromPeer = !f.injected && !replacement;
  const delivered = !f.dropped;
  const fromClient = f.direction === 'send';
  if (leg === 'client') return fromClient ? fromPeer : delivered;
  return fromClient ? delivered : fromPeer;
}

/** A frame's bytes as on the wire (masked as it was), as far as they were recorded. */
function wireBytes(captured: StoredFrame): { bytes: Buffer; length: number; comment?: string } {
  const f = captured.frame;
  const declared = f.payloadLengthExact ?? f.payloadLength;
  const [header, payload] = encodeFrame({
    fin: f.fin, rsv1: f.rsv1, rsv2: f.rsv2, rsv3: f.rsv3, opcode: f.opcode,
    ...(f.masked && f.maskKey ? { mask: f.maskKey } : {}),
    lengthForm: f.lengthForm, payloadLength: declared, payload: f.payload,
  });
  const length = header.length + Number(declared);
  const bytes = Buffer.concat([header, payload]);
  if (bytes.length >= length) return { bytes: bytes.subarray(0, length), length };
  const why = captured.payloadNotStored ? 'not stored (disk budget)' : 'kept only up to the recording limit';
  return { bytes, length, comment: `Framescope: payload ${why}: ${payload.length} of ${declared} bytes recorded; the packet is cut there` };
}

/** Each leg's two ends: real where the record knows them, made up (and said so) where it does not. */
function endpointsOf(record: ConnectionRecord, leg: 'client' | 'upstream'): { client: TcpEndpoint; server: TcpEndpoint } {
  const server = parseAddress(record.serverAddress) ?? { address: MADE_UP.server, port: urlPort(record.url) };
  if (leg === 'upstream') return { client: { address: MADE_UP.proxy, port: 49152 + (record.id % 16384) }, server };
  return { client: parseAddress(record.clientAddress) ?? { address: MADE_UP.client, port: 49152 + (record.id % 16384) }, server };
}

function headerComments(records: ConnectionRecord[], legs: PcapngLegs): string[] {
  const comments = [
    'Written by Framescope from a recorded session: the TCP packets around each connection are made up (handshake, sequence numbers, ' +
      'segmenting, checksums); the HTTP Upgrade heads and every WebSocket frame are the bytes recorded, at their recorded times.',
    'The client leg (interface 0) uses the client\'s real address and port and the server\'s real address and port (the proxy in between is not shown).',
  ];
  if (legs === 'both') comments.push(`The upstream leg (interface 1) uses the server's real address and port; the proxy's own end is made up (${MADE_UP.proxy}).`);
  const secure = records.filter((r) => r.url.startsWith('wss:')).map((r) => r.id);
  if (secure.length) {
    comments.push(`wss:// connection${secure.length > 1 ? 's' : ''} ${secure.join(', ')}: written as the proxy saw them inside TLS, decrypted, on their real ports ` +
      '(Wireshark warns of unencrypted HTTP on an encrypted port such as 443).');
  }
  const unknownClient = records.filter((r) => !parseAddress(r.clientAddress)).map((r) => r.id);
  const unknownServer = records.filter((r) => !parseAddress(r.serverAddress)).map((r) => r.id);
  if (unknownClient.length) comments.push(`Made-up client address ${MADE_UP.client} (none recorded) for connection${unknownClient.length > 1 ? 's' : ''} ${unknownClient.join(', ')}.`);
  if (unknownServer.length) comments.push(`Made-up server address ${MADE_UP.server} (none recorded) for connection${unknownServer.length > 1 ? 's' : ''} ${unknownServer.join(', ')}.`);
  return comments;
}

/** "127.0.0.1:8080" or "[::1]:8080" as address and port; undefined when it is not one. */
function parseAddress(text: string | undefined): TcpEndpoint | undefined {
  const m = text === undefined ? null : /^\[?([^\]]+?)\]?:(\d+)$/.exec(text);
  if (!m || !isIP(m[1]!)) return undefined;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { address: m[1]!, port } : undefined;
}

function urlPort(url: string): number {
  try {
    const u = new URL(url);
    return Number(u.port) || (u.protocol === 'wss:' ? 443 : 80);
  } catch {
    return 80;
  }
}
