import { describe, expect, it } from 'vitest';
import { applyMask, base64ToBytes, bytesToBase64, bytesToHex, decodeUtf8, formatBytes, hexToBytes, parseBase64 } from '../../../renderer/src/protocol/bytes.js';

describe('byte conversions', () => {
  it('masks "Hello" with RFC 6455 §5.7\'s key into the bytes on the wire, and back', () => {
    const masked = applyMask(Buffer.from('Hello'), '37fa213d');
    expect(bytesToHex(masked)).toBe('7f9f4d5158');
    expect(Buffer.from(applyMask(masked, '37fa213d')).toString()).toBe('Hello');
  });

  it('starts the key at the given payload offset', () => {
    expect(bytesToHex(applyMask(Buffer.from('llo'), '37fa213d', 2))).toBe('4d5158');
  });

  it('reads hex with spaces, commas and 0x prefixes, and names what is not hex', () => {
    expect(Array.from(hexToBytes('0xde ad,BE:ef'))).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(() => hexToBytes('abc')).toThrow('an odd number of hex digits');
    expect(() => hexToBytes('zz')).toThrow('not hex: "z"');
  });

  it('round-trips base64, accepts the URL alphabet and refuses what is not base64', () => {
    const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => i % 251);
    expect(Buffer.from(base64ToBytes(bytesToBase64(bytes))).equals(Buffer.from(bytes))).toBe(true);
    expect(Array.from(parseBase64('-_8'))).toEqual([0xfb, 0xff]);
    expect(() => parseBase64('a$b=')).toThrow('not base64');
  });

  it('tells valid UTF-8 from invalid, replacing bad sequences', () => {
    expect(decodeUtf8(Buffer.from('✓ ok'))).toEqual({ text: '✓ ok', valid: true });
    expect(decodeUtf8(Buffer.from([0x61, 0xff, 0x62]))).toEqual({ text: 'a\ufffdb', valid: false });
  });

  it('writes sizes in binary units', () => {
    expect([0, 1023, 1024, 1536, 10 * 1024 * 1024, 3 * 1024 ** 3].map(formatBytes)).toEqual(['0 B', '1023 B', '1.00 KiB', '1.50 KiB', '10.0 MiB', '3.00 GiB']);
  });
});
