// One direction of a connection, from the sender's socket to the receiver's: routes each frame's bytes
// as they arrive. A frame passes through (cut-through) unless the lane must gather its message whole:
// a rule watches the direction, something is held ahead of it, or the direction is re-encoded.
// Deciding (the rule stage), holding, injecting, the proxy's own frames, writing and recording are
// the parts it hands off to.
import type { Duplex } from 'node:stream';
import { StreamDecoder } from '../../protocol/stream-decoder.js';
import { Opcode, type Frame, type FrameHeader, type Message, type Sender } from '../../protocol/frame.js';
import type { Direction } from '../../capture/capture-model.js';
import { HeldQueue, type HeldOut } from './held-queue.js';
import { InjectionQueue } from './injection-queue.js';
import { LaneOutput, type PauseReason } from './lane-output.js';
import { OwnEncoder } from './own-encoder.js';
import { OwnSender, type ReceiverCloses } from './own-sender.js';
import { PassedChunks } from './passed-chunks.js';
import type { RelayRecorder } from './relay-recorder.js';
import type { RuleStage } from './rule-stage.js';
import {
  MAX_COLLECTED_MESSAGE, asDropped, collectionRecords, sentAt, withRule,
  type Collection, type MessageOutcome, type OutgoingMessage, type Rec, type RelayFlags, type RelayOptions,
} from './relay-types.js';

/**
 * pass: on to the receiver as it comes; collect: gathered whole first; discard: the receiver must not
 * get it; check: a one-frame message wholly in the chunk, in the pass-through run until the rules have
 * seen it, and taken out of it (held) when one acts.
 */
type Disposition = 'pass' | 'collect' | 'discard' | 'check';

/** A one-frame message in the run, waiting for the rules: where its bytes lie in the chunk, and its frame once done. */
interface Checked {
  start: number;
  end: number;
  timed?: { frame: Frame; time: number };
}

/** Events of one decoder.push(), handled in order once the push returns; a frame's or message's is its record once timed. */
type FrameEvent = { kind: 'frame'; frame: Frame; time: number };
type MessageEvent = { kind: 'message'; message: Message; time: number };
type DecodeEvent = { kind: 'header'; header: FrameHeader; offset: number } | FrameEvent | MessageEvent;

/** A frame passed through as it came (one object for every such frame: nothing changes it). */
const PASSING: { disposition: Disposition } = { disposition: 'pass' };
const CHECKING: { disposition: Disposition } = { disposition: 'check' };

export class RelayLane {
  readonly direction: Direction;
  readonly decoder: StreamDecoder;
  ended = false;
  /** Rules may act on this direction's messages. */
  private watching = false;
  /** Stream offset of the next chunk's first byte. */
  private base = 0;
  /** What the decoder reported during the current push; empty between pushes. */
  private readonly events: DecodeEvent[] = [];
  /** The frame whose bytes are being routed, once its header is complete. */
  private current: { disposition: Disposition } | null = null;
  /** Bytes of a frame whose header is not complete yet. */
  private partial: Buffer[] = [];
  private collection: Collection | null = null;
  private checked: Checked | null = null;
  /** The one Checked object, reused: at most one message waits for the rules at a time. */
  private readonly checkSlot: Checked = { start: 0, end: 0 };
  /** When the chunk being examined was decoded. */
  private chunkTime = 0;
  /** The rest of an over-large message streams through. */
  private passRestOfMessage = false;
  /** What waits behind a held message, in order. Empty: bytes go straight to dest. */
  private readonly queue: HeldQueue;
  private readonly injections = new InjectionQueue();
  /** The bytes written so far end inside a fragmented data message. */
  private outInMessage = false;
  /** The chunk being routed; its pass-through bytes not yet written are chunk.subarray(runStart, runEnd). */
  private chunk: Buffer | null = null;
  private runStart = 0;
  private runEnd = 0;
  // The pending run's records, in a list made with its first record: one made ahead would age into the
  // old generation while the lane waits, then keep all it was given alive through scavenges even once
  // dropped (every record promoted: 600 MB in 5 s at 64 B with a rule watching, against 20-50 MB).
  private runRecords: Rec[] | null = null;
  private readonly own: OwnEncoder;
  private readonly output: LaneOutput;
  /** The proxy's own frames, and what the receiver has had of closes. */
  private readonly ownSender: OwnSender;
  private readonly closes: ReceiverCloses;
  /** The last frame was discarded (its message, if it completes one, is recorded as dropped). */
  private lastFrameDiscarded = false;
  /** When the last whole frame was done: its message, done right after it, carries the same time. */
  private lastFrameTime = 0;
  /** The rules that shape this direction (latency, throttle), for marks. */
  private shapedBy: string | undefined;

