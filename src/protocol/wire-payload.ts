// Payload bytes kept as they crossed the wire (WirePayload): views of the relay's chunks, masked when
// the frame was. Recording them needs no unmasked copy; these turn them into the application's bytes
// for whoever needs those, and cut them to a recording policy's prefix.
import type { WirePayload } from './frame.js';
import { maskRange } from './masking.js';

/** The bytes unmasked (or copied, when they were not masked) into one new buffer. */
export function unmaskWire(wire: WirePayload): Buffer {
  const out = Buffer.allocUnsafe(wire.length);
  let at = 0;
  for (const part of wire.parts) {
    if (wire.maskKey) maskRange(part, 0, part.length, wire.maskKey, at, out, at);
    else part.copy(out, at);
    at += part.length;
  }
  return out;
}

/** The first `length` bytes (all of them when there are no more). */
export function wirePrefix(wire: WirePayload, length: number): WirePayload {
  if (length >= wire.length) return wire;
  const parts: Buffer[] = [];
  let left = length;
  for (const part of wire.parts) {
    if (left === 0) break;
    parts.push(part.length <= left ? part : part.subarray(0, left));
    left -= Math.min(left, part.length);
  }
  return { parts, maskKey: wire.maskKey, length };
}

/** Copies the bytes as they are (masked or not) into buf at offset; returns the offset after them. */
export function copyWire(wire: WirePayload, buf: Buffer, offset: number): number {
  let at = offset;
  for (const part of wire.parts) at += part.copy(buf, at);
  return at;
}
