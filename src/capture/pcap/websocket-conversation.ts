// One TCP connection of a capture, told apart and decoded: an HTTP Upgrade on any port, then its frames
// through the protocol core (permessage-deflate as negotiated); a connection joined after its handshake
// from the first frame boundary that parses; a TLS connection listed as encrypted, with its SNI. Anything
// else is not WebSocket and leaves nothing behind. What it finds goes to the session as the proxy writes
// it: a connection record, then frames and messages in capture order, then the record again when it ends.
import type { CapturedFrame, CapturedMessage, ConnectionRecord, Direction, RecordedRequest, RecordedResponse } from '../capture-model.js';
import type { StoredError } from '../capture-file.js';
import { computedHandshake } from '../har-import/handshake-fields.js';
import { Opcode, type Frame, type Message, type Sender } from '../../protocol/frame.js';
import { headerValues, parseHttpHead, type HttpHead } from '../../protocol/http-head.js';
import { checkUpgradeRequest } from '../../protocol/handshake.js';
import { negotiatedDeflate, type DeflateParams } from '../../protocol/permessage-deflate.js';
import type { CaptureProblem } from './capture-problems.js';
import { DirectionDecoder } from './direction-decoder.js';
import type { ConversationHandler, Endpoint, TcpConversation } from './tcp-conversations.js';
import { looksLikeTls, readClientHello } from './tls-client-hello.js';
import type { KeyLog } from './tls/key-log.js';
import { TlsDecryptor } from './tls/tls-decryptor.js';

/** Where an import writes: the capture store's writing API (or a test's memory). */
export interface SessionWriter {
  putConnection(connection: ConnectionRecord): void;
  putFrame(connectionId: number, frame: CapturedFrame): number;
  putMessage(connectionId: number, message: CapturedMessage): number;
  putError(error: StoredError): void;
}

/** What every connection of one import shares. */
export interface ImportContext {
  writer: SessionWriter;
  /** The next connection id. */
  nextId(): number;
  problem(problem: CaptureProblem): void;
  maxStoredPayload: number;
  counts: { websocket: number; encrypted: number };
  /** Secrets to decrypt TLS connections with (import --keylog). */
  keyLog?: KeyLog;
}

type Stage = 'detect' | 'tls' | 'connect' | 'await-response' | 'frames' | 'sync' | 'ignore';

/** Bytes of a request or response head, or of a ClientHello, waited for before giving up. */
const MAX_HEAD = 64 * 1024;

type Side = 0 | 1;

export class WebSocketConversation implements ConversationHandler {
  private stage: Stage = 'detect';
  private buffered: [Buffer, Buffer] = [Buffer.alloc(0), Buffer.alloc(0)];
  private client: Side | undefined;
  private request: { head: HttpHead; time: number } | undefined;
  private record: ConnectionRecord | undefined;
  private decoders: [DirectionDecoder, DirectionDecoder] | undefined;
  private time = 0;
  private firstToEnd: Side | undefined;
  private ends = 0;
  /** A TLS connection decrypted with the key log: raw bytes go through it, plaintext comes out. */
  private decryptor: TlsDecryptor | undefined;
  /** Inside a CONNECT tunnel: the host and port it was opened to. */
  private tunnel: { host: string; port: number } | undefined;
  /** The first bytes of a TLS connection's client (its ClientHello, for the SNI). */
  private tlsStart: Buffer | undefined;

  constructor(private readonly ctx: ImportContext, private readonly endpoints: [Endpoint, Endpoint], private readonly tcp: () => TcpConversation) {}

  data(side: Side, bytes: Buffer, time: number): void {
    this.time = time;
    if (this.decryptor) {
      if (!this.decryptor.failed) this.decryptor.push(side, bytes);
      return;
    }
    this.plain(side, bytes);
  }

  /** Bytes of the conversation itself (decrypted, for a TLS connection read with a key log). */
  private plain(side: Side, bytes: Buffer): void {
    switch (this.stage) {
      case 'ignore':
        return;
      case 'frames':
      case 'sync':
        this.decoders![side].push(bytes);
        return;
      default:
        this.buffer(side, bytes);
        this.advance(side);
    }
  }

