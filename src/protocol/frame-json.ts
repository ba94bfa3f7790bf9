// A frame as the JSON fields of a HAR `_webSocketFrames` entry (docs: shared/DESIGN.md, "HAR"). The HAR
// exporter and `framescope decode` both print frames this way, so the field names and their order live here.
import type { Frame } from './frame.js';
import { lengthToJson, type JsonLength } from './exact-length.js';
import type { ViolationCode } from './violations.js';

/** The HAR fields of one wire frame, in the order they are written. */
export interface HarFrameFields {
  /** "send" for client to server, "receive" for server to client. */
  type?: 'send' | 'receive';
  /** When the frame was seen, as the exporter writes it (epoch seconds). */
  time?: number;
  /** FIN bit. */
  fin: boolean;
  /** RSV1 bit. */
  rsv1: boolean;
  /** RSV2 bit. */
  rsv2: boolean;
  /** RSV3 bit. */
  rsv3: boolean;
  /** The 4-bit opcode. */
  opcode: number;
  /** MASK bit. */
  masked: boolean;
  /** The masking key as 8 lowercase hex digits, when masked. */
  maskKey?: string;
  /** The length field's value (not the bytes stored): a number up to 2^53 − 1, a decimal string beyond. */
  payloadLength: JsonLength;
  /** Close frames: the status code, when the payload carried one. */
  closeCode?: number;
  /** Close frames: the reason text, when the payload carried a status code. */
  closeReason?: string;
  /** The frame's violation codes, when there are any. */
  violations?: ViolationCode[];
}

/** Where and when a frame was seen, for the fields that come first. */
export interface FrameContext {
  /** "send" for client to server, "receive" for server to client. */
  type?: 'send' | 'receive';
  /** When the frame was seen (epoch seconds). */
  time?: number;
}

/** The HAR fields of a frame. Optional fields are left out, not written as undefined. */
export function frameToJson(
  frame: Pick<Frame, 'fin' | 'rsv1' | 'rsv2' | 'rsv3' | 'opcode' | 'masked' | 'maskKey' | 'payloadLength' | 'payloadLengthExact' | 'closeCode' | 'closeReason' | 'violations'>,
  context: FrameContext = {},
): HarFrameFields {
  const fields: Partial<HarFrameFields> = {};
  if (context.type !== undefined) fields.type = context.type;
  if (context.time !== undefined) fields.time = context.time;
  fields.fin = frame.fin;
  fields.rsv1 = frame.rsv1;
  fields.rsv2 = frame.rsv2;
  fields.rsv3 = frame.rsv3;
  fields.opcode = frame.opcode;
  fields.masked = frame.masked;
  if (frame.masked && frame.maskKey !== undefined) fields.maskKey = frame.maskKey.toString('hex');
  fields.payloadLength = lengthToJson(frame);
  if (frame.closeCode !== undefined) fields.closeCode = frame.closeCode;
  if (frame.closeReason !== undefined) fields.closeReason = frame.closeReason;
  if (frame.violations.length > 0) fields.violations = [...frame.violations];
  return fields as HarFrameFields;
}
