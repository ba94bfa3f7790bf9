// CRC-32 (the zlib/PNG polynomial, bit-reflected) of a range of a buffer. Every record carries one, so
// short records are the common case: zlib's crc32 costs a few hundred ns a call whatever the length,
// while eight table lookups per 8 bytes in JavaScript (slice-by-8) take less below a few hundred bytes.
import { crc32 } from 'node:zlib';

/** Below this many bytes the JavaScript loop beats a call into zlib. */
const NATIVE_FROM = 256;
const POLY = 0xedb88320;

/** 8 tables of 256 entries: TABLES[k * 256 + b] is the CRC of byte b followed by k zero bytes. */
const TABLES = new Int32Array(256 * 8);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  TABLES[n] = c;
}
for (let n = 0; n < 256; n++) {
  for (let k = 1; k < 8; k++) {
    const previous = TABLES[(k - 1) * 256 + n];
    TABLES[k * 256 + n] = (previous >>> 8) ^ TABLES[previous & 0xff];
  }
}

/** The one-byte table: CRC_TABLE[b] is the CRC step of byte b. */
export const CRC_TABLE: Int32Array = TABLES.subarray(0, 256);

/** CRC-32 of buf[start, end), continuing `crc` (0 to start), as zlib's crc32 gives it. */
export function crc32Range(buf: Buffer, start: number, end: number, crc = 0): number {
  if (end - start >= NATIVE_FROM) return crc32(buf.subarray(start, end), crc);
  const t = TABLES;
  let c = ~crc;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = c ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24));
    c = t[1792 + (a & 0xff)] ^ t[1536 + ((a >>> 8) & 0xff)] ^ t[1280 + ((a >>> 16) & 0xff)] ^ t[1024 + (a >>> 24)]
      ^ t[768 + buf[i + 4]] ^ t[512 + buf[i + 5]] ^ t[256 + buf[i + 6]] ^ t[buf[i + 7]];
  }
  for (; i < end; i++) c = t[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
