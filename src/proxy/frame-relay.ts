// The per-connection frame relay: every byte each peer sends goes to the other peer unchanged, as it
// arrives (cut-through), while a decoder per direction records frames and messages on the side.
// Backpressure both ways: when a receiver is slow, the sender's socket is paused.
//
// The user may change traffic: breakpoints hold whole data messages (with everything behind them in
// that direction), held messages are forwarded, edited or dropped, and new frames are injected at frame
// boundaries (data never inside a fragmented message). On a compressed direction whose receiver keeps
// its inflate context, the first change switches that direction to re-encoding (DESIGN.md): from then
// on compressed messages are inflated and deflated again by the proxy's own compressor, whose history is
// exactly what the receiver has seen.
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { StreamDecoder } from '../protocol/stream-decoder.js';
import { FrameParser } from '../protocol/frame-parser.js';
import { encodeFrameBytes, encodeClosePayload } from '../protocol/frame-encoder.js';
import { Deflater } from '../protocol/deflater.js';
import { deflateForSender, type DeflateParams } from '../protocol/permessage-deflate.js';
import { Opcode, type Frame, type FrameHeader, type Message, type Sender } from '../protocol/frame.js';
import type { Direction, ConnectionRecord, CapturedFrame } from '../capture/capture-model.js';
import type { Session } from '../capture/session.js';
import type { Breakpoints, HeldDecision } from './breakpoints.js';

export interface RelayOptions {
  /** Negotiated permessage-deflate parameters, or null. */
  deflate: DeflateParams | null;
  /** Payload bytes stored per frame and per message; the rest passes through unrecorded. */
  maxStoredPayload: number;
  /** Breakpoints to honour; none when absent. */
  breakpoints?: Breakpoints;
  /** Whether the capture store is behind right now: a new connection then starts held. */
  holdForStore?: () => boolean;
}

/** A message larger than this cannot be held or re-encoded whole: it streams through as it came. */
export const MAX_COLLECTED_MESSAGE = 64 * 1024 * 1024;

/** A message the proxy sends: text or binary data, or a control frame. */
export interface OutgoingMessage {
  opcode: number;
  data: Buffer;
}

type Disposition = 'pass' | 'collect';

/** Events of one decoder.push(), handled in order once the push returns. */
type DecodeEvent =
  | { kind: 'header'; header: FrameHeader; offset: number }
  | { kind: 'frame'; frame: Frame }
  | { kind: 'message'; message: Message };

interface Timed { frame: Frame; time: number }

type Flags = { dropped?: boolean; edited?: boolean; injected?: boolean };

/** Something to record once its bytes are on their way, in wire order (a message right after its last frame). */
type Rec =
  | { kind: 'frame'; frame: Frame; time: number; flags?: Flags }
  | { kind: 'message'; message: Message; time: number; flags?: Flags };

/** A data message gathered whole (with control frames that came between its fragments). */
interface Collection {
  /** Wire bytes per frame, in order; done once the frame is complete. */
  frames: { bytes: Buffer[]; done?: Timed }[];
  /** Raw bytes gathered. */
  size: number;
  message?: Message;
  messageTime?: number;
  /** Where its bytes lie in the chunk being routed, while they all come from that chunk in one run. */
  inChunk?: { start: number; end: number } | null;
}

type HeldOut = { kind: 'held'; id: number; collection: Collection; queued: { opcode: number; length: number }[] };

type OutItem =
  | { kind: 'bytes'; bytes: Buffer[]; record: Rec[] }
  | { kind: 'collection'; collection: Collection }
  | { kind: 'own'; opcode: 1 | 2; data: Buffer; flags: Flags }
  | HeldOut;