  constructor(
    private readonly recorder: RelayRecorder,
    readonly sender: Sender,
    readonly source: Duplex,
    dest: Duplex,
    private readonly options: RelayOptions,
    private readonly stage?: RuleStage,
  ) {
    this.direction = sender === 'client' ? 'send' : 'receive';
    this.output = new LaneOutput(source, dest);
    this.own = new OwnEncoder(sender, options.deflate);
    this.ownSender = new OwnSender(this.direction, this.receiver, this.own, this.output, recorder, () => this.shapedBy);
    this.closes = this.ownSender.closes;
    this.own.onReencodingStart = () => this.updateMessageCap();
    this.queue = new HeldQueue(
      {
        // What leaves the queue waited: recorded at its wire time, with its arrival beside it.
        release: (c, flags) => this.release(c, Date.now(), flags),
        sendOwn: (opcode, data, flags, arrivedAt) => this.ownSender.send(opcode, data, flags, arrivedAt),
        writeAndRecord: (bytes, records) => this.writeAndRecord(bytes, sentAt(records, Date.now())),
      },
    );
    this.decoder = new StreamDecoder(
      { from: sender, deflate: options.deflate, maxStoredPayload: options.maxStoredPayload, maxMessageSize: options.maxStoredPayload, wirePayloads: true },
      {
        onHeader: (header, _index, offset) => this.events.push({ kind: 'header', header, offset }),
        onFrame: (frame) => this.events.push({ kind: 'frame', frame, time: 0 }),
        onMessage: (message) => this.events.push({ kind: 'message', message, time: 0 }),
      },
    );
  }

  /** The sender's socket is closed: nothing more is written. */
  get closed(): boolean {
    return this.output.closed;
  }

  set closed(on: boolean) {
    this.output.closed = on;
  }

  // ---- Receiving ------------------------------------------------------------------------------

  onData(chunk: Buffer): void {
    if (this.passesEverything) {
      this.passThrough(chunk);
      return;
    }
    this.output.together(() => this.examine(chunk));
  }

