import { describe, expect, it } from 'vitest';
import { Utf8Validator } from '../../src/protocol/utf8-validator.js';

/** Validates the bytes as one text split into the given chunks. */
function validate(...chunks: number[][]): boolean {
  const v = new Utf8Validator();
  let ok = true;
  for (const chunk of chunks) ok = v.push(Buffer.from(chunk)) && ok;
  return v.end() && ok;
}

/** Validates bytes split at every pair of cut points (three chunks), so every split of every sequence is covered. */
function everySplitIsValid(bytes: Buffer): boolean {
  for (let a = 0; a <= bytes.length; a++) {
    for (let b = a; b <= bytes.length; b++) {
      const v = new Utf8Validator();
      const ok = v.push(bytes.subarray(0, a)) && v.push(bytes.subarray(a, b)) && v.push(bytes.subarray(b));
      if (!(ok && v.end())) return false;
    }
  }
  return true;
}

describe('Utf8Validator', () => {
  it('accepts ASCII, and an empty text', () => {
    expect(validate([0x48, 0x69, 0x7f])).toBe(true);
    expect(validate()).toBe(true);
    expect(validate([])).toBe(true);
  });

  it('accepts 2-, 3- and 4-byte text split at every byte boundary across fragments', () => {
    const text = Buffer.from('aé€😀Z\u{10FFFF}\u0080\u07FF\u0800\uFFFD\uD7FF\uE000\u{10000}', 'utf8');
    expect(everySplitIsValid(text)).toBe(true);
  });

  it('accepts a code point split one byte per fragment', () => {
    expect(validate([0xf0], [0x9f], [0x98], [0x80])).toBe(true);
  });

  it('rejects an overlong 2-byte form (C0 AF for "/"), and accepts the 1-byte form', () => {
    expect(validate([0xc0, 0xaf])).toBe(false);
    expect(validate([0xc1, 0xbf])).toBe(false);
    expect(validate([0x2f])).toBe(true);
  });

  it('rejects an overlong 3-byte form (E0 9F BF), and accepts the smallest 3-byte code point (E0 A0 80)', () => {
    expect(validate([0xe0, 0x9f, 0xbf])).toBe(false);
    expect(validate([0xe0], [0x9f, 0xbf])).toBe(false);
    expect(validate([0xe0, 0xa0, 0x80])).toBe(true);
  });

  it('rejects an overlong 4-byte form (F0 8F BF BF), and accepts U+10000 (F0 90 80 80)', () => {
    expect(validate([0xf0, 0x8f, 0xbf, 0xbf])).toBe(false);
    expect(validate([0xf0, 0x90, 0x80, 0x80])).toBe(true);
  });

  it('rejects surrogates (ED A0 80 is U+D800, ED BF BF is U+DFFF), and accepts U+D7FF (ED 9F BF)', () => {
    expect(validate([0xed, 0xa0, 0x80])).toBe(false);
    expect(validate([0xed], [0xa0], [0x80])).toBe(false);
    expect(validate([0xed, 0xbf, 0xbf])).toBe(false);
    expect(validate([0xed, 0x9f, 0xbf])).toBe(true);
  });

  it('rejects code points above U+10FFFF (F4 90 80 80, F5 80 80 80), and accepts U+10FFFF (F4 8F BF BF)', () => {
    expect(validate([0xf4, 0x90, 0x80, 0x80])).toBe(false);
    expect(validate([0xf5, 0x80, 0x80, 0x80])).toBe(false);
    expect(validate([0xff])).toBe(false);
    expect(validate([0xf4, 0x8f, 0xbf, 0xbf])).toBe(true);
  });

  it('rejects a stray continuation byte, and accepts it after its lead byte', () => {
    expect(validate([0x61, 0x80])).toBe(false);
    expect(validate([0xbf])).toBe(false);
    expect(validate([0x61, 0xc2, 0x80])).toBe(true);
  });

  it('rejects a lead byte followed by a non-continuation byte', () => {
    expect(validate([0xc3, 0x41])).toBe(false);
    expect(validate([0xe2, 0x82], [0x41])).toBe(false);
    expect(validate([0xe2, 0x82, 0xac, 0x41])).toBe(true);
  });

  it('reports a sequence truncated at the end of the text at end(), not before', () => {
    const v = new Utf8Validator();
    expect(v.push(Buffer.from([0x61, 0xe2, 0x82]))).toBe(true);
    expect(v.end()).toBe(false);
  });

  it('stays invalid after an invalid byte until reset()', () => {
    const v = new Utf8Validator();
    expect(v.push(Buffer.from([0xff]))).toBe(false);
    expect(v.push(Buffer.from('fine'))).toBe(false);
    expect(v.end()).toBe(false);
    v.reset();
    expect(v.push(Buffer.from('fine'))).toBe(true);
    expect(v.end()).toBe(true);
  });

  it('forgets a partial sequence on reset()', () => {
    const v = new Utf8Validator();
    v.push(Buffer.from([0xe2]));
    v.reset();
    expect(v.push(Buffer.from([0x41]))).toBe(true);
    expect(v.end()).toBe(true);
  });

  it('agrees with the TextDecoder on every 1- and 2-byte input and on 3-byte inputs around the edge cases', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const strict = (bytes: Uint8Array): boolean => {
      try { decoder.decode(bytes); return true; } catch { return false; }
    };
    const inputs: number[][] = [];
    for (let a = 0; a < 256; a++) {
      inputs.push([a]);
      for (let b = 0; b < 256; b++) inputs.push([a, b]);
    }
    for (const lead of [0xe0, 0xe1, 0xed, 0xef, 0xf0, 0xf4]) {
      for (let b = 0x70; b < 0xd0; b++) for (const c of [0x41, 0x7f, 0x80, 0xbf, 0xc0]) inputs.push([lead, b, c]);
    }
    const mismatches = inputs.filter((bytes) => validate(bytes) !== strict(Uint8Array.from(bytes)));
    expect(mismatches).toEqual([]);
  });
});