/** One direction of the connection: from `source` (the sender) to `dest`. */
class Lane {
  readonly direction: Direction;
  readonly decoder: StreamDecoder;
  ended = false;
  closed = false;
  /** Breakpoints may hold this direction's messages. */
  private watching = false;
  /** Stream offset of the next chunk's first byte. */
  private base = 0;
  private readonly events: DecodeEvent[] = [];
  /** The frame whose bytes are being routed, once its header is complete. */
  private current: { disposition: Disposition } | null = null;
  /** Bytes of a frame whose header is not complete yet. */
  private partial: Buffer[] = [];
  private collection: Collection | null = null;
  /** The rest of an over-large message streams through. */
  private passRestOfMessage = false;
  /** What waits behind a held message, in order. Empty: bytes go straight to dest. */
  private readonly queue: OutItem[] = [];
  private readonly injections: { isData: boolean; send: () => void }[] = [];
  /** The bytes written so far end inside a fragmented data message. */
  private outInMessage = false;
  /** The chunk being routed; its pass-through bytes not yet written are chunk.subarray(runStart, runEnd). */
  private chunk: Buffer | null = null;
  private runStart = 0;
  private runEnd = 0;
  private runRecords: Rec[] = [];
  /** The proxy's compressor (re-encoding, or injections without context takeover). */
  private deflater: Deflater | null = null;
  private reencoding = false;
  private injectedCount = 0;

  constructor(
    private readonly relay: FrameRelay,
    readonly sender: Sender,
    readonly source: Duplex,
    readonly dest: Duplex,
    private readonly options: RelayOptions,
  ) {
    this.direction = sender === 'client' ? 'send' : 'receive';
    this.decoder = new StreamDecoder(
      { from: sender, deflate: options.deflate, maxStoredPayload: options.maxStoredPayload, maxMessageSize: options.maxStoredPayload },
      {
        onHeader: (header, _index, offset) => this.events.push({ kind: 'header', header, offset }),
        onFrame: (frame) => this.events.push({ kind: 'frame', frame }),
        onMessage: (message) => this.events.push({ kind: 'message', message }),
      },
    );
  }

  // ---- Receiving ------------------------------------------------------------------------------

  onData(chunk: Buffer): void {
    if (this.passesEverything) {
      this.passThrough(chunk);
      return;
    }
    this.decodePassed();
    this.events.length = 0;
    this.decoder.push(chunk);
    this.chunk = chunk;
    this.runStart = this.runEnd = 0;
    let pos = 0;
    for (const event of this.events) {
      if (event.kind === 'header') {
        // A frame begun on the fast path keeps passing.
        this.current ??= { disposition: this.decide(event.header) };
        for (const bytes of this.partial.splice(0)) this.routeBuffer(bytes);
        pos = Math.max(pos, event.offset - this.base);
      } else if (event.kind === 'frame') {
        const end = Math.min(chunk.length, frameEnd(event.frame) - this.base);
        if (end > pos) this.routeChunk(pos, end);
        pos = Math.max(pos, end);
        this.frameDone(event.frame);
      } else {
        this.messageDone(event.message);
      }
    }
    if (pos < chunk.length) {
      if (this.current) this.routeChunk(pos, chunk.length);
      else this.partial.push(chunk.subarray(pos));
    }
    this.flushRun();
    this.chunk = null;
    // A message still being gathered spans chunks now.
    if (this.collection) this.collection.inChunk = null;
    this.base += chunk.length;
    this.tryInjections();
  }

  /**
   * Nothing can change this chunk's bytes: no breakpoint watches, nothing is held, gathered, waiting
   * to be injected or re-encoded. Then the chunk goes on at once, as it came, and is decoded after.
   */
  private get passesEverything(): boolean {
    return !this.watching && !this.reencoding && this.queue.length === 0 && this.collection === null && this.injections.length === 0 && this.partial.length === 0 && !this.closed;
  }

