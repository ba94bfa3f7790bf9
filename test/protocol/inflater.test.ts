import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Deflater } from '../../src/protocol/deflater.js';
import { Inflater } from '../../src/protocol/inflater.js';
import type { InflaterOptions, InflateStatus } from '../../src/protocol/inflater.js';

/** Inflates one whole message; returns its status and output. */
function inflate(inflater: Inflater, compressed: Buffer): { status: InflateStatus; data: Buffer } {
  const pieces: Buffer[] = [];
  inflater.write(compressed, (piece) => pieces.push(Buffer.from(piece)));
  const status = inflater.endMessage((piece) => pieces.push(Buffer.from(piece)));
  return { status, data: Buffer.concat(pieces) };
}

const TAKEOVER: InflaterOptions = { windowBits: 15, noContextTakeover: false };
const NO_TAKEOVER: InflaterOptions = { windowBits: 15, noContextTakeover: true };

describe('Inflater', () => {
  it('inflates the RFC 7692 §7.2.3.1 example "Hello" (f2 48 cd c9 c9 07 00)', () => {
    const inflater = new Inflater(TAKEOVER);
    expect(inflate(inflater, Buffer.from('f248cdc9c90700', 'hex'))).toEqual({ status: 'ok', data: Buffer.from('Hello') });
  });

  it('inflates a message fed one byte at a time, across fragments', () => {
    const inflater = new Inflater(TAKEOVER);
    const pieces: Buffer[] = [];
    for (const byte of Buffer.from('f248cdc9c90700', 'hex')) inflater.write(Buffer.from([byte]), (p) => pieces.push(Buffer.from(p)));
    expect(inflater.endMessage((p) => pieces.push(Buffer.from(p)))).toBe('ok');
    expect(Buffer.concat(pieces).toString()).toBe('Hello');
  });

  it('keeps the history across messages with context takeover (RFC 7692 §7.2.3.2: "Hello" again is f2 00 11 00 00)', () => {
    const inflater = new Inflater(TAKEOVER);
    expect(inflate(inflater, Buffer.from('f248cdc9c90700', 'hex')).data.toString()).toBe('Hello');
    expect(inflate(inflater, Buffer.from('f200110000', 'hex'))).toEqual({ status: 'ok', data: Buffer.from('Hello') });
  });

  it('starts every message with an empty history without context takeover, so a back-reference fails', () => {
    const inflater = new Inflater(NO_TAKEOVER);
    expect(inflate(inflater, Buffer.from('f248cdc9c90700', 'hex')).status).toBe('ok');
    expect(inflate(inflater, Buffer.from('f200110000', 'hex')).status).toBe('failed');
    expect(inflate(inflater, Buffer.from('f248cdc9c90700', 'hex'))).toEqual({ status: 'ok', data: Buffer.from('Hello') });
  });

  it('inflates the empty message (a single 00, RFC 7692 §7.2.3.6)', () => {
    expect(inflate(new Inflater(TAKEOVER), Buffer.from([0x00]))).toEqual({ status: 'ok', data: Buffer.alloc(0) });
  });

  it('inflates an empty payload (the tail alone) right after a failed message', () => {
    const inflater = new Inflater(TAKEOVER);
    expect(inflate(inflater, Buffer.from('ffffffffff', 'hex')).status).toBe('failed');
    expect(inflate(inflater, Buffer.alloc(0))).toEqual({ status: 'ok', data: Buffer.alloc(0) });
  });

  it('reports corrupt data as failed without throwing, and inflates the next message with a fresh stream', () => {
    const inflater = new Inflater(TAKEOVER);
    expect(inflate(inflater, Buffer.from('ffffffffff', 'hex')).status).toBe('failed');
    expect(inflate(inflater, Buffer.from('f248cdc9c90700', 'hex'))).toEqual({ status: 'ok', data: Buffer.from('Hello') });
  });

  it('uses the negotiated window for the history: a reference 2000 bytes back into the last message fails with 10 window bits', () => {
    const block = randomBytes(2000);
    const deflater = new Deflater({ windowBits: 15, noContextTakeover: false });
    const [first, second] = [deflater.compress(block), deflater.compress(block)];
    expect(second.length).toBeLessThan(40);
    const small = new Inflater({ windowBits: 10, noContextTakeover: false });
    expect(inflate(small, first).data).toEqual(block);
    expect(inflate(small, second).status).toBe('failed');
    const large = new Inflater({ windowBits: 11, noContextTakeover: false });
    expect(inflate(large, first).data).toEqual(block);
    expect(inflate(large, second)).toEqual({ status: 'ok', data: block });
  });

  it('inflates what a sender that negotiated 8 window bits sends (zlib compresses it with a 9-bit window)', () => {
    const block = randomBytes(200);
    const deflater = new Deflater({ windowBits: 8, noContextTakeover: false });
    const [first, second] = [deflater.compress(block), deflater.compress(block)];
    expect(second.length).toBeLessThan(20);
    const inflater = new Inflater({ windowBits: 8, noContextTakeover: false });
    expect(inflate(inflater, first)).toEqual({ status: 'ok', data: block });
    expect(inflate(inflater, second)).toEqual({ status: 'ok', data: block });
  });

  it('inflates a message that ends with a BFINAL block, and the next message with a new stream', () => {
    const inflater = new Inflater(TAKEOVER);
    const final = zlib.deflateRawSync(Buffer.from('the end'));
    expect(inflate(inflater, final)).toEqual({ status: 'ok', data: Buffer.from('the end') });
    expect(inflate(inflater, Buffer.from('f248cdc9c90700', 'hex'))).toEqual({ status: 'ok', data: Buffer.from('Hello') });
  });

  it('reports data after a BFINAL block in the same message as failed', () => {
    const inflater = new Inflater(TAKEOVER);
    const data = Buffer.concat([zlib.deflateRawSync(Buffer.from('the end')), Buffer.from('f248cdc9c90700', 'hex')]);
    expect(inflate(inflater, data).status).toBe('failed');
  });

  it('hands out output in pieces of at most 64 KiB', () => {
    const original = Buffer.alloc(1_000_000, 'abc');
    const compressed = new Deflater(NO_TAKEOVER).compress(original);
    const inflater = new Inflater(NO_TAKEOVER);
    const sizes: number[] = [];
    inflater.write(compressed, (piece) => sizes.push(piece.length));
    inflater.endMessage((piece) => sizes.push(piece.length));
    expect(Math.max(...sizes)).toBe(65536);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(1_000_000);
  });

  describe('a zip bomb: 50 MB of zeros compressed', () => {
    /** 50 MB of zeros through our deflater, 1 MiB at a time, so the test itself never holds 50 MB. */
    function bomb(deflater: Deflater): Buffer {
      const zeros = Buffer.alloc(1024 * 1024);
      const parts: Buffer[] = [];
      for (let i = 0; i < 47; i++) parts.push(deflater.compress(zeros, false));
      parts.push(deflater.compress(Buffer.alloc(50_000_000 - 47 * zeros.length), true));
      return Buffer.concat(parts);
    }

    it('stops at maxInflatedSize with too-large, having kept only the cap, quickly and in bounded memory', () => {
      const compressed = bomb(new Deflater(NO_TAKEOVER));
      expect(compressed.length).toBeLessThan(200_000);
      const inflater = new Inflater({ ...NO_TAKEOVER, maxInflatedSize: 1024 * 1024 });
      const before = process.memoryUsage().arrayBuffers;
      let total = 0;
      let nonZero = 0;
      const started = performance.now();
      for (let at = 0; at < compressed.length; at += 4096) {
        inflater.write(compressed.subarray(at, at + 4096), (piece) => {
          total += piece.length;
          nonZero += piece.filter((b) => b !== 0).length;
        });
      }
      const status = inflater.endMessage((piece) => { total += piece.length; });
      const elapsed = performance.now() - started;
      const grown = process.memoryUsage().arrayBuffers - before;
      expect(status).toBe('too-large');
      expect(total).toBe(1024 * 1024);
      expect(nonZero).toBe(0);
      expect(grown).toBeLessThan(8 * 1024 * 1024);
      expect(elapsed).toBeLessThan(1000);
    });

    it('leaves a context-takeover direction honest afterwards: a message needing the lost history fails', () => {
      const deflater = new Deflater(TAKEOVER);
      const compressed = bomb(deflater);
      const next = deflater.compress(Buffer.alloc(1000)); // refers back into the zeros
      const alone = new Deflater(NO_TAKEOVER).compress(Buffer.from('Hello'));
      const inflater = new Inflater({ ...TAKEOVER, maxInflatedSize: 1024 * 1024 });
      expect(inflate(inflater, compressed).status).toBe('too-large');
      expect(inflate(inflater, next).status).toBe('failed');
      expect(inflate(inflater, alone)).toEqual({ status: 'ok', data: Buffer.from('Hello') });
    });
  });

  it('loses the history after an aborted message, so a back-reference into it fails', () => {
    const deflater = new Deflater(TAKEOVER);
    const first = deflater.compress(Buffer.from('Hello'));
    const second = deflater.compress(Buffer.from('Hello'));
    const inflater = new Inflater(TAKEOVER);
    inflater.write(first, () => {});
    inflater.abortMessage();
    expect(inflate(inflater, second).status).toBe('failed');
  });
});
