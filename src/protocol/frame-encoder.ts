// Encodes frames (RFC 6455 §5.2) from a description of every header field, consistent or not: the
// inspector hand-crafts malformed frames (reserved opcodes, RSV bits, non-minimal or false
// lengths, unmasked client frames...) as readily as valid ones. Pure: no state, no queueing.
import type { LengthForm } from './frame.js';
import { maskRange } from './masking.js';

/** Every header field of a frame to encode, and its payload. */
export interface FrameSpec {
  /** FIN bit. Default true. */
  fin?: boolean;
  /** RSV1 bit. Default false. */
  rsv1?: boolean;
  /** RSV2 bit. Default false. */
  rsv2?: boolean;
  /** RSV3 bit. Default false. */
  rsv3?: boolean;
  /** The 4-bit opcode, 0-15 (reserved ones included). */
  opcode: number;
  /** false/undefined: unmasked; true: masked with maskKey; a Buffer: masked with that 4-byte key. */
  mask?: boolean | Buffer;
  /** The 4-byte masking key, used when mask is true. */
  maskKey?: Buffer;
  /** The payload, unmasked; a string is encoded as UTF-8. Default empty. */
  payload?: Buffer | string;
  /** Force a length form, possibly non-minimal. Default: the minimal form for the length field's value. */
  lengthForm?: LengthForm;
  /** Write this value in the length field instead of the payload's length (a false length); the payload is still appended as given. */
  payloadLength?: number | bigint;
}

const EMPTY = Buffer.alloc(0);
const TWO_32 = 0x1_0000_0000;

/** The shortest length form that can carry length (RFC 6455 §5.2: the minimal number of bytes). */
export function minimalLengthForm(length: number): LengthForm {
  if (length < 126) return 7;
  if (length < 65536) return 16;
  return 64;
}

/**
 * Encodes a frame as [header, payload]. The payload element is masked when the frame is masked
 * (into a new buffer: the given payload is never modified); unmasked, it is the given Buffer itself.
 *
 * Never throws for a header combination, however inconsistent. A length field value that does not
 * fit the chosen form is truncated to the form's bits (its low 7, 16 or 64 bits, two's complement
 * for a negative value); in the 7-bit form the values 126 and 127 are written as they are, so a
 * receiver reads the following bytes as an extended length. Throws only for programmer errors: an
 * opcode outside 0-15, a mask key that is not 4 bytes, mask: true without maskKey, a lengthForm
 * other than 7/16/64, or a payloadLength that is not an integer.
 */
export function encodeFrame(spec: FrameSpec): [header: Buffer, payload: Buffer] {
  const opcode = spec.opcode;
  if (!Number.isInteger(opcode) || opcode < 0 || opcode > 15) {
    throw new RangeError(`an opcode is 4 bits (0-15), not ${opcode}`);
  }
  const payload = typeof spec.payload === 'string' ? Buffer.from(spec.payload, 'utf8') : (spec.payload ?? EMPTY);
  const key = maskKeyOf(spec);
  const field = spec.payloadLength ?? payload.length;
  if (typeof field === 'number' && !Number.isInteger(field)) {
    throw new RangeError(`payloadLength must be an integer, not ${field}`);
  }
  const form = spec.lengthForm ?? defaultForm(field);
  if (form !== 7 && form !== 16 && form !== 64) throw new RangeError(`lengthForm is 7, 16 or 64, not ${String(form)}`);

  const extended = form === 7 ? 0 : form === 16 ? 2 : 8;
  const header = Buffer.allocUnsafe(2 + extended + (key === undefined ? 0 : 4));
  header[0] = ((spec.fin ?? true) ? 0x80 : 0)
    | (spec.rsv1 ? 0x40 : 0) | (spec.rsv2 ? 0x20 : 0) | (spec.rsv3 ? 0x10 : 0) | opcode;
  const maskBit = key === undefined ? 0 : 0x80;
  if (form === 7) {
    header[1] = maskBit | lowBits(field, 7);
  } else if (form === 16) {
    header[1] = maskBit | 126;
    header.writeUInt16BE(lowBits(field, 16), 2);
  } else {
    header[1] = maskBit | 127;
    if (typeof field === 'number' && field >= 0 && field <= Number.MAX_SAFE_INTEGER) {
      header.writeUInt32BE(Math.floor(field / TWO_32), 2);
      header.writeUInt32BE(field % TWO_32, 6);
    } else {
      header.writeBigUInt64BE(BigInt.asUintN(64, BigInt(field)), 2);
    }
  }
  if (key === undefined) return [header, payload];

  key.copy(header, 2 + extended);
  const masked = Buffer.allocUnsafe(payload.length);
  maskRange(payload, 0, payload.length, key, 0, masked, 0);
  return [header, masked];
}

/** encodeFrame's header and payload in one buffer: the exact bytes of the frame on the wire. */
export function encodeFrameBytes(spec: FrameSpec): Buffer {
  const [header, payload] = encodeFrame(spec);
  return Buffer.concat([header, payload], header.length + payload.length);
}

/**
 * A close frame's payload (RFC 6455 §5.5.1): nothing without a code, else the 2-byte big-endian
 * code and the UTF-8 reason. Any 16-bit code is encoded, valid on the wire or not, and the reason
 * is not cut at 123 bytes: crafting invalid close frames is a purpose. Throws for a code that is
 * not a 16-bit integer, or for a reason without a code.
 */
export function encodeClosePayload(code?: number, reason?: string): Buffer {
  if (code === undefined) {
    if (reason !== undefined && reason.length > 0) throw new TypeError('a close reason needs a close code');
    return Buffer.alloc(0);
  }
  if (!Number.isInteger(code) || code < 0 || code > 0xffff) {
    throw new RangeError(`a close code is a 16-bit integer, not ${code}`);
  }
  const reasonLength = reason === undefined ? 0 : Buffer.byteLength(reason, 'utf8');
  const payload = Buffer.allocUnsafe(2 + reasonLength);
  payload.writeUInt16BE(code, 0);
  if (reason !== undefined) payload.write(reason, 2, 'utf8');
  return payload;
}

function maskKeyOf(spec: FrameSpec): Buffer | undefined {
  const mask = spec.mask;
  if (mask === undefined || mask === false) return undefined;
  const key = mask === true ? spec.maskKey : mask;
  if (key === undefined) throw new TypeError('mask: true needs a maskKey');
  if (key.length !== 4) throw new RangeError(`a masking key has 4 bytes, not ${key.length}`);
  return key;
}

/** The minimal form for the value written, or the 64-bit form for one outside 0 to 2^53. */
function defaultForm(field: number | bigint): LengthForm {
  if (typeof field === 'bigint') {
    return field >= 0n && field <= BigInt(Number.MAX_SAFE_INTEGER) ? minimalLengthForm(Number(field)) : 64;
  }
  return field >= 0 ? minimalLengthForm(field) : 64;
}

/** The low `bits` bits of an integer (two's complement for negative values). */
function lowBits(value: number | bigint, bits: 7 | 16): number {
  if (typeof value === 'number' && value >= 0 && value <= Number.MAX_SAFE_INTEGER) return value % 2 ** bits;
  return Number(BigInt.asUintN(bits, BigInt(value)));
}