  /**
   * The chunk goes on at once; decoding and recording wait until the event loop has handled the I/O
   * that is ready (setImmediate), so that recording never delays the bytes of the next message (a
   * reply, often). Anything that needs the decoder's state first catches up (decodePassed).
   */
  private passThrough(chunk: Buffer): void {
    this.write(chunk);
    this.passed.push(chunk);
    if (this.passed.length === 1) setImmediate(this.decodePassedLater);
  }

  private readonly passed: Buffer[] = [];
  private readonly decodePassedLater = () => this.decodePassed();

  /** Decodes and records the chunks that went on unexamined, in order. */
  private decodePassed(): void {
    if (this.passed.length === 0) return;
    const chunks = this.passed.splice(0);
    const records: Rec[] = [];
    for (const chunk of chunks) {
      this.events.length = 0;
      this.decoder.push(chunk);
      for (const event of this.events) {
        if (event.kind === 'header') {
          this.current = { disposition: 'pass' };
        } else if (event.kind === 'frame') {
          const frame = event.frame;
          this.current = null;
          records.push({ kind: 'frame', frame, time: Date.now() });
          if (frame.opcode === Opcode.Text || frame.opcode === Opcode.Binary || frame.opcode === Opcode.Continuation) this.outInMessage = !frame.fin;
          if (frame.opcode === Opcode.Continuation && frame.fin) this.passRestOfMessage = false;
        } else {
          records.push({ kind: 'message', message: event.message, time: Date.now() });
        }
      }
      // A frame whose header is still incomplete: its first bytes are already on their way, so the
      // rest of it must pass too, whatever the next chunk's path.
      if (this.current === null && !this.decoder.atFrameBoundary) this.current = { disposition: 'pass' };
      this.base += chunk.length;
    }
    this.recordAll(records);
  }

  /** The source ended: a cut-off frame and whatever is gathered go on as they are. */
  end(): void {
    this.decodePassed();
    this.events.length = 0;
    this.decoder.end();
    if (this.partial.length > 0) this.writeOrQueue(this.partial.splice(0), []);
    for (const event of this.events) {
      if (event.kind === 'frame') this.frameDone(event.frame);
      else if (event.kind === 'message') this.messageDone(event.message);
    }
    if (this.collection) this.abandonCollection();
    this.flushRun();
  }

  /** Where a frame's bytes go, decided once its header is complete. */
  private decide(header: FrameHeader): Disposition {
    if (this.collection) return 'collect';
    const isData = header.opcode === Opcode.Text || header.opcode === Opcode.Binary;
    if (this.passRestOfMessage) {
      if (header.opcode === Opcode.Continuation || !isData) {
        if (header.opcode === Opcode.Continuation && header.fin) this.passRestOfMessage = false;
        return 'pass';
      }
      this.passRestOfMessage = false;
    }
    if (isData && (this.watching || this.queue.length > 0 || (this.reencoding && header.rsv1))) {
      this.collection = { frames: [], size: 0 };
      return 'collect';
    }
    return 'pass';
  }

  private routeChunk(start: number, end: number): void {
    if (this.current!.disposition === 'collect') {
      const c = this.collection!;
      if (c.inChunk === undefined) c.inChunk = { start, end };
      else if (c.inChunk && c.inChunk.end === start) c.inChunk.end = end;
      else c.inChunk = null;
      this.collect(this.chunk!.subarray(start, end));
      return;
    }
    // Consecutive pass-through bytes leave in one write.
    if (this.runEnd !== start) {
      this.flushRun();
      this.runStart = start;
    }
    this.runEnd = end;
  }

  private routeBuffer(bytes: Buffer): void {
    if (this.current!.disposition === 'collect') {
      this.collection!.inChunk = null;
      this.collect(bytes);
    } else {
      this.writeOrQueue([bytes], []);
    }
  }

  private collect(bytes: Buffer): void {
    const c = this.collection!;
    if (c.frames.length === 0 || c.frames[c.frames.length - 1]!.done) c.frames.push({ bytes: [] });
    c.frames[c.frames.length - 1]!.bytes.push(bytes);
    c.size += bytes.length;
    if (c.size > MAX_COLLECTED_MESSAGE) this.abandonCollection();
  }

