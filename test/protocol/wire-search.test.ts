// Looking for bytes in a payload kept masked, as it crossed the wire, gives what looking in the
// unmasked payload gives: every needle position (each remainder mod 4), chance hits at the wrong
// remainder, payloads split over several chunks, unmasked (server) payloads.
import { describe, expect, it } from 'vitest';
import type { WirePayload } from '../../src/protocol/frame.js';
import { maskRange } from '../../src/protocol/masking.js';
import { wireByteAt, wireIncludes } from '../../src/protocol/wire-search.js';

let seed = 7;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const bytes = (n: number, alphabet = 4) => Buffer.from(Array.from({ length: n }, () => 0x61 + Math.floor(random() * alphabet)));

function masked(payload: Buffer, key: Buffer, cuts: number[] = []): WirePayload {
  const wire = Buffer.alloc(payload.length);
  maskRange(payload, 0, payload.length, key, 0, wire, 0);
  const parts: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, payload.length]) {
    parts.push(wire.subarray(from, cut));
    from = cut;
  }
  return { parts, maskKey: key, length: payload.length };
}

describe('bytes looked for in a masked payload', () => {
  it('are found exactly where the unmasked payload holds them, at any position', () => {
    for (let round = 0; round < 300; round++) {
      const payload = bytes(16 + Math.floor(random() * 600));
      const key = Buffer.from([random() * 256, random() * 256, random() * 256, random() * 256].map(Math.floor));
      // Needles from the payload itself (present, at every remainder) and made up (mostly absent).
      const at = Math.floor(random() * (payload.length - 8));
      const present = payload.subarray(at, at + 1 + Math.floor(random() * 7));
      const madeUp = bytes(2 + Math.floor(random() * 5));
      for (const needle of [present, madeUp]) {
        expect(wireIncludes(masked(payload, key), needle)).toBe(payload.includes(needle));
        // Split into chunks anywhere, a needle straddling a seam or two included.
        const cuts = [Math.floor(payload.length / 2), at + 1, at + 2, at + 3].filter((c, i, all) => c > 0 && c < payload.length && all.indexOf(c) === i).sort((a, b) => a - b);
        expect(wireIncludes(masked(payload, key, cuts), needle)).toBe(payload.includes(needle));
      }
    }
  });

  it('does not take a chance match at another key position for a hit', () => {
    const key = Buffer.from([0, 3, 0, 3]);
    // "ab" at position 1 (remainder 1) masks to "bb": found.
    expect(wireIncludes(masked(Buffer.from('xab-'), key), Buffer.from('ab'))).toBe(true);
    // "xba-" masks to "xaa.": "aa" is how "ab" looks masked at remainder 0, but it sits at 1. Not "ab".
    expect(masked(Buffer.from('xba-'), key).parts[0]!.toString('latin1')).toBe('xaa.');
    expect(wireIncludes(masked(Buffer.from('xba-'), key), Buffer.from('ab'))).toBe(false);
  });

  it('reads unmasked payloads and single bytes as they are', () => {
    const payload = Buffer.from('  {"type":"tick"}');
    const plain: WirePayload = { parts: [payload.subarray(0, 5), payload.subarray(5)], length: payload.length };
    expect(wireIncludes(plain, Buffer.from('e":"t'))).toBe(true);
    expect(wireIncludes(plain, Buffer.from('tock'))).toBe(false);
    const key = Buffer.from([9, 8, 7, 6]);
    const wire = masked(payload, key, [3, 10]);
    expect(Array.from({ length: payload.length + 1 }, (_, i) => wireByteAt(wire, i))).toEqual([...payload, -1]);
  });
});