  /** A chunk whose bytes may change, be held or gathered: decoded first, then routed frame by frame. */
  private examine(chunk: Buffer): void {
    this.decodePassed();
    this.decoder.push(chunk);
    this.chunk = chunk;
    // The frames this chunk completes are done now: one clock read for all of them.
    this.chunkTime = Date.now();
    this.runStart = this.runEnd = 0;
    let pos = 0;
    // Taken out of the list, which then holds nothing: a lane that waits must not keep a chunk's frames alive.
    for (const event of this.events.splice(0)) {
      if (event.kind === 'header') {
        // A frame begun on the fast path keeps passing.
        if (!this.current) {
          const start = event.offset - this.base;
          const whole = start >= 0 && this.partial.length === 0 && start + event.header.headerLength + event.header.payloadLength <= chunk.length;
          const disposition = this.decide(event.header, whole);
          // Only a gathered frame's disposition changes (abandonCollection): the others are shared.
          this.current = disposition === 'pass' ? PASSING : disposition === 'check' ? CHECKING : { disposition };
        }
        if (this.partial.length > 0) for (const bytes of this.partial.splice(0)) this.routeBuffer(bytes);
        pos = Math.max(pos, event.offset - this.base);
      } else if (event.kind === 'frame') {
        const end = Math.min(chunk.length, frameEnd(event.frame) - this.base);
        if (end > pos) this.routeChunk(pos, end);
        pos = Math.max(pos, end);
        this.frameDone(event);
      } else {
        this.messageDone(event);
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
    return !this.watching && !this.own.isReencoding && this.queue.length === 0 && this.collection === null && this.injections.length === 0 && this.partial.length === 0 && !this.closed
      && this.closes.passAll;
  }

  /**
   * The chunk goes on at once; decoding and recording wait until the event loop has handled the I/O
   * that is ready (PassedChunks), so that recording never delays the bytes of the next message (a
   * reply, often). Anything that needs the decoder's state first catches up (decodePassed).
   */
  private passThrough(chunk: Buffer): void {
    this.output.write(chunk);
    this.passed.push(chunk);
  }

  private readonly passed = new PassedChunks(() => this.decodePassed());

  /** Decodes and records the chunks that went on unexamined, in order. */
  private decodePassed(): void {
    if (this.passed.length === 0) return;
    const { chunks, times } = this.passed.take();
    // A message carries the time of its final frame, which the decoder reports just before it.
    let frameTime = 0;
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i]!;
      const records: Rec[] = []; // recorded chunk by chunk: a frame's objects die young, not promoted by a scavenge
      this.decoder.push(chunk);
      for (const event of this.events.splice(0)) {
        if (event.kind === 'header') {
          this.current = PASSING;
        } else if (event.kind === 'frame') {
          const frame = event.frame;
          this.current = null;
          event.time = frameTime = times[i]!;
          records.push(event);
          if (isDataOpcode(frame.opcode)) this.outInMessage = !frame.fin;
          if (frame.opcode === Opcode.Continuation && frame.fin) this.passRestOfMessage = false;
        } else {
          event.time = frameTime || times[i]!;
          records.push(event);
        }
      }
      // A frame whose header is still incomplete: its first bytes are already on their way, so the
      // rest of it must pass too, whatever the next chunk's path.
      if (this.current === null && !this.decoder.atFrameBoundary) this.current = PASSING;
      this.base += chunk.length;
      this.recordAll(records);
    }
  }

  /** The source ended: a cut-off frame and whatever is gathered go on as they are. */
  end(): void {
    this.decodePassed();
    this.decoder.end();
    if (this.partial.length > 0) this.writeOrQueue(this.partial.splice(0), []);
    for (const event of this.events.splice(0)) {
      if (event.kind === 'frame') this.frameDone(event);
      else if (event.kind === 'message') this.messageDone(event);
    }
    if (this.collection) this.abandonCollection();
    this.flushRun();
  }

  /** Where a frame's bytes go, decided once its header is complete. */
  private decide(header: FrameHeader, wholeInChunk = false): Disposition {
    if (this.collection) return 'collect';
    if (this.closes.discards(header.opcode)) return 'discard';
    const isData = header.opcode === Opcode.Text || header.opcode === Opcode.Binary;
    if (this.passRestOfMessage) {
      if (header.opcode === Opcode.Continuation || !isData) {
        if (header.opcode === Opcode.Continuation && header.fin) this.passRestOfMessage = false;
        return 'pass';
      }
      this.passRestOfMessage = false;
    }
    const reencoded = this.own.isReencoding && header.rsv1;
    // Most messages are one frame within one chunk: they stay in the run, and only leave it if a rule acts.
    if (isData && wholeInChunk && header.fin && this.watching && this.queue.length === 0 && !reencoded) return 'check';
    if (isData && (this.watching || this.queue.length > 0 || reencoded)) {
      this.collection = { frames: [], size: 0 };
      return 'collect';
    }
    return 'pass';
  }

