// Looking into a payload kept as it crossed the wire (WirePayload) without unmasking it: rules that
// look for bytes test every message of a direction they watch, and most messages do not hold what
// they look for. Masking XORs payload byte i with key[i mod 4], so the needle masked as it would be at
// a position p (key rotated by p mod 4) is found in the masked bytes exactly where the needle is in
// the payload, at a position of that remainder. A payload in several chunks is searched chunk by
// chunk, and around each seam, unmasked, for a needle that straddles it.
import type { WirePayload } from './frame.js';

/** True when the payload holds needle (what Buffer#includes says of the unmasked bytes). */
export function wireIncludes(wire: WirePayload, needle: Buffer): boolean {
  if (needle.length === 0) return true;
  if (needle.length > wire.length) return false;
  const key = wire.maskKey;
  const rotated = key ? [0, 1, 2, 3].map((remainder) => maskedAt(needle, key, remainder)) : null;
  let base = 0;
  for (const part of wire.parts) {
    if (rotated ? partHolds(part, base, rotated) : part.includes(needle)) return true;
    base += part.length;
    // The seam after this part: the bytes a straddling needle could cover, unmasked.
    if (base < wire.length && needle.length > 1 && wireRange(wire, base - needle.length + 1, base + needle.length - 1).includes(needle)) return true;
  }
  return false;
}

/** The needle as it looks masked when it starts at a payload position of this remainder mod 4. */
function maskedAt(needle: Buffer, key: Buffer, remainder: number): Buffer {
  const out = Buffer.allocUnsafe(needle.length);
  for (let j = 0; j < needle.length; j++) out[j] = needle[j]! ^ key[(remainder + j) & 3]!;
  return out;
}

/** A masked part (its first byte at payload position base) holds the needle at a position of the right remainder. */
function partHolds(part: Buffer, base: number, rotated: Buffer[]): boolean {
  for (let remainder = 0; remainder < 4; remainder++) {
    // A hit at another remainder is the masked bytes matching by chance: look on past it.
    for (let at = part.indexOf(rotated[remainder]!); at >= 0; at = part.indexOf(rotated[remainder]!, at + 1)) {
      if (((base + at) & 3) === remainder) return true;
    }
  }
  return false;
}

/** The payload's bytes [from, to) (clipped to it), unmasked, in a new buffer. */
function wireRange(wire: WirePayload, from: number, to: number): Buffer {
  const start = Math.max(0, from);
  const end = Math.min(wire.length, to);
  const out = Buffer.allocUnsafe(Math.max(0, end - start));
  for (let i = start; i < end; i++) out[i - start] = wireByteAt(wire, i);
  return out;
}

/** The payload's byte at position i (unmasked), or -1 past its end. */
export function wireByteAt(wire: WirePayload, i: number): number {
  if (i >= wire.length) return -1;
  let at = i;
  for (const part of wire.parts) {
    if (at < part.length) return wire.maskKey ? part[at]! ^ wire.maskKey[i & 3]! : part[at]!;
    at -= part.length;
  }
  return -1;
}
