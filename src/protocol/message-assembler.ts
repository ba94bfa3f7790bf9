// Turns one direction's frames into messages (RFC 6455 §5.4 fragmentation, RFC 7692 decompression) and
// finds the violations that only the sequence of frames shows. It streams: payload goes to the inflater
// and the UTF-8 validator as it arrives, and only the first maxMessageSize bytes of a message are kept.
import { Opcode } from './frame.js';
import type { Frame, FrameHeader, FrameSink, Message, Sender } from './frame.js';
import { Inflater } from './inflater.js';
import type { InflateStatus } from './inflater.js';
import { deflateForSender } from './permessage-deflate.js';
import type { DeflateParams } from './permessage-deflate.js';
import { Utf8Validator } from './utf8-validator.js';
import type { ViolationCode } from './violations.js';

export const DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

const EMPTY = Buffer.alloc(0);
const NO_CHUNKS: Buffer[] = Object.freeze([]) as unknown as Buffer[];

/** Violations about a message's content: recorded on the message, and on the frame where they were found. */
/** Violations that concern a message as a whole (also listed on the frame where they were found). */
export const MESSAGE_VIOLATIONS: ReadonlySet<ViolationCode> = new Set<ViolationCode>(['invalid-utf8', 'inflate-failed', 'inflated-too-large', 'message-too-large']);

export interface MessageAssemblerOptions {
  /** Who sends this direction's frames. */
  from: Sender;
  /** The negotiated permessage-deflate parameters, or null/absent when it was not negotiated. */
  deflate?: DeflateParams | null;
  /** Bytes of a message's data that are kept (the size still counts all). Default 16 MiB. */
  maxMessageSize?: number;
  /** Bytes one compressed message may inflate to before decoding stops. Default 64 MiB. */
  maxInflatedSize?: number;
  /**
   * The payload bytes the frame parser keeps per frame. A one-frame uncompressed message no longer
   * than that shares its frame's stored payload instead of keeping a copy. Default 0: always copy.
   */
  framePayloadCap?: number;
}

export interface MessageHandler {
  /** Every frame, in wire order, with the sequence violations added. */
  onFrame(frame: Frame): void;
  /** Every data message: right after the onFrame of its final frame, or when it was cut short. */
  onMessage(message: Message): void;
}

/** The data message being assembled. */
interface PendingMessage {
  /** The message as it will be emitted; data is filled in at the end. */
  message: Message;
  /** The kept parts of the data. */
  chunks: Buffer[];
  /** A one-frame message's data: its frame's kept payload (empty while the frame keeps wire bytes). */
  shared: Buffer | null;
  /** Bytes in chunks. */
  stored: number;
  /** The text validator; null for binary messages. */
  utf8: Utf8Validator | null;
  /** A one-frame uncompressed message: its data will be its frame's stored payload, so no copy is kept. */
  sharesFramePayload: boolean;
}

export class MessageAssembler implements FrameSink {
  /** Bytes of a message's data that are kept; a relay that holds or re-encodes whole messages raises it. */
  maxMessageSize: number;
  private readonly inflater: Inflater | null;
  private readonly framePayloadCap: number;
  private readonly utf8 = new Utf8Validator();
  /** The data message in progress, if any. */
  private pending: PendingMessage | null = null;
  /** The message that the current frame's payload belongs to (null for control frames and strays). */
  private target: PendingMessage | null = null;
  /** Violations found in the current frame, added to it before it is passed on. */
  private readonly frameViolations: ViolationCode[] = [];
  /** This direction sent its close frame. */
  private closed = false;
  /** onHeader announced the current frame (false for a frame whose header the stream cut short). */
  private headerSeen = false;
  /** The current frame's length field, and whether its bytes skip onPayload (see wantsPayload). */
  private frameLength = 0;
  private payloadSkipped = false;

  constructor(options: MessageAssemblerOptions, private readonly handler: MessageHandler) {
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.framePayloadCap = options.framePayloadCap ?? 0;
    this.inflater = options.deflate
      ? new Inflater({ ...deflateForSender(options.deflate, options.from), maxInflatedSize: options.maxInflatedSize })
      : null;
  }