  private routeChunk(start: number, end: number): void {
    // Discarded bytes are left out of the run: the pass-through bytes around them leave in separate writes.
    if (this.current!.disposition === 'discard') return;
    if (this.current!.disposition === 'collect') {
      const c = this.collection!;
      if (c.inChunk === undefined) c.inChunk = { start, end };
      else if (c.inChunk && c.inChunk.end === start) c.inChunk.end = end;
      else c.inChunk = null;
      this.collect(this.chunk!.subarray(start, end));
      return;
    }
    if (this.current!.disposition === 'check') {
      this.checked = this.checkSlot;
      this.checked.start = start;
      this.checked.end = end;
      this.checked.timed = undefined;
    }
    // Consecutive pass-through bytes leave in one write.
    if (this.runEnd !== start) {
      this.flushRun();
      this.runStart = start;
    }
    this.runEnd = end;
  }

  private routeBuffer(bytes: Buffer): void {
    if (this.current!.disposition === 'discard') return;
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
    if (this.own.isReencoding) this.recorder.error(`a ${this.direction} message over ${MAX_COLLECTED_MESSAGE} bytes could not be re-encoded and went on as it came`);
    this.writeOrQueue(c.frames.flatMap((f) => f.bytes), collectionRecords(c));
  }

  /** A frame is whole; its decode event, timed, is its record (no object is made for it here). */
  private frameDone(timed: FrameEvent): void {
    const frame = timed.frame;
    timed.time = this.chunk ? this.chunkTime : Date.now();
    this.lastFrameTime = timed.time;
    const current = this.current;
    this.current = null;
    this.lastFrameDiscarded = current?.disposition === 'discard';
    if (this.lastFrameDiscarded) {
      this.addRunRecord({ kind: 'frame', frame, time: timed.time, flags: { dropped: true } });
      return;
    }
    if (current?.disposition === 'collect' && this.collection) {
      const c = this.collection;
      if (c.frames.length === 0 || c.frames[c.frames.length - 1]!.done) c.frames.push({ bytes: [] });
      c.frames[c.frames.length - 1]!.done = timed;
      // A message gathered behind a held one waits too: its frames count as queued.
      this.queue.noteQueuedFrame(frame.opcode, frame.payloadLength);
      return;
    }
    if (current?.disposition === 'check' && this.checked) this.checked.timed = timed;
    // Recorded once its bytes are written (or queued behind a held message).
    this.addRunRecord(timed);
    this.queue.noteQueuedFrame(frame.opcode, frame.payloadLength);
    if (isDataOpcode(frame.opcode)) this.outInMessage = !frame.fin;
  }

  private messageDone(event: MessageEvent): void {
    const message = event.message;
    const checked = this.checked;
    if (checked?.timed) {
      this.checked = null;
      this.messageChecked(event, checked as Required<Checked>);
      return;
    }
    const c = this.collection;
    if (!c || this.current) {
      // The message carries the time of its final frame, done just before it.
      this.addRunRecord({ kind: 'message', message, time: this.lastFrameTime, ...(this.lastFrameDiscarded ? { flags: { dropped: true } } : {}) });
      return;
    }
    this.collection = null;
    c.message = message;
    // The message carries the time of its final frame, done just before it.
    c.messageTime = this.lastFrameTime;
    const decided = this.watching && !message.truncated ? this.stage?.decide(this.direction, message, c.messageTime) : undefined;
    if (decided) {
      this.flushRun();
      const item = this.queue.appendHeld(c, decided.onQueued);
      void decided.outcome.then((o) => this.resolveHeld(item, o));
    } else if (this.queue.length > 0) {
      this.flushRun();
      this.queue.appendCollection(c);
    } else {
      this.release(c);
    }
  }