  /** A message too large to hold goes on as it came; the rest of it streams through. */
  private abandonCollection(): void {
    const c = this.collection!;
    this.collection = null;
    if (this.current?.disposition === 'collect') {
      this.current.disposition = 'pass';
      this.passRestOfMessage = true;
    }
    if (this.reencoding) this.relay.error(`a ${this.direction} message over ${MAX_COLLECTED_MESSAGE} bytes could not be re-encoded and went on as it came`);
    this.writeOrQueue(c.frames.flatMap((f) => f.bytes), this.collectionRecords(c));
  }

  private frameDone(frame: Frame): void {
    const timed = { frame, time: Date.now() };
    const current = this.current;
    this.current = null;
    if (current?.disposition === 'collect' && this.collection) {
      const c = this.collection;
      if (c.frames.length === 0 || c.frames[c.frames.length - 1]!.done) c.frames.push({ bytes: [] });
      c.frames[c.frames.length - 1]!.done = timed;
      return;
    }
    // Recorded once its bytes are written (or queued behind a held message).
    this.runRecords.push({ kind: 'frame', ...timed });
    const head = this.queue[0];
    if (head?.kind === 'held') {
      head.queued.push({ opcode: frame.opcode, length: frame.payloadLength });
      this.options.breakpoints?.updateQueued(head.id, head.queued);
    }
    if (frame.opcode === Opcode.Text || frame.opcode === Opcode.Binary || frame.opcode === Opcode.Continuation) this.outInMessage = !frame.fin;
  }

  private messageDone(message: Message): void {
    const c = this.collection;
    if (!c || this.current) {
      this.runRecords.push({ kind: 'message', message, time: Date.now() });
      return;
    }
    this.collection = null;
    c.message = message;
    c.messageTime = Date.now();
    const rule = this.watching && !message.truncated
      ? this.options.breakpoints?.matchMessage(this.relay.connection.url, this.direction, message.opcode, message.data)
      : undefined;
    if (rule && this.options.breakpoints) {
      this.flushRun();
      const { id, decision } = this.options.breakpoints.hold({
        connectionId: this.relay.connection.id,
        url: this.relay.connection.url,
        kind: 'message',
        direction: this.direction,
        ruleId: rule.id,
        opcode: message.opcode,
        dataBase64: message.data.toString('base64'),
        queued: [],
      });
      const item: HeldOut = { kind: 'held', id, collection: c, queued: [] };
      this.queue.push(item);
      void decision.then((d) => this.resolveHeld(item, d));
    } else if (this.queue.length > 0) {
      this.flushRun();
      this.queue.push({ kind: 'collection', collection: c });
    } else {
      this.release(c);
    }
  }

  // ---- Sending --------------------------------------------------------------------------------

  /** Writes the pending pass-through bytes of the current chunk and records what they carried. */
  private flushRun(): void {
    const bytes = this.chunk && this.runEnd > this.runStart ? [this.chunk.subarray(this.runStart, this.runEnd)] : [];
    const records = this.runRecords;
    this.runRecords = [];
    this.runStart = this.runEnd;
    if (bytes.length > 0 || records.length > 0) this.emitOrQueue(bytes, records);
  }

  /** Writes bytes after whatever the current chunk has pending, or queues them behind a held message. */
  private writeOrQueue(bytes: Buffer[], records: Rec[]): void {
    this.flushRun();
    this.emitOrQueue(bytes, records);
  }

  private emitOrQueue(bytes: Buffer[], records: Rec[]): void {
    if (this.queue.length > 0) {
      const last = this.queue[this.queue.length - 1]!;
      if (last.kind === 'bytes') {
        last.bytes.push(...bytes);
        last.record.push(...records);
      } else {
        this.queue.push({ kind: 'bytes', bytes, record: records });
      }
      return;
    }
    for (const b of bytes) this.write(b);
    this.recordAll(records);
  }

