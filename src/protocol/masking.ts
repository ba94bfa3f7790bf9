// Masking and unmasking of payload bytes (RFC 6455 §5.3): byte i is XORed with key[i mod 4].
// Payload arrives in chunks, so every function takes the key position (keyOffset) at which the
// first byte sits: the position continues across chunks of one frame.
//
// Speed matters (a relay unmasks every client byte): long runs go 4 bytes at a time through
// 32-bit views, which needs source and output equally aligned (otherwise the source is copied first
// and masked in place); short runs use an unrolled byte loop, which beats building views.

/** Below this many bytes the byte loop is faster than creating 32-bit views. */
const WORD_THRESHOLD = 128;

/**
 * XORs source[sourceStart, sourceEnd) with the key into output from outputOffset, starting at key
 * position keyOffset (any integer >= 0; only keyOffset mod 4 matters). Source and output may be the
 * same buffer when sourceStart === outputOffset (in-place); other overlaps are not supported. The
 * caller guarantees that output has room.
 */
export function maskRange(
  source: Uint8Array,
  sourceStart: number,
  sourceEnd: number,
  key: Uint8Array,
  keyOffset: number,
  output: Uint8Array,
  outputOffset: number,
): void {
  const length = sourceEnd - sourceStart;
  if (length < WORD_THRESHOLD) {
    maskBytes(source, sourceStart, length, key, keyOffset, output, outputOffset);
    return;
  }
  if (((source.byteOffset + sourceStart) & 3) !== ((output.byteOffset + outputOffset) & 3)) {
    // Different alignments: copy (memcpy speed), then mask the output in place, where the alignments
    // agree. That beats unaligned 32-bit access through DataViews by far.
    output.set(source.subarray(sourceStart, sourceEnd), outputOffset);
    maskRange(output, outputOffset, outputOffset + length, key, keyOffset, output, outputOffset);
    return;
  }
  const sourceAlign = (source.byteOffset + sourceStart) & 3;
  // Bytes up to the first 4-byte boundary, then whole words, then the tail.
  const lead = (4 - sourceAlign) & 3;
  maskBytes(source, sourceStart, lead, key, keyOffset, output, outputOffset);
  const words = (length - lead) >>> 2;
  const wordKey = keyWord(key, keyOffset + lead);
  const from = new Int32Array(source.buffer, source.byteOffset + sourceStart + lead, words);
  const to = new Int32Array(output.buffer, output.byteOffset + outputOffset + lead, words);
  const pairs = words & ~1;
  let j = 0;
  for (; j < pairs; j += 2) {
    to[j] = from[j] ^ wordKey;
    to[j + 1] = from[j + 1] ^ wordKey;
  }
  if (j < words) to[j] = from[j] ^ wordKey;
  const done = lead + words * 4;
  maskBytes(source, sourceStart + done, length - done, key, keyOffset + done, output, outputOffset + done);
}

/**
 * Masks (or unmasks: the operation is its own inverse) all of source into output at outputOffset.
 * keyOffset is the key position of source[0] (default 0). The source is not modified.
 */
export function mask(source: Buffer, key: Buffer, output: Buffer, outputOffset: number, keyOffset = 0): void {
  checkKey(key);
  if (outputOffset < 0 || outputOffset + source.length > output.length) {
    throw new RangeError(`output has no room for ${source.length} bytes at offset ${outputOffset}`);
  }
  maskRange(source, 0, source.length, key, keyOffset, output, outputOffset);
}

/** Unmasks (or masks) buffer in place; keyOffset is the key position of buffer[0] (default 0). */
export function unmaskInPlace(buffer: Buffer, key: Buffer, keyOffset = 0): void {
  checkKey(key);
  maskRange(buffer, 0, buffer.length, key, keyOffset, buffer, 0);
}

function checkKey(key: Buffer): void {
  if (key.length !== 4) throw new RangeError(`a masking key has 4 bytes, not ${key.length}`);
}

/** The key as one 32-bit word in platform byte order, rotated so that its first byte is key[keyOffset mod 4]. */
function keyWord(key: Uint8Array, keyOffset: number): number {
  const k0 = key[keyOffset & 3];
  const k1 = key[(keyOffset + 1) & 3];
  const k2 = key[(keyOffset + 2) & 3];
  const k3 = key[(keyOffset + 3) & 3];
  return LITTLE_ENDIAN ? k0 | (k1 << 8) | (k2 << 16) | (k3 << 24) : (k0 << 24) | (k1 << 16) | (k2 << 8) | k3;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function maskBytes(
  source: Uint8Array, start: number, length: number, key: Uint8Array, keyOffset: number,
  output: Uint8Array, outputOffset: number,
): void {
  const k0 = key[keyOffset & 3];
  const k1 = key[(keyOffset + 1) & 3];
  const k2 = key[(keyOffset + 2) & 3];
  const k3 = key[(keyOffset + 3) & 3];
  const whole = length & ~3;
  let i = 0;
  for (; i < whole; i += 4) {
    output[outputOffset + i] = source[start + i] ^ k0;
    output[outputOffset + i + 1] = source[start + i + 1] ^ k1;
    output[outputOffset + i + 2] = source[start + i + 2] ^ k2;
    output[outputOffset + i + 3] = source[start + i + 3] ^ k3;
  }
  if (i < length) output[outputOffset + i] = source[start + i] ^ k0;
  if (i + 1 < length) output[outputOffset + i + 1] = source[start + i + 1] ^ k1;
  if (i + 2 < length) output[outputOffset + i + 2] = source[start + i + 2] ^ k2;
}
