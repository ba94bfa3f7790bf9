import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32Range } from '../../src/capture/record-crc.js';

describe('crc32Range', () => {
  const bytes = Buffer.from(Array.from({ length: 1200 }, (_, i) => (i * 7919 + (i >> 3)) & 0xff));

  it('is zlib\'s CRC-32 of the range, for every length across the switch to zlib and every alignment', () => {
    for (let start = 0; start < 9; start++) {
      for (let length = 0; length <= 600; length++) {
        expect(crc32Range(bytes, start, start + length)).toBe(crc32(bytes.subarray(start, start + length)));
      }
    }
  });

  it('continues a CRC as zlib does', () => {
    const first = crc32(bytes.subarray(0, 100));
    for (const length of [0, 1, 7, 8, 9, 100, 255, 256, 700]) {
      expect(crc32Range(bytes, 100, 100 + length, first)).toBe(crc32(bytes.subarray(0, 100 + length)));
    }
  });

  it('knows the check value of "123456789"', () => {
    expect(crc32Range(Buffer.from('123456789'), 0, 9)).toBe(0xcbf43926);
  });
});
