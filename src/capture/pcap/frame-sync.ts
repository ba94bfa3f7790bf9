// Finding where WebSocket frames begin in a stream joined in the middle (a capture that started after
// the handshake, or resumed after a gap). A place is taken as a frame boundary when the frame headers
// read from it are all plausible (RFC 6455 §5.2: known opcodes, no RSV2/RSV3, control frames final and
// short, minimal lengths, masking as the sender must) and follow each other to the end of what is
// buffered, or for several frames. Random bytes rarely do: one plausible header is not enough.
import { isUtf8 } from 'node:buffer';
import type { Sender } from '../../protocol/frame.js';
import { isValidWireCloseCode } from '../../protocol/close-codes.js';

export type SyncResult =
  /** Frames begin at offset. */
  | { found: true; offset: number; sender: Sender }
  /** No decision yet: more bytes are needed. */
  | { found: false; needMore: boolean };

/**
 * Complete frames in a row that make a place certain even when they do not end at the buffer's end.
 * Random bytes (compressed or encrypted streams) pass one header check in about 25: six in a row, with
 * text and close payloads checked too, leave a 256 KiB stretch of noise a chance well under one in a thousand.
 */
const CHAIN = 6;
/** Bytes buffered before giving up on finding a boundary. */
export const MAX_SYNC_BYTES = 256 * 1024;

/**
 * Looks for the first frame boundary in bytes. sender: who sent them, or undefined to try both. final:
 * no more bytes will come (a chain of one frame ending exactly at the end then counts).
 */
export function findFrameBoundary(bytes: Buffer, sender: Sender | undefined, final: boolean): SyncResult {
  const senders: Sender[] = sender ? [sender] : ['client', 'server'];
  for (let offset = 0; offset < bytes.length; offset++) {
    for (const s of senders) {
      const chain = chainAt(bytes, offset, s);
      if (chain.complete >= CHAIN || (chain.exactEnd && (chain.complete >= 2 || (final && chain.complete >= 1)))) return { found: true, offset, sender: s };
    }
  }
  return { found: false, needMore: !final && bytes.length < MAX_SYNC_BYTES };
}

/** How many plausible complete frames follow each other from offset, and whether they end at the end. */
function chainAt(b: Buffer, offset: number, sender: Sender): { complete: number; exactEnd: boolean } {
  let complete = 0;
  let at = offset;
  while (at < b.length) {
    const length = plausibleFrameLength(b, at, sender);
    if (length === undefined) return { complete, exactEnd: false };
    if (length === -1 || at + length > b.length) return { complete, exactEnd: false };
    at += length;
    complete++;
    if (complete >= CHAIN) break;
  }
  return { complete, exactEnd: at === b.length };
}

/** The whole frame's length at `at`, -1 when its header is not all buffered, undefined when implausible. */
function plausibleFrameLength(b: Buffer, at: number, sender: Sender): number | undefined {
  if (b.length - at < 2) return -1;
  const b0 = b[at]!;
  const b1 = b[at + 1]!;
  const fin = (b0 & 0x80) !== 0;
  const rsv1 = (b0 & 0x40) !== 0;
  if ((b0 & 0x30) !== 0) return undefined;
  const opcode = b0 & 0x0f;
  const control = opcode >= 8;
  if (!(opcode <= 2 || opcode === 8 || opcode === 9 || opcode === 10)) return undefined;
  if (control && (!fin || rsv1)) return undefined;
  if (opcode === 0 && rsv1) return undefined;
  // Legal, but no peer sends an empty non-final fragment; runs of zero bytes would otherwise read as frames.
  if (opcode === 0 && !fin && (b1 & 0x7f) === 0) return undefined;
  const masked = (b1 & 0x80) !== 0;
  if (masked !== (sender === 'client')) return undefined;
  const field = b1 & 0x7f;
  if (control && field > 125) return undefined;
  if (opcode === 8 && field === 1) return undefined;
  let headerLength = 2;
  let length = field;
  if (field === 126) {
    if (b.length - at < 4) return -1;
    length = b.readUInt16BE(at + 2);
    if (length < 126) return undefined;
    headerLength = 4;
  } else if (field === 127) {
    if (b.length - at < 10) return -1;
    const high = b.readUInt32BE(at + 2);
    const low = b.readUInt32BE(at + 6);
    // Frames past 2^40 bytes do not occur in captures worth reading; the top bit must be zero (§5.2).
    if (high > 0xff) return undefined;
    length = high * 2 ** 32 + low;
    if (length < 65536) return undefined;
    headerLength = 10;
  }
  if (masked) headerLength += 4;
  // A whole unfragmented text frame must be UTF-8, a close frame's code one that may be sent (RFC 6455 §5.6, §7.4).
  const end = at + headerLength + length;
  if (end <= b.length && !rsv1 && ((opcode === 1 && fin) || (opcode === 8 && length >= 2))) {
    const payload = Buffer.from(b.subarray(at + headerLength, end));
    if (masked) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ b[at + headerLength - 4 + (i & 3)]!;
    if (opcode === 1 && !isUtf8(payload)) return undefined;
    if (opcode === 8 && (!isValidWireCloseCode(payload.readUInt16BE(0)) || !isUtf8(payload.subarray(2)))) return undefined;
  }
  return headerLength + length;
}