  /** True while a fragmented message is unfinished: a new data message may not start yet (RFC 6455 §5.4). */
  get inMessage(): boolean {
    return this.pending !== null;
  }

  onHeader(header: FrameHeader, index: number): void {
    this.frameViolations.length = 0;
    this.target = null;
    this.headerSeen = true;
    this.frameLength = header.payloadLength;
    this.payloadSkipped = false;
    // RFC 6455 §5.5.1: after its close frame, a peer sends nothing more.
    if (this.closed) this.flag('frame-after-close');
    switch (header.opcode) {
      case Opcode.Continuation:
        if (this.pending) {
          this.target = this.pending;
          this.pending.message.frameIndexes.push(index);
        } else {
          this.flag('unexpected-continuation');
        }
        break;
      case Opcode.Text:
      case Opcode.Binary:
        if (this.pending) {
          this.flag('interleaved-data-frame');
          this.abandon();
        }
        this.pending = this.target = this.start(header, index);
        break;
      case Opcode.Close:
        this.closed = true;
        // A close frame ends the connection: a fragmented message in progress can never be finished.
        if (this.pending) {
          this.flag('unfinished-message');
          this.abandon();
        }
        break;
      default:
        // Ping, pong and reserved opcodes: control frames may come between fragments (RFC 6455 §5.4).
        break;
    }
  }

  /**
   * Whether this frame's bytes must come through onPayload: not for a one-frame uncompressed binary
   * message that fits (its data is its frame's kept payload), nor for a frame of no message.
   * `anyway`: the bytes come through onPayload whatever the answer (someone else reads them).
   */
  wantsPayload(anyway = false): boolean {
    const target = this.target;
    const wants = target !== null
      && (target.utf8 !== null || target.message.compressed || !target.sharesFramePayload || this.frameLength > this.maxMessageSize - target.stored);
    this.payloadSkipped = target !== null && !wants && !anyway;
    return wants || anyway;
  }

  onPayload(chunk: Buffer): void {
    const target = this.target;
    if (!target) return;
    if (!target.message.compressed) {
      this.accept(target, chunk);
      return;
    }
    this.checkInflate(this.inflater!.write(chunk, (piece) => this.accept(target, piece)));
  }

  onFrame(frame: Frame): void {
    const target = this.target;
    const complete = target !== null && frame.fin;
    if (this.payloadSkipped) this.countSkipped(target!, frame.wire?.length ?? frame.payload.length);
    if (target?.sharesFramePayload) this.share(target, frame);
    if (complete) this.finish(target);
    this.passOn(frame);
    if (complete) {
      this.pending = null;
      this.handler.onMessage(this.seal(target));
    }
  }

  /**
   * The stream ended. `lastFrame` is the parser's truncated last frame, if any (its header and payload
   * came through onHeader and onPayload): it is passed on, never treated as the end of a message. A message
   * still unfinished is emitted with 'unfinished-message' (RFC 6455 §5.4).
   */
  end(lastFrame?: Frame | null): void {
    if (lastFrame) {
      // A cut-off one-frame message still takes what its frame kept.
      if (this.payloadSkipped && this.target) this.countSkipped(this.target, lastFrame.payload.length);
      if (this.target?.sharesFramePayload) this.share(this.target, lastFrame);
      // A header cut short never reached onHeader.
      if (!this.headerSeen && this.closed) this.flag('frame-after-close');
      this.passOn(lastFrame);
    }
    if (this.pending) this.abandon();
    this.inflater?.close();
  }

  private start(header: FrameHeader, index: number): PendingMessage {
    // RFC 7692 §6: RSV1 on the first frame marks the message compressed (when the extension is on).
    const compressed = header.rsv1 && this.inflater !== null;
    const text = header.opcode === Opcode.Text;
    if (text) this.utf8.reset();
    const sharesFramePayload = header.fin && !compressed && header.payloadLength <= this.framePayloadCap;
    return {
      message: {
        opcode: header.opcode,
        data: EMPTY,
        truncated: false,
        compressed,
        size: 0,
        frameIndexes: [index],
        violations: [],
      },
      // A message that shares its frame's payload keeps no chunks: one empty list serves them all.
      chunks: sharesFramePayload ? NO_CHUNKS : [],
      shared: null,
      stored: 0,
      utf8: text ? this.utf8 : null,
      sharesFramePayload,
    };
  }