  gap(side: Side, length: number, time: number): void {
    this.time = time;
    if (this.decryptor) return this.decryptor.gap(side, length);
    if (this.stage === 'ignore') return;
    if (this.stage === 'frames' || this.stage === 'sync') {
      if (this.record) this.connectionProblem('stream-gap', `${length} bytes ${this.directionWords(side)} are not in the capture; frames are looked for again after them`);
      this.decoders![side].gap(length);
      return;
    }
    if (this.stage === 'tls') {
      this.encrypted(undefined);
      return;
    }
    // The start of the conversation is missing: it can only be joined at a frame boundary.
    this.buffered = [Buffer.alloc(0), Buffer.alloc(0)];
    this.startSync(this.client);
  }

  differs(side: Side, length: number, time: number): void {
    if (this.stage === 'ignore' || !this.record) return;
    this.time = time;
    this.connectionProblem('retransmission-differs', `a retransmitted copy ${this.directionWords(side)} differs from the first copy in ${length} bytes; the first copy was kept`);
  }

  ended(side: Side, _how: 'fin' | 'rst', time: number): void {
    this.time = time;
    this.firstToEnd ??= side;
    this.ends++;
  }

  closed(time: number): void {
    this.time = time;
    if (this.decryptor && !this.decryptor.failed && !this.record && this.stage !== 'ignore') this.decryptFailed('the capture ends before its application data');
    if (this.stage === 'tls') this.encrypted(undefined);
    if (this.stage === 'await-response' && this.request && this.client !== undefined) this.handshake(undefined, time);
    this.decoders?.[0].end();
    this.decoders?.[1].end();
    const record = this.record;
    if (!record || this.stage === 'ignore') return;
    if (record.state !== 'failed') {
      record.state = 'closed';
      if (this.firstToEnd !== undefined) {
        record.close ??= { code: 1006, reason: '', closedBy: this.roleOf(this.firstToEnd) };
        if (this.ends === 2 || this.tcp().sides.some((s) => s.ended === 'rst')) record.endedAt = time;
      }
    } else if (this.firstToEnd !== undefined) {
      record.endedAt = time;
    }
    this.ctx.writer.putConnection(record);
  }

  // -------------------------------------------------------------------------------------------
  // Telling what the connection is

  private advance(side: Side): void {
    if (this.stage === 'detect') this.detect(side);
    if (this.stage === 'tls') {
      const hello = readClientHello(this.buffered[this.client!]);
      if (hello.tls && hello.complete) this.encrypted(hello);
      else if (this.buffered[this.client!].length > MAX_HEAD) this.encrypted(undefined);
      return;
    }
    if (this.stage === 'connect' && side !== this.client) {
      const head = parseHttpHead(this.buffered[side], { maxHeadSize: MAX_HEAD });
      if (head.tooLarge || (head.complete && !(head.response && head.response.statusCode >= 200 && head.response.statusCode < 300))) return this.ignore();
      if (!head.complete) return;
      const inside = [this.buffered[0], this.buffered[1]];
      inside[side] = inside[side]!.subarray(head.headLength);
      this.buffered = [Buffer.alloc(0), Buffer.alloc(0)];
      this.stage = 'detect';
      const client = this.client!;
      const server: Side = client === 0 ? 1 : 0;
      if (inside[client]!.length) this.plain(client, inside[client]!);
      if (inside[server]!.length && !this.decryptor) this.plain(server, inside[server]!);
      else if (inside[server]!.length) this.decryptor!.push(server, inside[server]!);
      return;
    }
    if (this.stage === 'await-response' && side !== this.client) {
      const head = parseHttpHead(this.buffered[side], { maxHeadSize: MAX_HEAD });
      if (head.tooLarge) this.handshake(undefined, this.time);
      else if (head.complete) this.handshake(head, this.time);
    }
  }

