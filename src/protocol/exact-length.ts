// Payload lengths are 64-bit (RFC 6455 §5.2), JavaScript numbers exact only to 2^53 − 1. A frame keeps its
// length field as a number for arithmetic and, past 2^53 − 1, also as a bigint. In JSON (the HAR, the
// control API, `framescope decode`) a length is a number where it is exact and a decimal string beyond.
import type { FrameHeader } from './frame.js';

/** A length as JSON carries it: a number up to 2^53 − 1, a decimal string beyond. */
export type JsonLength = number | string;

/** The largest value a 64-bit length field can hold: 2^64 − 1. */
export const MAX_LENGTH_FIELD = 0xffff_ffff_ffff_ffffn;

/** The exact value of a frame's length field. */
export function exactLength(frame: Pick<FrameHeader, 'payloadLength' | 'payloadLengthExact'>): bigint {
  return frame.payloadLengthExact ?? BigInt(frame.payloadLength);
}

/** A frame's length field for JSON: a number while exact, else its decimal digits. */
export function lengthToJson(frame: Pick<FrameHeader, 'payloadLength' | 'payloadLengthExact'>): JsonLength {
  return frame.payloadLengthExact !== undefined ? frame.payloadLengthExact.toString() : frame.payloadLength;
}

/** The two fields of a frame for a length field's value. */
export function lengthFields(value: bigint): Pick<FrameHeader, 'payloadLength' | 'payloadLengthExact'> {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? { payloadLength: Number(value), payloadLengthExact: value } : { payloadLength: Number(value) };
}

/**
 * A length read from JSON: a non-negative integer number, or a string of decimal digits, up to 2^64 − 1.
 * A number past 2^53 − 1 (another tool's, already rounded) is taken as the value it denotes. Undefined
 * for anything else.
 */
export function lengthFromJson(value: unknown): Pick<FrameHeader, 'payloadLength' | 'payloadLengthExact'> | undefined {
  let big: bigint;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) return undefined;
    big = BigInt(value);
  } else if (typeof value === 'string' && /^\d{1,20}$/.test(value)) {
    big = BigInt(value);
  } else {
    return undefined;
  }
  return big > MAX_LENGTH_FIELD ? undefined : lengthFields(big);
}
