import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mask, maskRange, unmaskInPlace } from '../../src/protocol/masking.js';
import { expectSameBytes } from './fixtures.js';

/** The definition of RFC 6455 §5.3, one byte at a time. */
function naiveMask(source: Uint8Array, key: Uint8Array, keyOffset: number): Buffer {
  const out = Buffer.alloc(source.length);
  for (let i = 0; i < source.length; i++) out[i] = source[i]! ^ key[(keyOffset + i) % 4]!;
  return out;
}

/** A buffer of n random bytes starting at the given byte offset of its ArrayBuffer (to vary alignment). */
function randomAt(n: number, byteOffset: number): Buffer {
  const backing = Buffer.from(new ArrayBuffer(n + byteOffset + 8));
  const view = backing.subarray(byteOffset, byteOffset + n);
  randomBytes(n).copy(view);
  return view;
}

const LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 63, 64, 127, 128, 129, 130, 131, 255, 256, 257, 1000, 4099, 65536 + 3];

describe('mask', () => {
  it('masks the RFC 6455 §5.7 "Hello" example with key 37 fa 21 3d', () => {
    const out = Buffer.alloc(5);
    mask(Buffer.from('Hello'), Buffer.from([0x37, 0xfa, 0x21, 0x3d]), out, 0);
    expectSameBytes(out, Buffer.from([0x7f, 0x9f, 0x4d, 0x51, 0x58]));
  });

  it('matches the byte-by-byte definition for every length, alignment of source and output, and key offset', () => {
    for (const length of LENGTHS) {
      for (let sourceAlign = 0; sourceAlign < 4; sourceAlign++) {
        for (let outputAlign = 0; outputAlign < 4; outputAlign++) {
          for (let keyOffset = 0; keyOffset < 5; keyOffset++) {
            const source = randomAt(length, sourceAlign);
            const before = Buffer.from(source);
            const key = randomBytes(4);
            const output = randomAt(length + 6, outputAlign);
            const guard = Buffer.from(output);
            mask(source, key, output, 3, keyOffset);
            expectSameBytes(output.subarray(3, 3 + length), naiveMask(source, key, keyOffset));
            // Bytes outside the written range are untouched, and so is the source.
            expectSameBytes(output.subarray(0, 3), guard.subarray(0, 3));
            expectSameBytes(output.subarray(3 + length), guard.subarray(3 + length));
            expectSameBytes(source, before);
          }
        }
      }
    }
  });

  it('continues the key position across chunks of one payload', () => {
    const key = randomBytes(4);
    const payload = randomBytes(5000);
    const cuts = [0, 1, 6, 300, 301, 2049, 4998, 5000];
    const out = Buffer.alloc(payload.length);
    for (let i = 0; i + 1 < cuts.length; i++) {
      mask(payload.subarray(cuts[i], cuts[i + 1]), key, out, cuts[i]!, cuts[i]);
    }
    expectSameBytes(out, naiveMask(payload, key, 0));
  });

  it('is its own inverse', () => {
    const key = randomBytes(4);
    const payload = randomBytes(1031);
    const masked = Buffer.alloc(payload.length);
    const back = Buffer.alloc(payload.length);
    mask(payload, key, masked, 0);
    mask(masked, key, back, 0);
    expectSameBytes(back, payload);
  });

  it('throws for a key that is not 4 bytes', () => {
    expect(() => mask(Buffer.alloc(4), Buffer.alloc(3), Buffer.alloc(4), 0)).toThrow(RangeError);
  });

  it('throws when the output has no room', () => {
    expect(() => mask(Buffer.alloc(10), Buffer.alloc(4), Buffer.alloc(12), 3)).toThrow(RangeError);
  });
});

describe('unmaskInPlace', () => {
  it('matches the byte-by-byte definition for every length, alignment and key offset', () => {
    for (const length of LENGTHS) {
      for (let align = 0; align < 4; align++) {
        for (let keyOffset = 0; keyOffset < 4; keyOffset++) {
          const buffer = randomAt(length, align);
          const key = randomBytes(4);
          const reference = naiveMask(buffer, key, keyOffset);
          unmaskInPlace(buffer, key, keyOffset);
          expectSameBytes(buffer, reference);
        }
      }
    }
  });

  it('leaves the bytes around the view untouched', () => {
    const backing = Buffer.alloc(300, 0xaa);
    unmaskInPlace(backing.subarray(5, 295), Buffer.from([0xff, 0xff, 0xff, 0xff]));
    expectSameBytes(backing.subarray(0, 5), Buffer.alloc(5, 0xaa));
    expectSameBytes(backing.subarray(5, 295), Buffer.alloc(290, 0x55));
    expectSameBytes(backing.subarray(295), Buffer.alloc(5, 0xaa));
  });
});

describe('maskRange', () => {
  it('masks a sub-range of the source into the output at the given key position', () => {
    const key = randomBytes(4);
    const source = randomBytes(700);
    const output = Buffer.alloc(600);
    maskRange(source, 37, 637, key, 2, output, 0);
    expectSameBytes(output, naiveMask(source.subarray(37, 637), key, 2));
  });
});