  private detect(side: Side): void {
    const bytes = this.buffered[side];
    const tcp = this.tcp();
    if (tcp.client === undefined || tcp.client === side) {
      if (looksLikeTls(bytes)) {
        this.client = side;
        if (this.ctx.keyLog) return this.decrypt(side);
        this.stage = 'tls';
        return;
      }
      const start = requestStart(bytes);
      if (start === 'maybe') return;
      if (start === 'yes') {
        const head = parseHttpHead(bytes, { maxHeadSize: MAX_HEAD });
        if (head.tooLarge) return this.ignore();
        if (!head.complete) return;
        const request = { method: head.request!.method, url: head.request!.target, httpVersion: head.request!.version, rawHeaders: head.rawHeaders };
        if (request.method === 'CONNECT') {
          // A proxy tunnel: once the proxy answers 2xx, the tunnel's bytes are told apart like a connection's own.
          this.client = side;
          this.tunnel = authorityOf(request.url);
          this.buffered[side] = bytes.subarray(head.headLength);
          this.stage = 'connect';
          return;
        }
        if (!checkUpgradeRequest(request).isUpgrade) return this.ignore();
        this.client = side;
        this.request = { head, time: this.time };
        this.buffered[side] = bytes.subarray(head.headLength);
        this.stage = 'await-response';
        return;
      }
    }
    // Neither a handshake nor TLS. A connection whose start is in the capture is something else; one
    // joined in the middle may be a WebSocket past its handshake.
    if (tcp.sides[side].synSeen) return this.ignore();
    const pending = this.buffered;
    this.buffered = [Buffer.alloc(0), Buffer.alloc(0)];
    this.startSync(tcp.client);
    this.decoders![0].push(pending[0]);
    this.decoders![1].push(pending[1]);
  }

  private startSync(client: Side | undefined): void {
    this.stage = 'sync';
    this.client = client;
    const sender = (side: Side): Sender | undefined => (client === undefined ? undefined : side === client ? 'client' : 'server');
    this.decoders = [this.decoder(0, sender(0), false, null), this.decoder(1, sender(1), false, null)];
  }

  private handshake(head: HttpHead | undefined, time: number): void {
    const client = this.client!;
    const server: Side = client === 0 ? 1 : 0;
    const reqHead = this.request!.head;
    const request: RecordedRequest = {
      method: reqHead.request!.method, target: reqHead.request!.target, httpVersion: reqHead.request!.version, rawHeaders: reqHead.rawHeaders, time: this.request!.time,
    };
    const response: RecordedResponse | undefined = head?.response
      ? { statusCode: head.response.statusCode, statusMessage: head.response.statusMessage, httpVersion: head.response.version, rawHeaders: head.rawHeaders, time }
      : undefined;
    const computed = computedHandshake(request, response);
    const record = this.newRecord(request, urlOf(request, this.endpoints[server], this.decryptor !== undefined));
    record.checks = computed.checks;
    if (computed.protocol !== undefined) record.protocol = computed.protocol;
    if (computed.extensions !== undefined) record.extensions = computed.extensions;
    if (response) record.response = response;
    if (!response || response.statusCode !== 101) {
      record.state = 'failed';
      record.error = response ? `the server answered the handshake with ${response.statusCode} ${response.statusMessage}`.trimEnd() : 'the capture has no answer to the handshake';
      this.ctx.writer.putConnection(record);
      this.stage = 'ignore';
      return;
    }
    record.state = 'open';
    this.ctx.writer.putConnection(record);
    const deflate = negotiatedDeflate(headerValues(response.rawHeaders, 'sec-websocket-extensions')).params ?? null;
    this.stage = 'frames';
    const decoders: [DirectionDecoder, DirectionDecoder] = [
      this.decoder(0, client === 0 ? 'client' : 'server', true, deflate),
      this.decoder(1, client === 1 ? 'client' : 'server', true, deflate),
    ];
    this.decoders = decoders;
    // Frames that came in the same segments as the heads.
    const early = this.buffered;
    this.buffered = [Buffer.alloc(0), Buffer.alloc(0)];
    decoders[client].push(early[client]);
    decoders[server].push(early[server].subarray(head!.headLength));
  }