  private write(bytes: Buffer): void {
    if (this.closed || bytes.length === 0) return;
    if (!this.dest.write(bytes) && !this.pausedBy.has('receiver')) {
      // Backpressure: the sender waits until the receiver has taken what is queued.
      this.pause('receiver');
      this.dest.once('drain', () => this.resume('receiver'));
    }
  }

  /** Why the sender's socket is paused: its receiver is slow, or the capture store is behind. */
  private readonly pausedBy = new Set<'receiver' | 'store'>();

  pause(reason: 'receiver' | 'store'): void {
    this.pausedBy.add(reason);
    this.source.pause();
  }

  /** Resumes the sender once nothing else holds it back. */
  resume(reason: 'receiver' | 'store'): void {
    this.pausedBy.delete(reason);
    if (this.pausedBy.size === 0 && !this.closed) this.source.resume();
  }

  private recordAll(records: Rec[]): void {
    for (const r of records) {
      if (r.kind === 'frame') this.relay.recordFrame(this.direction, r.frame, r.time, r.flags ?? {});
      else this.relay.recordMessage(this.direction, r.message, r.time, r.flags);
    }
  }

  /** What a gathered message records: its frames in order, then the message. */
  private collectionRecords(c: Collection, flags?: Flags): Rec[] {
    const records: Rec[] = [];
    for (const f of c.frames) {
      if (!f.done) continue;
      // Dropping a message drops its data frames; control frames between them still go on.
      const frameFlags = flags && f.done.frame.opcode < 8 ? flags : undefined;
      records.push({ kind: 'frame', frame: f.done.frame, time: f.done.time, ...(frameFlags ? { flags: frameFlags } : {}) });
    }
    if (c.message) records.push({ kind: 'message', message: c.message, time: c.messageTime!, ...(flags ? { flags } : {}) });
    return records;
  }

  /** Sends a gathered message on: as it came, or compressed again when this direction is re-encoded. */
  private release(c: Collection): void {
    const message = c.message!;
    const reencode = this.reencoding && message.compressed && !message.truncated;
    if (!reencode && this.chunk !== null && c.inChunk && c.inChunk.start === this.runEnd) {
      // Its bytes follow the pending run in the same chunk: they leave in the same write.
      this.runEnd = c.inChunk.end;
      this.runRecords.push(...this.collectionRecords(c));
      return;
    }
    this.flushRun();
    if (reencode) {
      // Control frames that came between the fragments go first, then the message in one frame.
      for (const f of c.frames) if (f.done && f.done.frame.opcode >= 8) for (const b of f.bytes) this.write(b);
      this.write(this.encode(message.opcode, message.data));
    } else {
      for (const f of c.frames) for (const b of f.bytes) this.write(b);
    }
    this.recordAll(this.collectionRecords(c));
  }

  private resolveHeld(item: HeldOut, decision: HeldDecision): void {
    const at = this.queue.indexOf(item);
    if (at < 0 || this.closed) return;
    const c = item.collection;
    if (decision.action === 'forward' && !decision.editedMessage) {
      this.queue[at] = { kind: 'collection', collection: c };
    } else {
      // The receiver never sees the original: a compressed direction must be re-encoded from here.
      if (c.message!.compressed) this.startReencoding();
      const controls = c.frames.filter((f) => f.done && f.done.frame.opcode >= 8).flatMap((f) => f.bytes);
      const replacement: OutItem[] = [{ kind: 'bytes', bytes: controls, record: this.collectionRecords(c, { dropped: true }) }];
      if (decision.action === 'forward' && decision.editedMessage) {
        replacement.push({ kind: 'own', opcode: decision.editedMessage.opcode, data: decision.editedMessage.data, flags: { edited: true } });
      }
      this.queue.splice(at, 1, ...replacement);
    }
    this.drain();
  }

