import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { Sender as WsSender } from 'ws';
import { encodeClosePayload, encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import type { FrameSpec } from '../../src/protocol/frame-encoder.js';
import { DEFAULT_MAX_STORED_PAYLOAD, FrameParser } from '../../src/protocol/frame-parser.js';
import type { FrameParserOptions } from '../../src/protocol/frame-parser.js';
import type { Frame, FrameHeader, FrameSink, Sender } from '../../src/protocol/frame.js';
import type { ViolationCode } from '../../src/protocol/violations.js';
import { RFC_EXAMPLES, expectSameBytes, patternPayload, recordingSink, withoutPosition } from './fixtures.js';
import type { Recording } from './fixtures.js';

const KEY = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

/** Decodes chunks with a fresh parser; returns what the sink heard and what end() returned. */
function decode(chunks: Buffer[], options: FrameParserOptions): Recording & { ended: Frame | null; parser: FrameParser } {
  const sink = recordingSink();
  const parser = new FrameParser(options, sink);
  for (const chunk of chunks) parser.push(chunk);
  const ended = parser.end();
  return { ...sink, ended, parser };
}

/** Decodes one frame's bytes and returns the frame (asserting there was exactly one). */
function decodeOne(bytes: Buffer, options: FrameParserOptions): Frame {
  const { frames, ended } = decode([bytes], options);
  expect(ended).toBeNull();
  expect(frames).toHaveLength(1);
  return frames[0]!;
}

const HEADER_FIELDS = ['fin', 'rsv1', 'rsv2', 'rsv3', 'opcode', 'masked', 'payloadLength', 'lengthForm', 'headerLength'] as const;

function sameHeader(a: FrameHeader, b: FrameHeader): boolean {
  for (const field of HEADER_FIELDS) if (a[field] !== b[field]) return false;
  if ((a.maskKey === undefined) !== (b.maskKey === undefined)) return false;
  return a.maskKey === undefined || a.maskKey.equals(b.maskKey!);
}

function sameFrame(a: Frame, b: Frame): boolean {
  return sameHeader(a, b) && a.index === b.index && a.offset === b.offset && a.truncated === b.truncated
    && a.closeCode === b.closeCode && a.closeReason === b.closeReason
    && a.violations.join() === b.violations.join() && a.payload.equals(b.payload);
}

/**
 * A sink that checks every call against a reference decoding as it happens, without copying (so
 * that splitting a 64 KiB frame at each of its 65546 boundaries stays fast). Mismatches are
 * collected, not thrown: the parser must never see an exception.
 */
function checkingSink(reference: Recording, label: string, problems: string[]): FrameSink & { done(): void } {
  let headerCount = 0;
  let frameCount = 0;
  let payloadAt = 0;
  let current = -1;
  const fail = (what: string) => { if (problems.length < 5) problems.push(`${label}: ${what}`); };
  return {
    onHeader(header, index, offset) {
      const expected = reference.headers[headerCount++];
      if (expected === undefined || !sameHeader(header, expected.header) || index !== expected.index || offset !== expected.offset) {
        fail(`header ${headerCount - 1} differs`);
      }
      current = index;
      payloadAt = 0;
    },
    onPayload(chunk) {
      const expected = reference.payloads[current];
      if (expected === undefined || expected.compare(chunk, 0, chunk.length, payloadAt, payloadAt + chunk.length) !== 0) {
        fail(`payload of frame ${current} differs at ${payloadAt}`);
      }
      payloadAt += chunk.length;
    },
    onFrame(frame) {
      const expected = reference.frames[frameCount++];
      if (expected === undefined || !sameFrame(frame, expected)) fail(`frame ${frameCount - 1} differs`);
      if (payloadAt !== (reference.payloads[frame.index]?.length ?? -1)) fail(`payload of frame ${frame.index} is short`);
    },
    done() {
      if (headerCount !== reference.headers.length || frameCount !== reference.frames.length) fail('frame count differs');
    },
  };
}

/** Asserts that the bytes decode exactly like in one piece when cut at each of the given cut lists. */
function expectSameWhenSplit(bytes: Buffer, options: FrameParserOptions, cutLists: Iterable<number[]>): void {
  const reference = decode([bytes], options);
  const problems: string[] = [];
  for (const cuts of cutLists) {
    const sink = checkingSink(reference, `cut at ${cuts.join(',')}`, problems);
    const parser = new FrameParser(options, sink);
    let at = 0;
    for (const cut of [...cuts, bytes.length]) {
      parser.push(bytes.subarray(at, cut));
      at = cut;
    }
    const ended = parser.end();
    if ((ended === null) !== (reference.ended === null) || (ended !== null && !sameFrame(ended, reference.ended!))) {
      problems.push(`cut at ${cuts.join(',')}: end() differs`);
    }
    sink.done();
    if (problems.length >= 5) break;
  }
  expect(problems).toEqual([]);
}

function* everyCut(length: number): Generator<number[]> {
  for (let cut = 0; cut <= length; cut++) yield [cut];
}

function* everyPairOfCuts(length: number): Generator<number[]> {
  for (let a = 1; a < length; a++) for (let b = a; b < length; b++) yield [a, b];
}

function* oneByteAtATime(length: number): Generator<number[]> {
  yield Array.from({ length }, (_, i) => i);
}

describe('FrameParser on the examples of RFC 6455 §5.7', () => {
  it.each(RFC_EXAMPLES.map((fixture) => [fixture.name, fixture] as const))('decodes %s to the exact fields', (_name, fixture) => {
    const frame = decodeOne(fixture.bytes, { from: fixture.from });
    const { payload, ...fields } = withoutPosition(frame);
    const { payload: expectedPayload, ...expectedFields } = fixture.expected;
    expect(fields).toEqual(expectedFields);
    expectSameBytes(payload, expectedPayload);
    expect(frame.index).toBe(0);
    expect(frame.offset).toBe(0);
    expect(frame.violations).toEqual([]);
  });

  it.each(RFC_EXAMPLES.map((fixture) => [fixture.name, fixture] as const))('decodes %s identically when split at every byte boundary', (_name, fixture) => {
    // Past 4 KiB the stored payload is capped, so that 65546 splits of the 64 KiB example do not each
    // allocate 64 KiB: cuts in the first 4 KiB of payload go through the stored copy, later ones
    // through the streamed path, and onPayload still checks every byte against the whole decoding.
    expectSameWhenSplit(fixture.bytes, { from: fixture.from, maxStoredPayload: 4096 }, everyCut(fixture.bytes.length));
  });

  it.each(RFC_EXAMPLES.map((fixture) => [fixture.name, fixture] as const))('decodes %s identically when fed one byte at a time', (_name, fixture) => {
    expectSameWhenSplit(fixture.bytes, { from: fixture.from }, oneByteAtATime(fixture.bytes.length));
  });

  it('decodes the short examples identically when split at every pair of byte boundaries', () => {
    for (const fixture of RFC_EXAMPLES.filter((f) => f.bytes.length < 300)) {
      expectSameWhenSplit(fixture.bytes, { from: fixture.from }, everyPairOfCuts(fixture.bytes.length));
    }
  });

  it('decodes the server examples as one stream with indexes and stream offsets', () => {
    const fixtures = RFC_EXAMPLES.filter((f) => f.from === 'server');
    const stream = Buffer.concat(fixtures.map((f) => f.bytes));
    const { frames, headers } = decode([stream], { from: 'server' });
    let offset = 0;
    expect(frames.map((f) => [f.index, f.offset])).toEqual(fixtures.map((f, i) => {
      const entry = [i, offset];
      offset += f.bytes.length;
      return entry;
    }));
    expect(headers.map((h) => [h.index, h.offset])).toEqual(frames.map((f) => [f.index, f.offset]));
  });

  it('decodes a stream of every example identically when split at every byte boundary', () => {
    const fixtures = RFC_EXAMPLES.filter((f) => f.bytes.length < 1000);
    const stream = Buffer.concat(fixtures.map((f) => f.bytes));
    // Mixed masking: from the client's side the unmasked ones are violations, which must not vary either.
    expectSameWhenSplit(stream, { from: 'client' }, everyCut(stream.length));
    expectSameWhenSplit(stream, { from: 'client' }, oneByteAtATime(stream.length));
  });
});

describe('FrameParser sink calls', () => {
  it('calls onHeader as soon as the header is complete, before any payload byte', () => {
    const sink = recordingSink();
    const parser = new FrameParser({ from: 'client' }, sink);
    const bytes = encodeFrameBytes({ opcode: 2, mask: KEY, payload: patternPayload(300) });
    parser.push(bytes.subarray(0, 8));
    expect(sink.headers).toEqual([{
      header: { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 2, masked: true, maskKey: KEY, payloadLength: 300, lengthForm: 16, headerLength: 8 },
      index: 0,
      offset: 0,
    }]);
    expect(sink.payloadCalls).toBe(0);
    expect(parser.atFrameBoundary).toBe(false);
  });

  it('passes unmasked payload bytes to onPayload as they arrive, before the frame is complete', () => {
    const seen: Buffer[] = [];
    const sink = { ...recordingSink(), onPayload: (chunk: Buffer) => { seen.push(Buffer.from(chunk)); } };
    const parser = new FrameParser({ from: 'client' }, sink);
    const payload = patternPayload(1000);
    const bytes = encodeFrameBytes({ opcode: 2, mask: KEY, payload });
    parser.push(bytes.subarray(0, 108));
    expect(Buffer.concat(seen)).toEqual(payload.subarray(0, 100));
    expect(sink.frames).toEqual([]);
    parser.push(bytes.subarray(108));
    expectSameBytes(Buffer.concat(seen), payload);
    expect(sink.frames).toHaveLength(1);
  });

  it('gives onHeader and onFrame but no onPayload for an empty payload', () => {
    const { headers, frames, payloadCalls } = decode([Buffer.from([0x89, 0x00])], { from: 'server' });
    expect(headers).toHaveLength(1);
    expect(payloadCalls).toBe(0);
    expect(frames).toEqual([{
      fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 9, masked: false, payloadLength: 0, lengthForm: 7,
      headerLength: 2, index: 0, offset: 0, payload: Buffer.alloc(0), truncated: false, violations: [],
    }]);
  });

  it('hands onHeader the Frame object that onFrame later receives', () => {
    const headers: FrameHeader[] = [];
    const frames: Frame[] = [];
    const parser = new FrameParser({ from: 'server' }, { onHeader: (h) => headers.push(h), onPayload: () => {}, onFrame: (f) => frames.push(f) });
    parser.push(RFC_EXAMPLES[0]!.bytes);
    expect(headers[0]).toBe(frames[0]);
  });

  it('counts bytesReceived and reports frame boundaries', () => {
    const parser = new FrameParser({ from: 'server' }, recordingSink());
    expect(parser.atFrameBoundary).toBe(true);
    parser.push(Buffer.from([0x81]));
    expect(parser.atFrameBoundary).toBe(false);
    parser.push(Buffer.from([0x02, 0x68]));
    expect(parser.atFrameBoundary).toBe(false);
    parser.push(Buffer.from([0x69]));
    expect(parser.atFrameBoundary).toBe(true);
    expect(parser.bytesReceived).toBe(4);
  });

  it('reads a 64-bit length without allocating the payload size', () => {
    const sink = recordingSink();
    const parser = new FrameParser({ from: 'server', maxStoredPayload: 16 }, sink);
    // 2^53 - 1 bytes announced: allocating that would throw; only the stored cap is allocated.
    parser.push(Buffer.from([0x82, 0x7f, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    expect(sink.headers[0]!.header).toMatchObject({ payloadLength: Number.MAX_SAFE_INTEGER, lengthForm: 64, headerLength: 10 });
    expect(sink.payloadCalls).toBe(1);
    const frame = parser.end()!;
    expect(frame.payload).toEqual(Buffer.from([1, 2, 3]));
    expect(frame.violations).toEqual(['truncated-frame']);
  });
});

describe('FrameParser never modifies its input', () => {
  it('leaves masked chunks unchanged (it unmasks into its own buffers)', () => {
    const bytes = Buffer.concat([
      encodeFrameBytes({ opcode: 1, mask: KEY, payload: 'Hello' }),
      encodeFrameBytes({ opcode: 2, mask: randomBytes(4), payload: randomBytes(70_000) }),
      encodeFrameBytes({ opcode: 8, mask: KEY, payload: encodeClosePayload(1000, 'bye') }),
    ]);
    const original = Buffer.from(bytes);
    const chunks = [bytes.subarray(0, 3), bytes.subarray(3, 9000), bytes.subarray(9000)];
    const { frames } = decode(chunks, { from: 'client', maxStoredPayload: 1000 });
    expect(frames).toHaveLength(3);
    expectSameBytes(bytes, original);
  });
});

describe('FrameParser payload cap (maxStoredPayload)', () => {
  it('defaults to 1 MiB', () => {
    expect(DEFAULT_MAX_STORED_PAYLOAD).toBe(1024 * 1024);
  });

  it('keeps only maxStoredPayload bytes, marks the frame truncated, and still streams every byte', () => {
    const payload = patternPayload(5000);
    const { frames, payloads } = decode([encodeFrameBytes({ opcode: 2, mask: KEY, payload })], { from: 'client', maxStoredPayload: 100 });
    expectSameBytes(frames[0]!.payload, payload.subarray(0, 100));
    expect(frames[0]!.truncated).toBe(true);
    expect(frames[0]!.violations).toEqual([]);
    expectSameBytes(payloads[0]!, payload);
  });

  it('keeps nothing with a cap of 0 yet streams unmasked frames through', () => {
    const payload = patternPayload(3000);
    const { frames, payloads } = decode([encodeFrameBytes({ opcode: 2, payload })], { from: 'server', maxStoredPayload: 0 });
    expect(frames[0]!.payload.length).toBe(0);
    expect(frames[0]!.truncated).toBe(true);
    expectSameBytes(payloads[0]!, payload);
  });

  it('is not truncated when the payload is exactly the cap', () => {
    const payload = patternPayload(100);
    const frame = decodeOne(encodeFrameBytes({ opcode: 2, payload }), { from: 'server', maxStoredPayload: 100 });
    expect(frame.truncated).toBe(false);
    expectSameBytes(frame.payload, payload);
  });

  it('streams a 5 MB masked frame fed in 64 KiB chunks, keeps 1 MiB, and leaves the chunks unchanged', () => {
    const payload = randomBytes(5 * 1000 * 1000);
    const bytes = encodeFrameBytes({ opcode: 2, mask: randomBytes(4), payload });
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 65536) chunks.push(bytes.subarray(at, at + 65536));
    const original = Buffer.from(bytes);
    const pieces: Buffer[] = [];
    let largest = 0;
    const frames: Frame[] = [];
    const parser = new FrameParser({ from: 'client' }, {
      onHeader: () => {},
      onPayload: (chunk) => { pieces.push(Buffer.from(chunk)); largest = Math.max(largest, chunk.length); },
      onFrame: (frame) => frames.push(frame),
    });
    for (const chunk of chunks) parser.push(chunk);
    expect(parser.end()).toBeNull();
    expectSameBytes(Buffer.concat(pieces), payload);
    expect(largest).toBeLessThanOrEqual(65536);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.payloadLength).toBe(5_000_000);
    expect(frames[0]!.truncated).toBe(true);
    expectSameBytes(frames[0]!.payload, payload.subarray(0, DEFAULT_MAX_STORED_PAYLOAD));
    expectSameBytes(bytes, original);
  });

  it('keeps whole payloads with a cap of Infinity, growing its buffer past 1 MiB as bytes arrive', () => {
    const payload = randomBytes(3 * 1024 * 1024 + 5);
    const bytes = encodeFrameBytes({ opcode: 2, mask: randomBytes(4), payload });
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 65536 + 3) chunks.push(bytes.subarray(at, at + 65536 + 3));
    const { frames, payloads } = decode(chunks, { from: 'client', maxStoredPayload: Infinity });
    expect(frames[0]!.truncated).toBe(false);
    expectSameBytes(frames[0]!.payload, payload);
    expectSameBytes(payloads[0]!, payload);
  });

  it('reserves at most 1 MiB up front for a huge announced length with a cap of Infinity', () => {
    const { headers, ended } = decode([Buffer.from([0x82, 0x7f, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 9, 8])], { from: 'server', maxStoredPayload: Infinity });
    expect(headers[0]!.header.payloadLength).toBe(Number.MAX_SAFE_INTEGER);
    expect(ended!.payload).toEqual(Buffer.from([9, 8]));
  });

  it('rejects a cap that is negative or not an integer', () => {
    const sink = recordingSink();
    expect(() => new FrameParser({ from: 'client', maxStoredPayload: -1 }, sink)).toThrow(RangeError);
    expect(() => new FrameParser({ from: 'client', maxStoredPayload: 1.5 }, sink)).toThrow(RangeError);
    expect(() => new FrameParser({ from: 'client', maxStoredPayload: Number.NaN }, sink)).toThrow(RangeError);
  });

  it('streams the unkept part of an unmasked frame as a view of the input, without copying', () => {
    const payload = randomBytes(200_000);
    const bytes = encodeFrameBytes({ opcode: 2, payload });
    const pieces: Buffer[] = [];
    const sharesInput: boolean[] = [];
    const parser = new FrameParser({ from: 'server', maxStoredPayload: 1000 }, {
      onHeader: () => {},
      onPayload: (chunk) => { pieces.push(Buffer.from(chunk)); sharesInput.push(chunk.buffer === bytes.buffer); },
      onFrame: () => {},
    });
    parser.push(bytes);
    expect(pieces.map((p) => p.length)).toEqual([1000, 199_000]);
    expect(sharesInput).toEqual([false, true]);
    expectSameBytes(Buffer.concat(pieces), payload);
  });
});

describe('FrameParser.end', () => {
  it('returns null at a frame boundary', () => {
    const { ended, frames } = decode([RFC_EXAMPLES[0]!.bytes], { from: 'server' });
    expect(ended).toBeNull();
    expect(frames).toHaveLength(1);
  });

  it('returns null when nothing was pushed', () => {
    expect(decode([], { from: 'client' }).ended).toBeNull();
  });

  it('returns the frame cut in its payload, with what arrived, truncated and truncated-frame', () => {
    const bytes = encodeFrameBytes({ opcode: 1, mask: KEY, payload: 'Hello' });
    const { frames, ended, payloads, headers } = decode([bytes.subarray(0, 9)], { from: 'client' });
    expect(frames).toEqual([]);
    expect(headers).toHaveLength(1);
    expect(payloads).toEqual([]);
    expect(ended).toEqual({
      fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, masked: true, maskKey: KEY, payloadLength: 5,
      lengthForm: 7, headerLength: 6, index: 0, offset: 0, payload: Buffer.from('Hel'), truncated: true,
      violations: ['truncated-frame'],
    });
  });

  it('keeps the header violations of a cut frame before truncated-frame', () => {
    const bytes = encodeFrameBytes({ opcode: 2, payload: 'abc' });
    const { ended } = decode([bytes.subarray(0, 3)], { from: 'client' });
    expect(ended!.violations).toEqual(['unmasked-client-frame', 'truncated-frame']);
  });

  it('returns a frame cut after its first byte with the fields of that byte', () => {
    const { ended, headers } = decode([RFC_EXAMPLES[0]!.bytes, Buffer.from([0x82])], { from: 'server' });
    expect(headers).toHaveLength(1);
    expect(ended).toEqual({
      fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 2, masked: false, payloadLength: 0, lengthForm: 7,
      headerLength: 1, index: 1, offset: 7, payload: Buffer.alloc(0), truncated: true, violations: ['truncated-frame'],
    });
  });

  it('returns a frame cut in its extended length with the header bytes received', () => {
    const { ended, headers } = decode([Buffer.from([0x82, 0xfe, 0x01])], { from: 'client' });
    expect(headers).toEqual([]);
    expect(ended).toEqual({
      fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 2, masked: true, payloadLength: 126, lengthForm: 16,
      headerLength: 3, index: 0, offset: 0, payload: Buffer.alloc(0), truncated: true, violations: ['truncated-frame'],
    });
  });

  it('returns a frame cut in its masking key without a key', () => {
    const { ended } = decode([Buffer.from([0x81, 0x85, 0x37, 0xfa])], { from: 'client' });
    expect(ended).toMatchObject({ masked: true, payloadLength: 5, headerLength: 4, truncated: true, violations: ['truncated-frame'] });
    expect(ended!.maskKey).toBeUndefined();
  });

  it('leaves the parser at a frame boundary, counting the cut frame', () => {
    const sink = recordingSink();
    const parser = new FrameParser({ from: 'server' }, sink);
    parser.push(Buffer.from([0x81, 0x05, 0x48]));
    expect(parser.end()!.index).toBe(0);
    expect(parser.atFrameBoundary).toBe(true);
    expect(parser.end()).toBeNull();
    parser.push(RFC_EXAMPLES[0]!.bytes);
    expect(sink.frames.map((f) => [f.index, f.offset])).toEqual([[1, 3]]);
  });
});

interface ViolationCase {
  /** The violation the bad frame must give, alone. */
  violation: ViolationCode;
  /** Variant description. */
  how: string;
  from: Sender;
  rsv1Allowed?: boolean;
  bad: FrameSpec;
  /** A valid counterpart that differs only in what the check looks at. */
  good: FrameSpec;
}

const masked = { mask: KEY } as const;
const VIOLATION_CASES: ViolationCase[] = [
  { violation: 'unmasked-client-frame', how: 'a client text frame without MASK', from: 'client', bad: { opcode: 1, payload: 'hi' }, good: { opcode: 1, payload: 'hi', ...masked } },
  { violation: 'masked-server-frame', how: 'a server text frame with MASK', from: 'server', bad: { opcode: 1, payload: 'hi', ...masked }, good: { opcode: 1, payload: 'hi' } },
  { violation: 'reserved-opcode', how: 'opcode 3', from: 'server', bad: { opcode: 3 }, good: { opcode: 2 } },
  { violation: 'reserved-opcode', how: 'opcode 7', from: 'server', bad: { opcode: 7 }, good: { opcode: 1 } },
  { violation: 'reserved-opcode', how: 'opcode 11', from: 'server', bad: { opcode: 11 }, good: { opcode: 10 } },
  { violation: 'reserved-opcode', how: 'opcode 15', from: 'server', bad: { opcode: 15 }, good: { opcode: 8 } },
  { violation: 'rsv-without-extension', how: 'RSV2', from: 'server', bad: { opcode: 1, rsv2: true }, good: { opcode: 1 } },
  { violation: 'rsv-without-extension', how: 'RSV3 even with permessage-deflate', from: 'server', rsv1Allowed: true, bad: { opcode: 2, rsv3: true }, good: { opcode: 2 } },
  { violation: 'rsv-without-extension', how: 'RSV1 without permessage-deflate', from: 'client', bad: { opcode: 1, rsv1: true, ...masked }, good: { opcode: 1, ...masked } },
  { violation: 'rsv-without-extension', how: 'RSV1 on a control frame without permessage-deflate (not rsv1-on-control-frame)', from: 'server', bad: { opcode: 9, rsv1: true }, good: { opcode: 9 } },
  { violation: 'rsv1-on-control-frame', how: 'RSV1 on a ping with permessage-deflate', from: 'server', rsv1Allowed: true, bad: { opcode: 9, rsv1: true }, good: { opcode: 1, rsv1: true } },
  { violation: 'rsv1-on-control-frame', how: 'RSV1 on a close with permessage-deflate', from: 'client', rsv1Allowed: true, bad: { opcode: 8, rsv1: true, ...masked }, good: { opcode: 8, ...masked } },
  { violation: 'rsv1-on-continuation-frame', how: 'RSV1 on a continuation with permessage-deflate', from: 'server', rsv1Allowed: true, bad: { opcode: 0, rsv1: true, payload: 'x' }, good: { opcode: 2, rsv1: true, payload: 'x' } },
  { violation: 'control-frame-too-long', how: 'a 126-byte ping', from: 'server', bad: { opcode: 9, payload: Buffer.alloc(126) }, good: { opcode: 9, payload: Buffer.alloc(125) } },
  { violation: 'control-frame-too-long', how: 'a 70000-byte pong', from: 'client', bad: { opcode: 10, payload: Buffer.alloc(70_000), ...masked }, good: { opcode: 2, payload: Buffer.alloc(70_000), ...masked } },
  { violation: 'fragmented-control-frame', how: 'a ping with FIN clear', from: 'server', bad: { opcode: 9, fin: false }, good: { opcode: 9, fin: true } },
  { violation: 'fragmented-control-frame', how: 'a close with FIN clear', from: 'server', bad: { opcode: 8, fin: false }, good: { opcode: 1, fin: false } },
  { violation: 'non-minimal-length', how: 'the 16-bit form for 125 bytes', from: 'server', bad: { opcode: 2, payload: Buffer.alloc(125), lengthForm: 16 }, good: { opcode: 2, payload: Buffer.alloc(126), lengthForm: 16 } },
  { violation: 'non-minimal-length', how: 'the 64-bit form for 0 bytes', from: 'server', bad: { opcode: 2, lengthForm: 64 }, good: { opcode: 2, lengthForm: 7 } },
  { violation: 'non-minimal-length', how: 'the 64-bit form for 65535 bytes', from: 'client', bad: { opcode: 2, payload: Buffer.alloc(65535), lengthForm: 64, ...masked }, good: { opcode: 2, payload: Buffer.alloc(65536), lengthForm: 64, ...masked } },
  { violation: 'close-payload-too-short', how: 'a 1-byte close payload', from: 'server', bad: { opcode: 8, payload: Buffer.from([0x03]) }, good: { opcode: 8 } },
  { violation: 'invalid-close-code', how: 'close code 1005', from: 'server', bad: { opcode: 8, payload: encodeClosePayload(1005) }, good: { opcode: 8, payload: encodeClosePayload(1000) } },
  { violation: 'invalid-close-code', how: 'close code 2999', from: 'client', bad: { opcode: 8, payload: encodeClosePayload(2999, 'x'), ...masked }, good: { opcode: 8, payload: encodeClosePayload(3000, 'x'), ...masked } },
  { violation: 'invalid-utf8-close-reason', how: 'a close reason with a lone continuation byte', from: 'server', bad: { opcode: 8, payload: Buffer.from([0x03, 0xe8, 0x80]) }, good: { opcode: 8, payload: Buffer.from([0x03, 0xe8, 0xc3, 0xa9]) } },
];

describe('FrameParser per-frame violations', () => {
  it.each(VIOLATION_CASES.map((c) => [c.violation, c.how, c] as const))('reports %s for %s, and not for its valid counterpart', (violation, _how, c) => {
    const options = { from: c.from, rsv1Allowed: c.rsv1Allowed ?? false };
    expect(decodeOne(encodeFrameBytes(c.bad), options).violations).toEqual([violation]);
    expect(decodeOne(encodeFrameBytes(c.good), options).violations).toEqual([]);
  });

  it('reports length-top-bit-set for a 64-bit length with its top bit set, and not without', () => {
    const bad = decode([encodeFrameBytes({ opcode: 2, payloadLength: 2n ** 63n + 5n, lengthForm: 64, payload: 'abc' })], { from: 'server' });
    expect(bad.headers[0]!.header.payloadLength).toBe(2 ** 63);
    expect(bad.ended!.violations).toEqual(['length-top-bit-set', 'truncated-frame']);
    const good = decode([encodeFrameBytes({ opcode: 2, payloadLength: 2n ** 63n - 1n, lengthForm: 64, payload: 'abc' })], { from: 'server' });
    expect(good.ended!.violations).toEqual(['truncated-frame']);
  });

  it('decodes the close code and reason of a close frame', () => {
    const frame = decodeOne(encodeFrameBytes({ opcode: 8, mask: KEY, payload: encodeClosePayload(1001, 'going') }), { from: 'client' });
    expect(frame).toMatchObject({ closeCode: 1001, closeReason: 'going', violations: [] });
  });

  it('sets closeCode and a replacement-character reason even when they are invalid', () => {
    const frame = decodeOne(encodeFrameBytes({ opcode: 8, payload: Buffer.from([0x03, 0xee, 0x61, 0xff]) }), { from: 'server' });
    expect(frame).toMatchObject({ closeCode: 1006, closeReason: 'a\ufffd', violations: ['invalid-close-code', 'invalid-utf8-close-reason'] });
  });

  it('gives an empty close frame no code and no reason', () => {
    const frame = decodeOne(encodeFrameBytes({ opcode: 8 }), { from: 'server' });
    expect(frame.closeCode).toBeUndefined();
    expect(frame.closeReason).toBeUndefined();
  });

  it('does not report a close reason cut mid-character by the stored cap as invalid UTF-8', () => {
    const frame = decodeOne(encodeFrameBytes({ opcode: 8, payload: encodeClosePayload(1000, 'éé') }), { from: 'server', maxStoredPayload: 3 });
    expect(frame).toMatchObject({ closeCode: 1000, truncated: true, violations: [] });
  });

  it('reports every per-frame violation of one frame in the documented order', () => {
    const spec: FrameSpec = { opcode: 8, fin: false, rsv1: true, rsv2: true, payload: Buffer.concat([encodeClosePayload(1004), Buffer.alloc(200, 0xff)]), lengthForm: 64 };
    expect(decodeOne(encodeFrameBytes(spec), { from: 'client', rsv1Allowed: true }).violations).toEqual([
      'unmasked-client-frame', 'rsv-without-extension', 'rsv1-on-control-frame', 'control-frame-too-long',
      'fragmented-control-frame', 'non-minimal-length', 'invalid-close-code', 'invalid-utf8-close-reason',
    ]);
    expect(decodeOne(encodeFrameBytes({ opcode: 13, mask: KEY }), { from: 'server' }).violations).toEqual(['masked-server-frame', 'reserved-opcode']);
  });

  it('leaves sequence checks to the message assembler: a lone continuation and frames after a close are clean', () => {
    const stream = Buffer.concat([
      encodeFrameBytes({ opcode: 0, payload: 'x' }),
      encodeFrameBytes({ opcode: 8, payload: encodeClosePayload(1000) }),
      encodeFrameBytes({ opcode: 1, payload: Buffer.from([0xff]) }),
    ]);
    expect(decode([stream], { from: 'server' }).frames.map((f) => f.violations)).toEqual([[], [], []]);
  });
});

describe('FrameParser on frames from ws', () => {
  const cases = [
    { what: 'an empty masked text frame', data: Buffer.alloc(0), opcode: 1, mask: true, fin: true, rsv1: false, lengthForm: 7 },
    { what: 'a masked text frame', data: Buffer.from('héllo wörld'), opcode: 1, mask: true, fin: true, rsv1: false, lengthForm: 7 },
    { what: 'a 125-byte unmasked binary frame', data: randomBytes(125), opcode: 2, mask: false, fin: true, rsv1: false, lengthForm: 7 },
    { what: 'a 126-byte masked binary frame', data: randomBytes(126), opcode: 2, mask: true, fin: true, rsv1: false, lengthForm: 16 },
    { what: 'a 65535-byte unmasked first fragment', data: randomBytes(65535), opcode: 2, mask: false, fin: false, rsv1: false, lengthForm: 16 },
    { what: 'a 65536-byte masked continuation', data: randomBytes(65536), opcode: 0, mask: true, fin: true, rsv1: false, lengthForm: 64 },
    { what: 'a 100000-byte unmasked compressed frame (RSV1)', data: randomBytes(100_000), opcode: 2, mask: false, fin: true, rsv1: true, lengthForm: 64 },
    { what: 'a masked ping', data: Buffer.from('ping!'), opcode: 9, mask: true, fin: true, rsv1: false, lengthForm: 7 },
    { what: 'an unmasked pong', data: Buffer.from('pong!'), opcode: 10, mask: false, fin: true, rsv1: false, lengthForm: 7 },
    { what: 'a masked close', data: encodeClosePayload(4000, 'done'), opcode: 8, mask: true, fin: true, rsv1: false, lengthForm: 7 },
  ];

  it.each(cases.map((c) => [c.what, c] as const))('decodes %s made by ws Sender.frame', (_what, c) => {
    const key = randomBytes(4);
    const bytes = Buffer.concat(WsSender.frame(c.data, {
      opcode: c.opcode, fin: c.fin, rsv1: c.rsv1, mask: c.mask, readOnly: true, generateMask: (m) => { key.copy(m); },
    }));
    const from = c.mask ? 'client' : 'server';
    const frame = decodeOne(bytes, { from, rsv1Allowed: c.rsv1 });
    const extended = c.lengthForm === 7 ? 0 : c.lengthForm === 16 ? 2 : 8;
    expect({ ...withoutPosition(frame), payload: undefined }).toEqual({
      fin: c.fin, rsv1: c.rsv1, rsv2: false, rsv3: false, opcode: c.opcode, masked: c.mask,
      ...(c.mask ? { maskKey: key } : {}), payloadLength: c.data.length, lengthForm: c.lengthForm,
      headerLength: 2 + extended + (c.mask ? 4 : 0), truncated: false, payload: undefined,
      ...(c.opcode === 8 ? { closeCode: 4000, closeReason: 'done' } : {}),
    });
    expectSameBytes(frame.payload, c.data);
    expect(frame.violations).toEqual([]);
  });
});

describe('FrameParser on arbitrary input', () => {
  it('never throws on random bytes, from either side, in any chunking, and keeps offsets consistent', () => {
    fc.assert(fc.property(
      fc.uint8Array({ maxLength: 600 }),
      fc.constantFrom<Sender>('client', 'server'),
      fc.boolean(),
      fc.array(fc.nat({ max: 600 }), { maxLength: 8 }),
      fc.constantFrom(0, 3, 200, DEFAULT_MAX_STORED_PAYLOAD),
      (bytes, from, rsv1Allowed, cuts, maxStoredPayload) => {
        const data = Buffer.from(bytes);
        const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let at = 0;
        for (const point of [...points, data.length]) {
          chunks.push(data.subarray(at, point));
          at = point;
        }
        const { frames, ended, parser, headers } = decode(chunks, { from, rsv1Allowed, maxStoredPayload });
        expect(parser.bytesReceived).toBe(data.length);
        // Frames tile the stream: each starts where the previous ended.
        let offset = 0;
        for (const [i, frame] of frames.entries()) {
          expect(frame.index).toBe(i);
          expect(frame.offset).toBe(offset);
          expect(frame.payload.length).toBe(Math.min(frame.payloadLength, maxStoredPayload));
          offset += frame.headerLength + frame.payloadLength;
        }
        expect(headers.length - frames.length).toBeLessThanOrEqual(1);
        if (ended === null) {
          expect(offset).toBe(data.length);
        } else {
          expect(ended.offset).toBe(offset);
          expect(ended.violations.at(-1)).toBe('truncated-frame');
        }
      },
    ), { numRuns: 1500 });
  });

  it('never throws on random bytes that start with a plausible header', () => {
    const header = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 5, 125, 126, 127, 0x80, 0x85, 0xfe, 0xff));
    fc.assert(fc.property(fc.array(fc.tuple(header, fc.uint8Array({ maxLength: 40 })), { maxLength: 20 }), fc.constantFrom<Sender>('client', 'server'), (parts, from) => {
      const data = Buffer.concat(parts.map(([[b0, b1], rest]) => Buffer.concat([Buffer.from([b0, b1]), rest])));
      const sink = recordingSink();
      const parser = new FrameParser({ from, maxStoredPayload: 64 }, sink);
      for (let at = 0; at < data.length; at += 7) parser.push(data.subarray(at, at + 7));
      parser.end();
      expect(parser.bytesReceived).toBe(data.length);
    }), { numRuns: 500 });
  });
});
