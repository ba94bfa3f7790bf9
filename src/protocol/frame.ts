// The data model of the codec: one wire frame, one reassembled message, and who sent them.
import type { ViolationCode } from './violations.js';

/** Which peer sent the bytes. It decides which masking is a violation (RFC 6455 section 5.1). */
export type Sender = 'client' | 'server';

/** The opcodes of RFC 6455 section 5.2; 3-7 and 11-15 are reserved. */
export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;

/** How the payload length was carried: the 7-bit field, or 126 + 16 bits, or 127 + 64 bits. */
export type LengthForm = 7 | 16 | 64;

/** A frame header exactly as it was on the wire. */
export interface FrameHeader {
  /** FIN bit: the last fragment of a message. */
  fin: boolean;
  /** RSV1 bit (permessage-deflate's "compressed" flag). */
  rsv1: boolean;
  /** RSV2 bit. */
  rsv2: boolean;
  /** RSV3 bit. */
  rsv3: boolean;
  /** The 4-bit opcode, 0-15, reserved values included. */
  opcode: number;
  /** MASK bit. */
  masked: boolean;
  /** The 4-byte masking key when masked. */
  maskKey?: Buffer;
  /** The length field's value: exact up to 2^53 − 1; past that the nearest double (payloadLengthExact is exact). */
  payloadLength: number;
  /** The length field's exact value when it exceeds 2^53 − 1 (a 64-bit field); absent otherwise. */
  payloadLengthExact?: bigint;
  /** Which length form carried payloadLength. */
  lengthForm: LengthForm;
  /** Bytes in the header: 2 to 14. */
  headerLength: number;
}

/**
 * Payload bytes as they crossed the wire: views of the chunks they arrived in (still masked when the
 * frame was), in order. A relay that records the wire keeps these instead of an unmasked copy; whoever
 * needs the bytes unmasks them (unmaskWire), and a capture store writes them as they are.
 */
export interface WirePayload {
  /** The bytes, in order: views of the chunks, valid while the frame is being recorded. */
  parts: Buffer[];
  /** The masking key of the frame when its bytes are masked (key position 0 is the first byte). */
  maskKey?: Buffer;
  /** Bytes in parts. */
  length: number;
}

/** A whole frame, for the inspector. */
export interface Frame extends FrameHeader {
  /** Index of this frame in its direction's stream, from 0. */
  index: number;
  /** Offset of the frame's first byte in its direction's stream. */
  offset: number;
  /** The unmasked payload, up to the stored-payload cap; empty while `wire` holds it instead. */
  payload: Buffer;
  /**
   * The kept payload as it crossed the wire, when the parser was asked to keep it so (a one-frame
   * data message on a relay that records the wire): then payload is empty until someone unmasks it.
   */
  wire?: WirePayload;
  /** True when payload holds less than payloadLength bytes because of the cap (or the stream ended). */
  truncated: boolean;
  /** Close frames: the status code, when the payload carried one. */
  closeCode?: number;
  /** Close frames: the reason text, when the payload carried one. */
  closeReason?: string;
  /** Violations found in this frame, in the order they were found. */
  violations: ViolationCode[];
}

/** A data message reassembled from its fragments (and decompressed when it was compressed). */
export interface Message {
  /** 1 for text, 2 for binary (the opcode of its first frame). */
  opcode: number;
  /** The message content as the application sees it: unmasked, reassembled, decompressed; empty while `wire` holds it. */
  data: Buffer;
  /** A one-frame uncompressed message whose frame kept its payload as wire bytes: the same object as the frame's wire. */
  wire?: WirePayload;
  /** True when data holds less than the whole message because of the message cap. */
  truncated: boolean;
  /** True when the first frame had RSV1 set and permessage-deflate was negotiated. */
  compressed: boolean;
  /** The message's size on the application side (after decompression), even when data was truncated. */
  size: number;
  /** Indexes of the frames that carried it, first to last. */
  frameIndexes: number[];
  /** Violations found in the message as a whole (invalid UTF-8, inflate errors). */
  violations: ViolationCode[];
}

/**
 * What a frame parser drives: the header as soon as it is complete, the payload as it arrives (so a
 * relay can cut through and an inflater can stream), then the whole frame. The message assembler and
 * the stream decoder implement it.
 */
export interface FrameSink {
  /** A frame's header is complete; its payload follows. index and offset are those the Frame will carry. */
  onHeader(header: FrameHeader, index: number, offset: number): void;
  /** Unmasked payload bytes of the current frame, in order, as they arrive. Valid only during the call. */
  onPayload(chunk: Buffer): void;
  /**
   * Asked right after onHeader: whether onPayload must see this frame's bytes. When not, the parser
   * does not unmask what it need not keep (absent: always).
   */
  wantsPayload?(): boolean;
  /** The frame is complete. Its payload is capped at the parser's maxStoredPayload. */
  onFrame(frame: Frame): void;
}