  /** Writes queued items until the next held message. */
  private drain(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.kind === 'held') break;
      this.queue.shift();
      if (head.kind === 'collection') this.release(head.collection);
      else if (head.kind === 'own') this.sendOwn(head.opcode, head.data, head.flags);
      else {
        for (const b of head.bytes) this.write(b);
        this.recordAll(head.record);
      }
    }
    const next = this.queue[0];
    if (next?.kind === 'held') this.options.breakpoints?.updateQueued(next.id, next.queued);
    this.tryInjections();
  }

  /** Queues a message of the proxy's own; it goes at the next frame boundary (data: outside a fragmented message). */
  inject(message: OutgoingMessage, flags: Flags = { injected: true }): void {
    this.decodePassed();
    this.injections.push({ isData: message.opcode < 8, send: () => this.sendOwn(message.opcode, message.data, flags) });
    this.tryInjections();
  }

  /** Queues hand-crafted bytes; they go at the next frame boundary, exactly as given. */
  injectRaw(bytes: Buffer): void {
    this.decodePassed();
    this.injections.push({
      isData: false,
      send: () => {
        this.write(bytes);
        const time = Date.now();
        for (const frame of parseOwn(bytes, this.sender, Boolean(this.options.deflate))) {
          frame.index = -(++this.injectedCount);
          this.relay.recordFrame(this.direction, frame, time, { injected: true });
        }
      },
    });
    this.tryInjections();
  }

  /**
   * Sends what waits to be injected where the stream allows: not while a chunk is being routed, not
   * inside a frame being passed through, and data not inside a fragmented message. Ahead of anything
   * held: injecting means now.
   */
  private tryInjections(): void {
    if (this.chunk !== null || this.current?.disposition === 'pass') return;
    const midMessage = this.queue.length === 0 && this.outInMessage;
    // Control frames may overtake data that waits for the end of a fragmented message; data keeps its order.
    let dataWaits = false;
    for (let i = 0; i < this.injections.length; ) {
      const next = this.injections[i]!;
      if (next.isData && (dataWaits || midMessage)) {
        dataWaits = true;
        i++;
        continue;
      }
      this.injections.splice(i, 1);
      next.send();
    }
  }

  /** Encodes, writes and records a message of the proxy's own (injected, resent or edited). */
  private sendOwn(opcode: number, data: Buffer, flags: Flags): void {
    const bytes = this.encode(opcode, data);
    this.write(bytes);
    const time = Date.now();
    const [frame] = parseOwn(bytes, this.sender, Boolean(this.options.deflate));
    if (!frame) return;
    frame.index = -(++this.injectedCount);
    this.relay.recordFrame(this.direction, frame, time, flags);
    if (opcode === Opcode.Text || opcode === Opcode.Binary) {
      this.relay.recordMessage(this.direction, {
        opcode, data, truncated: false, compressed: frame.rsv1, size: data.length, frameIndexes: [frame.index], violations: [],
      }, time, flags);
    }
  }

  /** One frame: masked with a fresh key toward the server; data compressed on a permessage-deflate connection. */
  private encode(opcode: number, data: Buffer): Buffer {
    let payload = data;
    let rsv1 = false;
    if ((opcode === Opcode.Text || opcode === Opcode.Binary) && this.options.deflate) {
      this.startReencoding();
      this.deflater ??= new Deflater(deflateForSender(this.options.deflate, this.sender));
      payload = this.deflater.compress(data);
      rsv1 = true;
    }
    return encodeFrameBytes({ opcode, fin: true, rsv1, mask: this.sender === 'client' ? randomBytes(4) : false, payload });
  }

  /**
   * From now on compressed messages are re-compressed by the proxy (see the file's head). Needed only
   * where the receiver keeps its inflate context; without it every message stands alone.
   */
  private startReencoding(): void {
    if (this.reencoding || !this.options.deflate) return;
    if (deflateForSender(this.options.deflate, this.sender).noContextTakeover) return;
    this.reencoding = true;
    this.updateMessageCap();
  }

  /** Breakpoints changed: watch this direction's messages or not. */
  setWatching(on: boolean): void {
    this.decodePassed();
    this.watching = on;
    this.updateMessageCap();
  }

  /** Holding and re-encoding need whole messages; otherwise only what is stored is kept. */
  private updateMessageCap(): void {
    this.decoder.maxMessageSize = this.watching || this.reencoding ? MAX_COLLECTED_MESSAGE : this.options.maxStoredPayload;
  }

  get isReencoding(): boolean {
    return this.reencoding;
  }

  dispose(): void {
    this.deflater?.close();
    this.deflater = null;
  }
}