  /** The rules see a one-frame message of the run: it goes on in the run, or is taken out of it and held. */
  private messageChecked(event: MessageEvent, checked: Required<Checked>): void {
    const message = event.message;
    const decided = message.truncated ? undefined : this.stage?.decide(this.direction, message, checked.timed.time);
    if (!decided) {
      // Its decode event, timed like its frame, is its record.
      event.time = checked.timed.time;
      this.addRunRecord(event);
      return;
    }
    // Its frame's record is the last of the run: the run ends before its bytes, which are held.
    this.runRecords?.pop();
    this.runEnd = checked.start;
    this.flushRun();
    this.runStart = this.runEnd = checked.end;
    const c: Collection = {
      frames: [{ bytes: [this.chunk!.subarray(checked.start, checked.end)], done: checked.timed }],
      size: checked.end - checked.start, message, messageTime: checked.timed.time, inChunk: null,
    };
    const item = this.queue.appendHeld(c, decided.onQueued);
    void decided.outcome.then((o) => this.resolveHeld(item, o));
  }

  // ---- Sending --------------------------------------------------------------------------------

  /** Writes the pending pass-through bytes of the current chunk and records what they carried. */
  private flushRun(): void {
    const bytes = this.chunk && this.runEnd > this.runStart ? [this.chunk.subarray(this.runStart, this.runEnd)] : [];
    const records = this.runRecords ?? [];
    this.runRecords = null;
    this.runStart = this.runEnd;
    if (bytes.length > 0 || records.length > 0) this.emitOrQueue(bytes, records);
  }

  private addRunRecord(record: Rec): void {
    (this.runRecords ??= []).push(record);
  }

  /** Writes bytes after whatever the current chunk has pending, or queues them behind a held message. */
  private writeOrQueue(bytes: Buffer[], records: Rec[]): void {
    this.flushRun();
    this.emitOrQueue(bytes, records);
  }

  private emitOrQueue(bytes: Buffer[], records: Rec[]): void {
    if (this.queue.length > 0) {
      this.queue.appendBytes(bytes, records);
      return;
    }
    this.writeAndRecord(bytes, records);
  }

  /** Writes a peer's bytes and records what they carried; after the proxy's own close, only records them as dropped. */
  private writeAndRecord(bytes: Buffer[], records: Rec[]): void {
    if (this.closes.own) {
      this.recordAll(asDropped(records));
      return;
    }
    for (const b of bytes) this.output.write(b);
    this.recordAll(records);
  }

  pause(reason: PauseReason): void {
    this.output.pause(reason);
  }

  /** Resumes the sender once nothing else holds it back. */
  resume(reason: PauseReason): void {
    this.output.resume(reason);
  }

  private recordAll(records: Rec[]): void {
    for (const r of records) if (r.kind === 'frame' && r.frame.opcode === Opcode.Close && !r.flags?.dropped) this.closes.sent = true;
    const marked = this.shapedBy ? records.map((r) => ({ ...r, flags: withRule(r.flags, this.shapedBy!) })) : records;
    if (!this.output.shaped) {
      this.recorder.recordAll(this.direction, marked);
      return;
    }
    // Shaped bytes are recorded when they leave the shaper, at their wire time, with their arrival beside it.
    this.output.afterWritten((written) => this.recorder.recordAll(this.direction, written ? sentAt(marked, Date.now()) : asDropped(marked)));
  }

  /** Rules' latency and rate for this direction; what goes through the shaper is marked with the rules' names. */
  setShape(latencyMs: number, bytesPerSecond: number, rules: string[]): void {
    this.decodePassed();
    this.output.shape(latencyMs, bytesPerSecond);
    this.shapedBy = rules.length > 0 ? rules.join(', ') : undefined;
  }

  /** The sender will send no more: the receiver's socket ends once what is on its way has gone. */
  endOutput(): void {
    this.output.end();
  }

