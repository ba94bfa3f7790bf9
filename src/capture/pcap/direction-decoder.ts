// One direction of a captured WebSocket connection decoded with the protocol core, across what a
// capture can do to a stream: a start after the handshake or a gap puts it out of step, and it waits for
// the first frame boundary that parses (frame-sync.ts) before decoding again, counting the bytes it
// skipped. Frame numbers and stream offsets go on across such restarts, so messages keep pointing at
// their frames.
import type { Frame, Message, Sender } from '../../protocol/frame.js';
import type { DeflateParams } from '../../protocol/permessage-deflate.js';
import { StreamDecoder } from '../../protocol/stream-decoder.js';
import { findFrameBoundary } from './frame-sync.js';

export interface DirectionDecoderOutput {
  frame(frame: Frame): void;
  message(message: Message): void;
  /** Frames were found from here on after `skipped` bytes that were not frames (or not all of one). */
  synced(sender: Sender, skipped: number): void;
  /** No frame boundary was found in the first bytes: `dropped` bytes are ignored from here on. */
  lost(dropped: number): void;
}

export interface DirectionDecoderOptions {
  /** Who sends, when known; undefined: the first boundary found tells. */
  sender: Sender | undefined;
  deflate: DeflateParams | null;
  maxStoredPayload: number;
  /** The stream starts at a frame boundary (right after the handshake). */
  aligned: boolean;
}

/** Bytes buffered since the last attempt before a boundary is looked for again. */
const SYNC_STEP = 16 * 1024;

export class DirectionDecoder {
  private decoder: StreamDecoder | null = null;
  private syncing: Buffer[] | null = null;
  private syncLength = 0;
  private lastAttempt = -1;
  /** The stream is given up on: no boundary found. */
  private abandoned = false;
  private frames = 0;
  private indexBase = 0;
  /** Bytes of the stream seen (gaps included). */
  private position = 0;
  private offsetBase = 0;
  sender: Sender | undefined;

  constructor(private readonly options: DirectionDecoderOptions, private readonly out: DirectionDecoderOutput) {
    this.sender = options.sender;
    if (options.aligned && options.sender) this.start(options.sender);
    else this.syncing = [];
  }

  /** Whether frames are being decoded (the stream is in step). */
  get inStep(): boolean {
    return this.decoder !== null;
  }

  push(bytes: Buffer): void {
    if (this.abandoned || bytes.length === 0) return;
    if (this.decoder) {
      this.position += bytes.length;
      this.decoder.push(bytes);
      return;
    }
    this.syncing!.push(Buffer.from(bytes));
    this.syncLength += bytes.length;
    if (this.syncLength < SYNC_STEP || this.syncLength - this.lastAttempt >= SYNC_STEP) this.trySync(false);
  }

  /** length bytes of the stream are missing: the frame in progress is cut short, and frames are looked for again. */
  gap(length: number): void {
    if (this.abandoned) return;
    if (this.decoder) {
      this.decoder.end();
      this.decoder = null;
      this.syncing = [];
      this.syncLength = 0;
      this.lastAttempt = -1;
    } else if (this.syncing && this.syncLength > 0) {
      // What was buffered before the gap cannot be joined to what comes after it.
      this.trySync(true);
      const started = this.decoder as StreamDecoder | null;
      if (started) started.end();
      else this.position += this.syncLength;
      this.decoder = null;
      this.syncing = [];
      this.syncLength = 0;
      this.lastAttempt = -1;
    }
    this.position += length;
  }

  /** The stream ended: a frame cut short and an unfinished message are reported. */
  end(): void {
    if (!this.decoder && this.syncing && this.syncLength > 0 && !this.abandoned) this.trySync(true);
    this.decoder?.end();
    this.decoder = null;
  }

  /** Sets who sends, learnt from the other direction. */
  setSender(sender: Sender): void {
    this.sender ??= sender;
  }

  private trySync(final: boolean): void {
    this.lastAttempt = this.syncLength;
    const bytes = Buffer.concat(this.syncing!);
    this.syncing = [bytes];
    const result = findFrameBoundary(bytes, this.sender, final);
    if (result.found) {
      this.position += result.offset;
      this.start(result.sender);
      this.out.synced(result.sender, result.offset);
      this.syncing = null;
      this.syncLength = 0;
      this.position += bytes.length - result.offset;
      this.decoder!.push(bytes.subarray(result.offset));
      return;
    }
    if (!result.needMore && !final) {
      this.abandoned = true;
      this.syncing = null;
      this.out.lost(this.syncLength);
    }
  }

  private start(sender: Sender): void {
    this.sender = sender;
    this.indexBase = this.frames;
    this.offsetBase = this.position;
    const indexBase = this.indexBase;
    const offsetBase = this.offsetBase;
    this.decoder = new StreamDecoder(
      // A message is kept up to the stored-payload cap, as the proxy stores it: memory stays bounded however
      // many connections are in the middle of a large message at once.
      { from: sender, deflate: this.options.deflate, maxStoredPayload: this.options.maxStoredPayload, maxMessageSize: this.options.maxStoredPayload },
      {
        onFrame: (frame) => {
          this.frames = indexBase + frame.index + 1;
          this.out.frame(indexBase === 0 && offsetBase === 0 ? frame : { ...frame, index: indexBase + frame.index, offset: offsetBase + frame.offset });
        },
        onMessage: (message) => {
          this.out.message(indexBase === 0 ? message : { ...message, frameIndexes: message.frameIndexes.map((i) => i + indexBase) });
        },
      },
    );
  }
}