function frameEnd(frame: Frame): number {
  return frame.offset + frame.headerLength + frame.payloadLength;
}

/** Decodes frames the proxy itself made, to record them exactly as sent. */
function parseOwn(bytes: Buffer, sender: Sender, rsv1Allowed: boolean): Frame[] {
  const frames: Frame[] = [];
  const parser = new FrameParser({ from: sender, rsv1Allowed, maxStoredPayload: Infinity }, { onHeader() {}, onPayload() {}, onFrame: (f) => frames.push(f) });
  parser.push(bytes);
  const cut = parser.end();
  if (cut) frames.push(cut);
  return frames;
}

export class FrameRelay {
  private readonly client: Lane;
  private readonly server: Lane;
  private finished = false;
  /** The side whose TCP connection ended first, for the 1006 record. */
  private firstToDrop: Sender | undefined;

  constructor(
    private readonly session: Session,
    readonly connection: ConnectionRecord,
    clientSocket: Duplex,
    serverSocket: Duplex,
    private readonly options: RelayOptions,
  ) {
    this.client = new Lane(this, 'client', clientSocket, serverSocket, options);
    this.server = new Lane(this, 'server', serverSocket, clientSocket, options);
    this.refreshBreakpoints();
  }

  /**
   * Starts relaying. clientHead and serverHead are bytes that arrived after each handshake head
   * (the first frames, when a peer did not wait): they go through the same path as later bytes.
   */
  start(clientHead: Buffer, serverHead: Buffer): void {
    this.pipe(this.client, this.server);
    this.pipe(this.server, this.client);
    if (serverHead.length > 0) this.server.onData(serverHead);
    if (clientHead.length > 0) this.client.onData(clientHead);
    if (this.options.holdForStore?.()) {
      this.holdForStore(true);
      return;
    }
    this.client.source.resume();
    this.server.source.resume();
  }

  /** Injects a message toward the server ('send') or the client ('receive'). */
  inject(direction: Direction, message: OutgoingMessage, flags?: { injected?: boolean; edited?: boolean }): void {
    this.assertOpen();
    this.lane(direction).inject(message, flags);
  }

  /** Sends hand-crafted frame bytes as they are, at the next frame boundary. */
  injectRaw(direction: Direction, bytes: Buffer): void {
    this.assertOpen();
    this.lane(direction).injectRaw(bytes);
  }

  /** Closes cleanly (a close frame toward the chosen sides) or abruptly (TCP reset both ways). */
  close(mode: 'clean' | 'abrupt', toward: 'client' | 'server' | 'both', code?: number, reason?: string): void {
    this.assertOpen();
    if (mode === 'abrupt') {
      resetOrDestroy(this.client.source);
      resetOrDestroy(this.server.source);
      return;
    }
    const payload = encodeClosePayload(code, reason);
    if (toward !== 'client') this.client.inject({ opcode: Opcode.Close, data: payload });
    if (toward !== 'server') this.server.inject({ opcode: Opcode.Close, data: payload });
  }