  private encrypted(hello: { serverName?: string; version: string } | undefined, why = 'its content cannot be read'): void {
    const client = this.client!;
    const server = this.tunnel ?? this.endpoints[client === 0 ? 1 : 0];
    const host = hello?.serverName ?? bracketed('address' in server ? server.address : server.host);
    const request: RecordedRequest = { method: '', target: '', httpVersion: '', rawHeaders: [], time: this.time };
    const record = this.newRecord(request, `wss://${host}:${server.port}/`);
    record.state = 'closed';
    record.error = `encrypted: a TLS connection (${hello ? `${hello.version} ClientHello${hello.serverName ? `, SNI ${hello.serverName}` : ', no SNI'}` : 'its ClientHello is not all in the capture'}); ${why}`;
    this.ctx.counts.encrypted++;
    this.ctx.counts.websocket--;
    this.ctx.problem({ code: 'encrypted', connectionId: record.id, message: `${this.endpointText()}: ${record.error}` });
    this.ctx.writer.putConnection(record);
    this.stage = 'ignore';
  }

  /** Reads a TLS connection through the key log: its plaintext is told apart like any other connection's. */
  private decrypt(client: Side): void {
    const pending = this.buffered;
    this.buffered = [Buffer.alloc(0), Buffer.alloc(0)];
    this.tlsStart = pending[client];
    this.tcp().client ??= client;
    this.decryptor = new TlsDecryptor(this.ctx.keyLog!, client, {
      plaintext: (side, bytes) => this.plain(side, bytes),
      failed: (reason) => this.decryptFailed(reason),
    });
    this.decryptor.push(client, pending[client]);
    if (pending[client === 0 ? 1 : 0].length) this.decryptor.push(client === 0 ? 1 : 0, pending[client === 0 ? 1 : 0]);
  }

  private decryptFailed(reason: string): void {
    if (this.record) {
      this.connectionProblem('encrypted', `decryption stopped: ${reason}`);
      return;
    }
    const hello = readClientHello(this.tlsStart ?? Buffer.alloc(0));
    this.encrypted(hello.tls && hello.complete ? hello : undefined, `not decrypted: ${reason}`);
  }

  private ignore(): void {
    this.stage = 'ignore';
    this.buffered = [Buffer.alloc(0), Buffer.alloc(0)];
  }

  // -------------------------------------------------------------------------------------------
  // Frames into the session

  private decoder(side: Side, sender: Sender | undefined, aligned: boolean, deflate: DeflateParams | null): DirectionDecoder {
    return new DirectionDecoder({ sender, deflate, maxStoredPayload: this.ctx.maxStoredPayload, aligned }, {
      frame: (frame) => this.frame(side, frame),
      message: (message) => this.message(side, message),
      synced: (found, skipped) => this.synced(side, found, skipped),
      lost: (dropped) => {
        if (this.record) this.connectionProblem('skipped-bytes', `no frame boundary found ${this.directionWords(side)} in ${dropped} bytes; the rest of that direction is not decoded`);
      },
    });
  }

  private synced(side: Side, sender: Sender, skipped: number): void {
    if (this.client === undefined) {
      this.client = sender === 'client' ? side : side === 0 ? 1 : 0;
      this.decoders![side === 0 ? 1 : 0].setSender(sender === 'client' ? 'server' : 'client');
    }
    if (!this.record) {
      const server = this.endpoints[this.client === 0 ? 1 : 0];
      const request: RecordedRequest = { method: 'GET', target: '/', httpVersion: '1.1', rawHeaders: [], time: this.time };
      this.record = this.newRecord(request, `${this.decryptor ? 'wss' : 'ws'}://${bracketed(server.address)}:${server.port}/`);
      this.record.state = 'open';
      this.ctx.writer.putConnection(this.record);
      this.connectionProblem('mid-stream', 'the handshake is not in the capture (the connection began before it, or its start was lost): its URL path, headers and extensions are unknown');
    }
    if (skipped > 0) this.connectionProblem('skipped-bytes', `${skipped} bytes ${this.directionWords(side)} were skipped before the first frame boundary that parses`);
  }