  /** Takes in application data (decompressed when compressed): counted, validated, kept up to the cap. */
  private accept(target: PendingMessage, data: Buffer): void {
    const message = target.message;
    message.size += data.length;
    const room = this.maxMessageSize - target.stored;
    if (data.length > room && !message.truncated) {
      message.truncated = true;
      this.flag('message-too-large');
    }
    const kept = Math.min(room, data.length);
    if (kept > 0) {
      // A copy: chunks from the parser and the inflater are only valid during the call. A message that
      // is its frame's whole stored payload takes that payload at the end instead.
      if (!target.sharesFramePayload) target.chunks.push(Buffer.from(data.subarray(0, kept)));
      target.stored += kept;
    }
    if (target.utf8 && !target.utf8.push(data)) this.flag('invalid-utf8');
  }

  /** Bytes that skipped onPayload: they count as accepted (wantsPayload made sure they fit). */
  private countSkipped(target: PendingMessage, bytes: number): void {
    target.message.size += bytes;
    target.stored += bytes;
  }

  /** A one-frame message takes its frame's kept payload as its data: the same buffer, or the same wire bytes. */
  private share(target: PendingMessage, frame: Frame): void {
    if (frame.wire) {
      target.message.wire = frame.wire;
      target.shared = EMPTY;
    } else {
      target.shared = sharedPayload(frame.payload, target.stored);
    }
  }

  /** The final frame arrived: the inflater takes the tail and the text must end on a code point. */
  private finish(target: PendingMessage): void {
    let whole = true;
    if (target.message.compressed) {
      const status = this.inflater!.endMessage((piece) => this.accept(target, piece));
      this.checkInflate(status);
      whole = status === 'ok';
    }
    // RFC 6455 §8.1: a code point may not be split across messages. Skipped when decoding stopped early.
    if (whole && target.utf8 && !target.utf8.end()) this.flag('invalid-utf8');
  }

  /** Ends the message in progress without its final frame and emits it. */
  private abandon(): void {
    const target = this.pending!;
    this.pending = null;
    if (target.message.compressed) this.inflater!.abortMessage();
    addOnce(target.message.violations, 'unfinished-message');
    this.handler.onMessage(this.seal(target));
  }

  private checkInflate(status: InflateStatus): void {
    if (status === 'failed') this.flag('inflate-failed');
    else if (status === 'too-large') this.flag('inflated-too-large');
  }

  /**
   * Records a violation on the current frame. One about the message's content goes on the message too,
   * and on the frame only where it was first found.
   */
  private flag(code: ViolationCode): void {
    if (MESSAGE_VIOLATIONS.has(code) && this.target) {
      const violations = this.target.message.violations;
      if (violations.includes(code)) return;
      violations.push(code);
    }
    addOnce(this.frameViolations, code);
  }

  private passOn(frame: Frame): void {
    for (const code of this.frameViolations) addOnce(frame.violations, code);
    this.frameViolations.length = 0;
    this.target = null;
    this.headerSeen = false;
    this.handler.onFrame(frame);
  }

  private seal(target: PendingMessage): Message {
    const message = target.message;
    message.data = target.shared ?? (target.chunks.length === 1 ? target.chunks[0]! : Buffer.concat(target.chunks, target.stored));
    target.chunks = NO_CHUNKS;
    return message;
  }
}

/** The frame's own payload buffer when the message is all of it (so readers can tell they are one). */
function sharedPayload(payload: Buffer, length: number): Buffer {
  return length === payload.length ? payload : payload.subarray(0, length);
}

function addOnce(list: ViolationCode[], code: ViolationCode): void {
  if (!list.includes(code)) list.push(code);
}