  /** Holds both senders while the capture store catches up (or lets them go on). */
  holdForStore(hold: boolean): void {
    for (const lane of [this.client, this.server]) {
      if (hold) lane.pause('store');
      else lane.resume('store');
    }
  }

  /** Whether a direction has switched to re-encoding (for tests and the UI). */
  isReencoding(direction: Direction): boolean {
    return this.lane(direction).isReencoding;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  recordFrame(direction: Direction, frame: Frame, time: number, flags: Pick<CapturedFrame, 'dropped' | 'edited' | 'injected'>): void {
    const c = this.connection;
    if (frame.opcode === Opcode.Close && !c.close && !flags.dropped) {
      c.close = { code: frame.closeCode ?? 1005, reason: frame.closeReason ?? '', closedBy: direction === 'send' ? 'client' : 'server' };
      c.state = 'closing';
      this.session.updated(c);
    }
    const payload = frame.payload.length > this.options.maxStoredPayload ? frame.payload.subarray(0, this.options.maxStoredPayload) : frame.payload;
    const stored = payload === frame.payload ? frame : { ...frame, payload, truncated: true };
    this.session.addFrame(c, { direction, time, frame: stored, ...flags });
  }

  recordMessage(direction: Direction, message: Message, time: number, flags: { dropped?: boolean; edited?: boolean; injected?: boolean } = {}): void {
    const cap = this.options.maxStoredPayload;
    const stored = message.data.length > cap ? { ...message, data: message.data.subarray(0, cap), truncated: true } : message;
    this.session.addMessage(this.connection, { direction, time, message: stored, ...flags });
  }

  error(message: string): void {
    this.session.recordError(message, this.connection.id);
  }

  private lane(direction: Direction): Lane {
    return direction === 'send' ? this.client : this.server;
  }

  private assertOpen(): void {
    if (this.finished) throw new Error(`connection ${this.connection.id} is closed`);
  }

  /** Re-checks whether breakpoints watch each direction (the proxy calls it when the rules change). */
  refreshBreakpoints(): void {
    const b = this.options.breakpoints;
    this.client.setWatching(Boolean(b?.watches(this.connection.url, 'send')));
    this.server.setWatching(Boolean(b?.watches(this.connection.url, 'receive')));
  }

  private pipe(from: Lane, to: Lane): void {
    const socket = from.source;
    socket.on('data', (chunk: Buffer) => from.onData(chunk));
    socket.on('end', () => {
      from.ended = true;
      this.firstToDrop ??= from.sender;
      from.end();
      // Half-close travels on: the other peer learns that this one will send no more.
      if (!to.closed) to.source.end();
    });
    socket.on('error', () => {
      // A reset or other failure: the other peer gets the same abrupt end.
      this.firstToDrop ??= from.sender;
      if (!to.closed) resetOrDestroy(to.source);
    });
    socket.on('close', () => {
      from.closed = true;
      this.firstToDrop ??= from.sender;
      if (!from.ended) {
        from.ended = true;
        from.end();
      }
      if (!to.closed) {
        // Let whatever is queued drain, then close; a peer that never reads is not waited on forever.
        to.source.end();
        const timer = setTimeout(() => to.source.destroy(), 5_000);
        timer.unref();
      }
      if (this.client.closed && this.server.closed) this.finish();
    });
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.options.breakpoints?.forgetConnection(this.connection.id);
    this.client.dispose();
    this.server.dispose();
    const c = this.connection;
    c.close ??= { code: 1006, reason: '', closedBy: this.firstToDrop ?? 'server' };
    c.state = 'closed';
    c.endedAt = Date.now();
    this.session.closed(c);
  }
}

function resetOrDestroy(socket: Duplex): void {
  const s = socket as Partial<Socket> & Duplex;
  if (typeof s.resetAndDestroy === 'function' && !s.destroyed) s.resetAndDestroy();
  else socket.destroy();
}