  /**
   * Sends a gathered message on: as it came, or compressed again when this direction is re-encoded.
   * wireTime: it waited in the queue and leaves now.
   */
  private release(c: Collection, wireTime?: number, flags?: RelayFlags): void {
    const message = c.message!;
    const records = (): Rec[] => (wireTime === undefined ? collectionRecords(c, flags) : sentAt(collectionRecords(c, flags), wireTime));
    if (this.closes.own) {
      this.recordAll(asDropped(records()));
      return;
    }
    const reencode = this.own.isReencoding && message.compressed && !message.truncated;
    if (!reencode && this.chunk !== null && c.inChunk && c.inChunk.start === this.runEnd) {
      // Its bytes follow the pending run in the same chunk: they leave in the same write.
      this.runEnd = c.inChunk.end;
      for (const r of records()) this.addRunRecord(r);
      return;
    }
    this.flushRun();
    if (reencode) {
      // Control frames that came between the fragments go first, then the message in one frame.
      for (const f of c.frames) if (f.done && f.done.frame.opcode >= 8) for (const b of f.bytes) this.output.write(b);
      this.output.write(this.own.encode(message.opcode, message.data));
    } else {
      for (const f of c.frames) for (const b of f.bytes) this.output.write(b);
    }
    this.recordAll(records());
  }

  private resolveHeld(item: HeldOut, outcome: MessageOutcome): void {
    if (this.closed) return;
    // The receiver never sees the original: a compressed direction must be re-encoded from here.
    const applied = this.queue.resolve(item, outcome, (c) => {
      if (c.message!.compressed) this.own.startReencoding();
    });
    if (applied) this.drain();
  }

  /** Writes queued items until the next held message. */
  private drain(): void {
    this.queue.drain();
    this.tryInjections();
  }

  /** Queues a message of the proxy's own; it goes at the next frame boundary (data: outside a fragmented message). */
  inject(message: OutgoingMessage, flags: RelayFlags = { injected: true }): void {
    this.decodePassed();
    this.injections.push(message.opcode < 8, () => this.ownSender.send(message.opcode, message.data, flags));
    this.tryInjections();
  }

  /** Queues hand-crafted bytes; they go at the next frame boundary, exactly as given. */
  injectRaw(bytes: Buffer): void {
    this.decodePassed();
    this.injections.push(false, () => this.ownSender.sendRaw(bytes));
    this.tryInjections();
  }

  /**
   * Sends what waits to be injected where the stream allows: not while a chunk is being routed, not
   * inside a frame being passed through, and data not inside a fragmented message. Ahead of anything
   * held: injecting means now.
   */
  private tryInjections(): void {
    if (this.chunk !== null || this.current?.disposition === 'pass') return;
    this.injections.sendReady(this.queue.length === 0 && this.outInMessage);
  }

  /** The peer this lane writes to. */
  get receiver(): Sender {
    return this.sender === 'client' ? 'server' : 'client';
  }

  /** Whether the receiver has had a close frame already (nothing of the proxy's own may follow it). */
  get receiverHasClose(): boolean {
    this.decodePassed();
    return this.closes.sent;
  }

  /** The proxy closes toward a peer: from now on no receiver gets a second close frame. */
  dropSecondCloses(): void {
    this.decodePassed();
    this.closes.dropSecond = true;
  }

  /** Rules changed: watch this direction's messages or not. */
  setWatching(on: boolean): void {
    this.decodePassed();
    this.watching = on;
    this.updateMessageCap();
  }

  /** Holding needs whole messages; re-encoding, unmasked ones. Rules read one-frame messages as they came. */
  private updateMessageCap(): void {
    this.decoder.wirePayloads = !this.own.isReencoding;
    this.decoder.maxMessageSize = this.watching || this.own.isReencoding ? MAX_COLLECTED_MESSAGE : this.options.maxStoredPayload;
  }

  get isReencoding(): boolean {
    return this.own.isReencoding;
  }

  dispose(): void {
    this.own.dispose();
    this.output.dispose();
  }
}

function isDataOpcode(opcode: number): boolean {
  return opcode === Opcode.Text || opcode === Opcode.Binary || opcode === Opcode.Continuation;
}

function frameEnd(frame: Frame): number {
  return frame.offset + frame.headerLength + frame.payloadLength;
}
