// One direction of a WebSocket connection, decoded: the frame parser feeding the message assembler.
// The proxy's relay and `framescope decode` use this; bytes in, frames and messages out.
import { DEFAULT_MAX_STORED_PAYLOAD, FrameParser } from './frame-parser.js';
import type { Frame, FrameHeader, FrameSink, Message, Sender } from './frame.js';
import { MessageAssembler } from './message-assembler.js';
import type { DeflateParams } from './permessage-deflate.js';

export interface StreamDecoderOptions {
  /** Who sends the bytes. */
  from: Sender;
  /** The negotiated permessage-deflate parameters, or null/absent when it was not negotiated. */
  deflate?: DeflateParams | null;
  /** Payload bytes kept per frame. Default: the parser's (1 MiB). */
  maxStoredPayload?: number;
  /** Data bytes kept per message. Default: the assembler's (16 MiB). */
  maxMessageSize?: number;
  /** Bytes one compressed message may inflate to. Default: the inflater's (64 MiB). */
  maxInflatedSize?: number;
  /** Keep one-frame data messages' payloads as wire bytes (FrameParser.wirePayloads). Default false. */
  wirePayloads?: boolean;
}

export interface StreamDecoderHandler {
  /** Every frame, complete, in wire order, with all its violations. */
  onFrame(frame: Frame): void;
  /** Every data message, right after the onFrame of its final frame (or when it was cut short). */
  onMessage(message: Message): void;
  /** A frame's header is complete; its payload follows (for cut-through relaying). */
  onHeader?(header: FrameHeader, index: number, offset: number): void;
  /** Unmasked payload bytes of the current frame as they arrive; valid only during the call. */
  onPayload?(chunk: Buffer): void;
}

export class StreamDecoder {
  private readonly parser: FrameParser;
  private readonly assembler: MessageAssembler;

  constructor(options: StreamDecoderOptions, handler: StreamDecoderHandler) {
    this.assembler = new MessageAssembler(
      {
        from: options.from, deflate: options.deflate, maxMessageSize: options.maxMessageSize, maxInflatedSize: options.maxInflatedSize,
        framePayloadCap: options.maxStoredPayload ?? DEFAULT_MAX_STORED_PAYLOAD,
      },
      handler,
    );
    const assembler = this.assembler;
    const sink: FrameSink = {
      onHeader(header, index, offset) {
        assembler.onHeader(header, index);
        handler.onHeader?.(header, index, offset);
      },
      onPayload(chunk) {
        assembler.onPayload(chunk);
        handler.onPayload?.(chunk);
      },
      wantsPayload() {
        // Asked once per frame, so the assembler always learns whether its bytes skip it.
        return assembler.wantsPayload(handler.onPayload !== undefined);
      },
      onFrame(frame) {
        assembler.onFrame(frame);
      },
    };
    this.parser = new FrameParser(
      { from: options.from, rsv1Allowed: Boolean(options.deflate), maxStoredPayload: options.maxStoredPayload },
      sink,
    );
    this.parser.wirePayloads = options.wirePayloads ?? false;
  }

  /** Decodes the next bytes of the stream, any size. Never throws on bad input. */
  push(chunk: Buffer): void {
    this.parser.push(chunk);
  }

  /** The stream ended: a cut-short last frame and an unfinished message are reported. */
  end(): void {
    this.assembler.end(this.parser.end());
  }

  /** Keep one-frame data messages' payloads as wire bytes (Frame.wire, Message.wire): see FrameParser.wirePayloads. */
  get wirePayloads(): boolean {
    return this.parser.wirePayloads;
  }

  set wirePayloads(on: boolean) {
    this.parser.wirePayloads = on;
  }

  /** Bytes of a message's data that are kept from now on (the size still counts all). */
  get maxMessageSize(): number {
    return this.assembler.maxMessageSize;
  }

  set maxMessageSize(bytes: number) {
    this.assembler.maxMessageSize = bytes;
  }

  /** True when no partial frame is buffered or in progress. */
  get atFrameBoundary(): boolean {
    return this.parser.atFrameBoundary;
  }

  /** True while a fragmented data message is unfinished (only control frames may be inserted). */
  get inMessage(): boolean {
    return this.assembler.inMessage;
  }
}