  private frame(side: Side, frame: Frame): void {
    const record = this.record!;
    const direction = this.directionOf(side);
    if (frame.opcode === Opcode.Close && !record.close) {
      record.close = { code: frame.closeCode ?? 1005, reason: frame.closeReason ?? '', closedBy: direction === 'send' ? 'client' : 'server' };
    }
    this.ctx.writer.putFrame(record.id, { direction, time: this.time, frame });
  }

  private message(side: Side, message: Message): void {
    this.ctx.writer.putMessage(this.record!.id, { direction: this.directionOf(side), time: this.time, message });
  }

  // -------------------------------------------------------------------------------------------

  private newRecord(request: RecordedRequest, url: string): ConnectionRecord {
    const client = this.endpoints[this.client!];
    const server = this.endpoints[this.client === 0 ? 1 : 0];
    this.ctx.counts.websocket++;
    this.record = {
      id: this.ctx.nextId(), url, clientAddress: addressText(client), serverAddress: addressText(server), startedAt: request.time,
      state: 'open', request, checks: [], frames: [], messages: [],
    };
    return this.record;
  }

  private buffer(side: Side, bytes: Buffer): void {
    // Past a ClientHello only its own bytes matter.
    if (this.stage === 'tls' && side !== this.client) return;
    this.buffered[side] = this.buffered[side].length === 0 ? Buffer.from(bytes) : Buffer.concat([this.buffered[side], bytes]);
    if (this.buffered[side].length > MAX_HEAD * 2 && this.stage !== 'tls' && this.stage !== 'await-response') this.ignore();
  }

  private directionOf(side: Side): Direction {
    return side === this.client ? 'send' : 'receive';
  }

  private roleOf(side: Side): 'client' | 'server' {
    return side === this.client ? 'client' : 'server';
  }

  private directionWords(side: Side): string {
    return this.client === undefined ? `from ${addressText(this.endpoints[side])}` : side === this.client ? 'client to server' : 'server to client';
  }

  private endpointText(): string {
    return `${addressText(this.endpoints[this.client ?? 0])} -> ${addressText(this.endpoints[this.client === 0 ? 1 : 0])}`;
  }

  private connectionProblem(code: CaptureProblem['code'], message: string): void {
    const id = this.record!.id;
    this.ctx.problem({ code, connectionId: id, message });
    this.ctx.writer.putError({ message: `${code}: ${message}`, connectionId: id, time: this.time });
  }
}

/** Whether bytes begin an HTTP request line; 'maybe' while too few have come to tell. */
function requestStart(b: Buffer): 'yes' | 'no' | 'maybe' {
  const text = b.toString('latin1', 0, Math.min(b.length, 16));
  const match = /^[A-Z]{1,12}( |$)/.exec(text);
  if (!match) return 'no';
  if (match[1] === ' ') return 'yes';
  return b.length < 13 ? 'maybe' : 'no';
}

/** The URL the handshake asked for: from its Host header and target (absolute-form through a proxy). */
function urlOf(request: RecordedRequest, server: Endpoint, secure: boolean): string {
  const target = request.target;
  const absolute = /^(https?|wss?):\/\//i.exec(target);
  if (absolute) return target.replace(/^https?:/i, (s) => (s.toLowerCase() === 'https:' ? 'wss:' : 'ws:'));
  const host = headerValues(request.rawHeaders, 'host')[0] ?? `${bracketed(server.address)}:${server.port}`;
  return `${secure ? 'wss' : 'ws'}://${host}${target.startsWith('/') ? target : `/${target}`}`;
}

function bracketed(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** host:port of a CONNECT request's target ([v6]:port included). */
function authorityOf(target: string): { host: string; port: number } | undefined {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(target);
  return m ? { host: m[1]!, port: Number(m[2]) } : undefined;
}

/** An address and port as the proxy writes them: 127.0.0.1:8080, [::1]:8080. */
export function addressText(e: Endpoint): string {
  return `${bracketed(e.address)}:${e.port}`;
}
