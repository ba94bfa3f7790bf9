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
}

type Stage = 'detect' | 'tls' | 'await-response' | 'frames' | 'sync' | 'ignore';

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

  constructor(private readonly ctx: ImportContext, private readonly endpoints: [Endpoint, Endpoint], private readonly tcp: () => TcpConversation) {}

  data(side: Side, bytes: Buffer, time: number): void {
    this.time = time;
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
    const record = this.newRecord(request, urlOf(request, this.endpoints[server]));
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

  private encrypted(hello: { serverName?: string; version: string } | undefined): void {
    const client = this.client!;
    const server = this.endpoints[client === 0 ? 1 : 0];
    const host = hello?.serverName ?? bracketed(server.address);
    const request: RecordedRequest = { method: '', target: '', httpVersion: '', rawHeaders: [], time: this.time };
    const record = this.newRecord(request, `wss://${host}:${server.port}/`);
    record.state = 'closed';
    record.error = `encrypted: a TLS connection (${hello ? `${hello.version} ClientHello${hello.serverName ? `, SNI ${hello.serverName}` : ', no SNI'}` : 'its ClientHello is not all in the capture'}); its content cannot be read`;
    this.ctx.counts.encrypted++;
    this.ctx.counts.websocket--;
    this.ctx.problem({ code: 'encrypted', connectionId: record.id, message: `${this.endpointText()}: ${record.error}` });
    this.ctx.writer.putConnection(record);
    this.stage = 'ignore';
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
      this.record = this.newRecord(request, `ws://${bracketed(server.address)}:${server.port}/`);
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
function urlOf(request: RecordedRequest, server: Endpoint): string {
  const target = request.target;
  const absolute = /^(https?|wss?):\/\//i.exec(target);
  if (absolute) return target.replace(/^https?:/i, (s) => (s.toLowerCase() === 'https:' ? 'wss:' : 'ws:'));
  const host = headerValues(request.rawHeaders, 'host')[0] ?? `${bracketed(server.address)}:${server.port}`;
  return `ws://${host}${target.startsWith('/') ? target : `/${target}`}`;
}

function bracketed(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** An address and port as the proxy writes them: 127.0.0.1:8080, [::1]:8080. */
export function addressText(e: Endpoint): string {
  return `${bracketed(e.address)}:${e.port}`;
}
