import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { constants as zlibConstants, deflateRawSync } from 'node:zlib';
import { PerMessageDeflate, Receiver } from 'ws';
import type { ReceiverOptions } from 'ws';
import {
  encodeClosePayload, encodeFrame, encodeFrameBytes, minimalLengthForm,
} from '../../src/protocol/frame-encoder.js';
import type { FrameSpec } from '../../src/protocol/frame-encoder.js';
import { FrameParser } from '../../src/protocol/frame-parser.js';
import type { Frame, LengthForm } from '../../src/protocol/frame.js';
import type { ViolationCode } from '../../src/protocol/violations.js';
import { RFC_EXAMPLES, expectSameBytes, recordingSink } from './fixtures.js';

const KEY = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
const hex = (bytes: Buffer) => bytes.toString('hex');

describe('encodeFrame on the examples of RFC 6455 §5.7', () => {
  it.each(RFC_EXAMPLES.map((fixture) => [fixture.name, fixture] as const))('encodes %s to the exact bytes', (_name, fixture) => {
    const e = fixture.expected;
    const bytes = encodeFrameBytes({
      fin: e.fin, opcode: e.opcode, mask: e.maskKey ?? false, payload: e.payload,
    });
    expectSameBytes(bytes, fixture.bytes);
  });

  it('encodes masked "Hello" with mask: true and maskKey the same as with the key as mask', () => {
    expect(hex(encodeFrameBytes({ opcode: 1, mask: true, maskKey: KEY, payload: 'Hello' }))).toBe('818537fa213d7f9f4d5158');
  });
});

describe('encodeFrame', () => {
  it('returns the header and the masked payload apart, leaving the given payload unmasked', () => {
    const payload = Buffer.from('Hello');
    const [header, masked] = encodeFrame({ opcode: 1, mask: KEY, payload });
    expect(hex(header)).toBe('818537fa213d');
    expect(hex(masked)).toBe('7f9f4d5158');
    expect(payload.toString()).toBe('Hello');
  });

  it('returns the given payload buffer itself for an unmasked frame', () => {
    const payload = Buffer.from('abc');
    expect(encodeFrame({ opcode: 2, payload })[1]).toBe(payload);
  });

  it('defaults to FIN set, RSV clear, unmasked and empty', () => {
    expect(hex(encodeFrameBytes({ opcode: 9 }))).toBe('8900');
  });

  it('sets each header bit where asked', () => {
    expect(hex(encodeFrameBytes({ opcode: 0, fin: false }))).toBe('0000');
    expect(hex(encodeFrameBytes({ opcode: 1, rsv1: true }))).toBe('c100');
    expect(hex(encodeFrameBytes({ opcode: 1, rsv2: true }))).toBe('a100');
    expect(hex(encodeFrameBytes({ opcode: 1, rsv3: true }))).toBe('9100');
    expect(hex(encodeFrameBytes({ opcode: 15, fin: false, rsv1: true, rsv2: true, rsv3: true }))).toBe('7f00');
  });

  it('encodes a string payload as UTF-8', () => {
    expect(hex(encodeFrameBytes({ opcode: 1, payload: 'é' }))).toBe('8102c3a9');
  });

  it('uses the minimal length form by default at each boundary', () => {
    expect(hex(encodeFrame({ opcode: 2, payload: Buffer.alloc(125) })[0])).toBe('827d');
    expect(hex(encodeFrame({ opcode: 2, payload: Buffer.alloc(126) })[0])).toBe('827e007e');
    expect(hex(encodeFrame({ opcode: 2, payload: Buffer.alloc(65535) })[0])).toBe('827effff');
    expect(hex(encodeFrame({ opcode: 2, payload: Buffer.alloc(65536) })[0])).toBe('827f0000000000010000');
  });

  it('writes a forced non-minimal length form', () => {
    expect(hex(encodeFrameBytes({ opcode: 1, payload: 'hi', lengthForm: 16 }))).toBe('817e00026869');
    expect(hex(encodeFrameBytes({ opcode: 1, payload: 'hi', lengthForm: 64, mask: KEY }))).toBe('81ff000000000000000237fa213d5f93');
  });

  it('writes a false length field and still appends the payload as given', () => {
    expect(hex(encodeFrameBytes({ opcode: 1, payload: 'hi', payloadLength: 100 }))).toBe('81646869');
    expect(hex(encodeFrameBytes({ opcode: 2, payload: 'x', payloadLength: 1000 }))).toBe('827e03e878');
    expect(hex(encodeFrameBytes({ opcode: 2, payloadLength: 2n ** 63n }))).toBe('827f8000000000000000');
    expect(hex(encodeFrameBytes({ opcode: 2, payloadLength: Number.MAX_SAFE_INTEGER }))).toBe('827f001fffffffffffff');
  });

  it('truncates a length that does not fit the chosen form to the form\'s bits', () => {
    expect(hex(encodeFrame({ opcode: 2, payloadLength: 200, lengthForm: 7 })[0])).toBe('8248');
    expect(hex(encodeFrame({ opcode: 2, payloadLength: 0x12345, lengthForm: 16 })[0])).toBe('827e2345');
    expect(hex(encodeFrame({ opcode: 2, payloadLength: 2n ** 64n + 5n, lengthForm: 64 })[0])).toBe('827f0000000000000005');
    expect(hex(encodeFrame({ opcode: 2, payloadLength: -1 })[0])).toBe('827fffffffffffffffff');
    expect(hex(encodeFrame({ opcode: 2, payloadLength: -1, lengthForm: 16 })[0])).toBe('827effff');
  });

  it('writes 126 and 127 in the 7-bit form as they are', () => {
    expect(hex(encodeFrame({ opcode: 2, payloadLength: 126, lengthForm: 7 })[0])).toBe('827e');
    expect(hex(encodeFrame({ opcode: 2, payloadLength: 127, lengthForm: 7, mask: KEY })[0])).toBe('82ff37fa213d');
  });

  it('never throws for any header combination', () => {
    fc.assert(fc.property(
      fc.record({
        fin: fc.boolean(), rsv1: fc.boolean(), rsv2: fc.boolean(), rsv3: fc.boolean(),
        opcode: fc.integer({ min: 0, max: 15 }),
        mask: fc.oneof(fc.constant(false), fc.uint8Array({ minLength: 4, maxLength: 4 }).map((k) => Buffer.from(k))),
        payload: fc.uint8Array({ maxLength: 200 }).map((p) => Buffer.from(p)),
        lengthForm: fc.constantFrom<LengthForm | undefined>(7, 16, 64, undefined),
        payloadLength: fc.oneof(fc.constant(undefined), fc.integer(), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n })),
      }),
      (spec) => {
        const [header] = encodeFrame(spec);
        const extended = { 7: 0, 16: 2, 64: 8 }[spec.lengthForm ?? 64];
        if (spec.lengthForm !== undefined) expect(header.length).toBe(2 + extended + (spec.mask ? 4 : 0));
      },
    ), { numRuns: 500 });
  });

  it('throws for programmer errors', () => {
    expect(() => encodeFrame({ opcode: 16 })).toThrow(RangeError);
    expect(() => encodeFrame({ opcode: -1 })).toThrow(RangeError);
    expect(() => encodeFrame({ opcode: 1.5 })).toThrow(RangeError);
    expect(() => encodeFrame({ opcode: 1, mask: Buffer.alloc(3) })).toThrow(RangeError);
    expect(() => encodeFrame({ opcode: 1, mask: true, maskKey: Buffer.alloc(5) })).toThrow(RangeError);
    expect(() => encodeFrame({ opcode: 1, mask: true })).toThrow(TypeError);
    expect(() => encodeFrame({ opcode: 1, payloadLength: 1.5 })).toThrow(RangeError);
    expect(() => encodeFrame({ opcode: 1, payloadLength: Number.NaN })).toThrow(RangeError);
    expect(() => encodeFrame({ opcode: 1, lengthForm: 32 as LengthForm })).toThrow(RangeError);
  });
});

describe('minimalLengthForm', () => {
  it('picks 7 up to 125, 16 up to 65535, then 64', () => {
    expect([0, 125, 126, 65535, 65536, 2 ** 40].map(minimalLengthForm)).toEqual([7, 7, 16, 16, 64, 64]);
  });
});

describe('encodeClosePayload', () => {
  it('is empty without a code', () => {
    expect(encodeClosePayload()).toEqual(Buffer.alloc(0));
  });

  it('writes the code big-endian', () => {
    expect(hex(encodeClosePayload(1000))).toBe('03e8');
  });

  it('appends the reason as UTF-8', () => {
    expect(hex(encodeClosePayload(4001, 'é!'))).toBe('0fa1c3a921');
  });

  it('encodes codes that are invalid on the wire and reasons over 123 bytes', () => {
    expect(hex(encodeClosePayload(1005))).toBe('03ed');
    expect(encodeClosePayload(1000, 'x'.repeat(200)).length).toBe(202);
  });

  it('throws for a code that is not 16 bits, or a reason without a code', () => {
    expect(() => encodeClosePayload(70000)).toThrow(RangeError);
    expect(() => encodeClosePayload(-1)).toThrow(RangeError);
    expect(() => encodeClosePayload(undefined, 'why')).toThrow(TypeError);
  });
});

/** The fields a parser must decode from a spec that writes the true length. */
function expectedFields(spec: FrameSpec & { payload: Buffer }, key: Buffer | undefined, form: LengthForm) {
  const extended = form === 7 ? 0 : form === 16 ? 2 : 8;
  return {
    fin: spec.fin ?? true, rsv1: spec.rsv1 ?? false, rsv2: spec.rsv2 ?? false, rsv3: spec.rsv3 ?? false,
    opcode: spec.opcode, masked: key !== undefined, maskKey: key, payloadLength: spec.payload.length,
    lengthForm: form, headerLength: 2 + extended + (key === undefined ? 0 : 4), truncated: false,
  };
}

const FORMS: LengthForm[] = [7, 16, 64];

const validFrame = fc.record({
  fin: fc.boolean(),
  rsv1: fc.boolean(),
  rsv2: fc.boolean(),
  rsv3: fc.boolean(),
  opcode: fc.integer({ min: 0, max: 15 }),
  key: fc.option(fc.uint8Array({ minLength: 4, maxLength: 4 }).map((k) => Buffer.from(k)), { nil: undefined }),
  payload: fc.oneof(
    fc.uint8Array({ maxLength: 130 }),
    fc.uint8Array({ maxLength: 4000 }),
  ).map((p) => Buffer.from(p)),
  formStep: fc.integer({ min: 0, max: 2 }),
}).map(({ key, formStep, ...rest }) => {
  // Any form that holds the length: the minimal one or a longer one.
  const form = FORMS[Math.min(2, FORMS.indexOf(minimalLengthForm(rest.payload.length)) + formStep)]!;
  const spec: FrameSpec & { payload: Buffer } = { ...rest, mask: key ?? false, lengthForm: form };
  return { spec, key, form };
});

function fieldsOf(frame: Frame) {
  const { fin, rsv1, rsv2, rsv3, opcode, masked, maskKey, payloadLength, lengthForm, headerLength, truncated } = frame;
  return { fin, rsv1, rsv2, rsv3, opcode, masked, maskKey, payloadLength, lengthForm, headerLength, truncated };
}

describe('encode then parse', () => {
  it('is the identity for random frames', () => {
    fc.assert(fc.property(validFrame, fc.boolean(), ({ spec, key, form }, rsv1Allowed) => {
      const sink = recordingSink();
      const parser = new FrameParser({ from: key === undefined ? 'server' : 'client', rsv1Allowed }, sink);
      parser.push(encodeFrameBytes(spec));
      expect(parser.end()).toBeNull();
      expect(sink.frames).toHaveLength(1);
      const frame = sink.frames[0]!;
      expect(fieldsOf(frame)).toEqual(expectedFields(spec, key, form));
      expectSameBytes(frame.payload, spec.payload);
      expectSameBytes(sink.payloads[0]!, spec.payload);
    }), { numRuns: 400 });
  });

  it('is the identity for random streams of frames cut into random chunks', () => {
    fc.assert(fc.property(
      fc.array(validFrame, { minLength: 1, maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      (frames, cutSeeds) => {
        const stream = Buffer.concat(frames.map(({ spec }) => encodeFrameBytes(spec)));
        const cuts = [...new Set(cutSeeds.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const sink = recordingSink();
        const parser = new FrameParser({ from: 'client', rsv1Allowed: true }, sink);
        let at = 0;
        for (const cut of [...cuts, stream.length]) {
          parser.push(stream.subarray(at, cut));
          at = cut;
        }
        expect(parser.end()).toBeNull();
        expect(sink.frames).toHaveLength(frames.length);
        let offset = 0;
        frames.forEach(({ spec, key, form }, i) => {
          const frame = sink.frames[i]!;
          expect(fieldsOf(frame)).toEqual(expectedFields(spec, key, form));
          expect([frame.index, frame.offset]).toEqual([i, offset]);
          expectSameBytes(frame.payload, spec.payload);
          expectSameBytes(sink.payloads[i]!, spec.payload);
          offset += frame.headerLength + frame.payloadLength;
        });
      },
    ), { numRuns: 300 });
  });
});

/** What a ws Receiver did with some bytes: its events in order, or the error that stopped it. */
interface WsOutcome {
  events: unknown[][];
  error?: { code: string; message: string };
}

/** Feeds bytes to a real ws Receiver and collects what it emits. */
async function wsReceive(bytes: Buffer | Buffer[], options: ReceiverOptions): Promise<WsOutcome> {
  const receiver = new Receiver(options);
  const outcome: WsOutcome = { events: [] };
  receiver.on('message', (data: Buffer, isBinary: boolean) => outcome.events.push(['message', isBinary ? 'binary' : 'text', Buffer.from(data)]));
  receiver.on('ping', (data: Buffer) => outcome.events.push(['ping', Buffer.from(data)]));
  receiver.on('pong', (data: Buffer) => outcome.events.push(['pong', Buffer.from(data)]));
  receiver.on('conclude', (code: number, reason: Buffer) => outcome.events.push(['conclude', code, reason.toString()]));
  const failed = once(receiver, 'error').then(([error]) => {
    const { code, message } = error as Error & { code: string };
    outcome.error = { code, message };
  });
  for (const chunk of Array.isArray(bytes) ? bytes : [bytes]) receiver.write(chunk);
  // Writable reports a write error on the next tick; give it a few.
  await Promise.race([failed, new Promise((resolve) => setImmediate(resolve))]);
  await new Promise((resolve) => setImmediate(resolve));
  return outcome;
}

/** ws's permessage-deflate, negotiated with default parameters as the server. */
function negotiatedDeflate(): PerMessageDeflate {
  const deflate = new PerMessageDeflate({ isServer: true });
  deflate.accept([{}]);
  return deflate;
}

describe('ws Receiver accepts frames from encodeFrame', () => {
  it('receives a masked text message', async () => {
    const outcome = await wsReceive(encodeFrameBytes({ opcode: 1, mask: KEY, payload: 'héllo' }), { isServer: true });
    expect(outcome).toEqual({ events: [['message', 'text', Buffer.from('héllo')]] });
  });

  it('receives a 100000-byte masked binary message written in 1000-byte chunks', async () => {
    const payload = randomBytes(100_000);
    const bytes = encodeFrameBytes({ opcode: 2, mask: randomBytes(4), payload });
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 1000) chunks.push(bytes.subarray(at, at + 1000));
    const outcome = await wsReceive(chunks, { isServer: true });
    expect(outcome.error).toBeUndefined();
    expect(outcome.events).toHaveLength(1);
    expectSameBytes(outcome.events[0]![2] as Buffer, payload);
  });

  it('receives an unmasked fragmented message with a ping between the fragments', async () => {
    const bytes = Buffer.concat([
      encodeFrameBytes({ opcode: 1, fin: false, payload: 'Hel' }),
      encodeFrameBytes({ opcode: 9, payload: 'p' }),
      encodeFrameBytes({ opcode: 0, payload: 'lo' }),
      encodeFrameBytes({ opcode: 10, payload: 'q' }),
    ]);
    const outcome = await wsReceive(bytes, { isServer: false });
    expect(outcome).toEqual({ events: [['ping', Buffer.from('p')], ['message', 'text', Buffer.from('Hello')], ['pong', Buffer.from('q')]] });
  });

  it('receives a close frame with its code and reason', async () => {
    const outcome = await wsReceive(encodeFrameBytes({ opcode: 8, mask: KEY, payload: encodeClosePayload(4000, 'bye') }), { isServer: true });
    expect(outcome).toEqual({ events: [['conclude', 4000, 'bye']] });
  });

  it('receives a compressed (RSV1) message when permessage-deflate was negotiated', async () => {
    const text = 'a compressed message, a compressed message, a compressed message';
    const deflated = deflateRawSync(Buffer.from(text), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    // RFC 7692 §7.2.1: the trailing 00 00 ff ff of the sync flush is removed.
    const payload = deflated.subarray(0, deflated.length - 4);
    const deflate = negotiatedDeflate();
    const receiver = new Receiver({ isServer: true, extensions: { 'permessage-deflate': deflate } });
    const message = once(receiver, 'message');
    receiver.write(encodeFrameBytes({ opcode: 1, rsv1: true, mask: KEY, payload }));
    const [data] = await message as [Buffer];
    expect(data.toString()).toBe(text);
    deflate.cleanup();
  });

  it('receives a frame with a non-minimal length form, which ws does not check', async () => {
    const outcome = await wsReceive(encodeFrameBytes({ opcode: 2, mask: KEY, payload: 'abc', lengthForm: 64 }), { isServer: true });
    expect(outcome).toEqual({ events: [['message', 'binary', Buffer.from('abc')]] });
  });
});

interface RejectionCase {
  what: string;
  /** The bytes: frames ws must reject (possibly after valid ones). */
  frames: FrameSpec[];
  /** True when a server receives them (the frames are from a client). */
  isServer: boolean;
  deflate?: boolean;
  /** ws's error code. */
  wsCode: string;
  /** Our violation for the last frame. */
  violation: ViolationCode;
}

const REJECTIONS: RejectionCase[] = [
  { what: 'an unmasked client frame', frames: [{ opcode: 1, payload: 'x' }], isServer: true, wsCode: 'WS_ERR_EXPECTED_MASK', violation: 'unmasked-client-frame' },
  { what: 'a masked server frame', frames: [{ opcode: 1, payload: 'x', mask: KEY }], isServer: false, wsCode: 'WS_ERR_UNEXPECTED_MASK', violation: 'masked-server-frame' },
  { what: 'reserved opcode 3', frames: [{ opcode: 3, mask: KEY }], isServer: true, wsCode: 'WS_ERR_INVALID_OPCODE', violation: 'reserved-opcode' },
  { what: 'reserved opcode 11', frames: [{ opcode: 11 }], isServer: false, wsCode: 'WS_ERR_INVALID_OPCODE', violation: 'reserved-opcode' },
  { what: 'RSV1 without permessage-deflate', frames: [{ opcode: 1, rsv1: true, mask: KEY }], isServer: true, wsCode: 'WS_ERR_UNEXPECTED_RSV_1', violation: 'rsv-without-extension' },
  { what: 'RSV2', frames: [{ opcode: 2, rsv2: true }], isServer: false, wsCode: 'WS_ERR_UNEXPECTED_RSV_2_3', violation: 'rsv-without-extension' },
  { what: 'RSV3', frames: [{ opcode: 2, rsv3: true, mask: KEY }], isServer: true, wsCode: 'WS_ERR_UNEXPECTED_RSV_2_3', violation: 'rsv-without-extension' },
  { what: 'RSV1 on a ping with permessage-deflate', frames: [{ opcode: 9, rsv1: true, mask: KEY }], isServer: true, deflate: true, wsCode: 'WS_ERR_UNEXPECTED_RSV_1', violation: 'rsv1-on-control-frame' },
  {
    what: 'RSV1 on a continuation with permessage-deflate',
    frames: [{ opcode: 2, fin: false, payload: 'a' }, { opcode: 0, rsv1: true, payload: 'b' }],
    isServer: false, deflate: true, wsCode: 'WS_ERR_UNEXPECTED_RSV_1', violation: 'rsv1-on-continuation-frame',
  },
  { what: 'a 126-byte ping', frames: [{ opcode: 9, payload: Buffer.alloc(126), mask: KEY }], isServer: true, wsCode: 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', violation: 'control-frame-too-long' },
  { what: 'a ping with FIN clear', frames: [{ opcode: 9, fin: false, mask: KEY }], isServer: true, wsCode: 'WS_ERR_EXPECTED_FIN', violation: 'fragmented-control-frame' },
  { what: 'a 1-byte close payload', frames: [{ opcode: 8, payload: Buffer.from([3]) }], isServer: false, wsCode: 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', violation: 'close-payload-too-short' },
  { what: 'close code 1005', frames: [{ opcode: 8, payload: encodeClosePayload(1005), mask: KEY }], isServer: true, wsCode: 'WS_ERR_INVALID_CLOSE_CODE', violation: 'invalid-close-code' },
  { what: 'close code 999', frames: [{ opcode: 8, payload: encodeClosePayload(999) }], isServer: false, wsCode: 'WS_ERR_INVALID_CLOSE_CODE', violation: 'invalid-close-code' },
  { what: 'a close reason that is not UTF-8', frames: [{ opcode: 8, payload: Buffer.from([0x03, 0xe8, 0xc3, 0x28]), mask: KEY }], isServer: true, wsCode: 'WS_ERR_INVALID_UTF8', violation: 'invalid-utf8-close-reason' },
  { what: 'a 64-bit length with its top bit set', frames: [{ opcode: 2, payloadLength: 2n ** 63n, lengthForm: 64 }], isServer: false, wsCode: 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH', violation: 'length-top-bit-set' },
];

describe('ws Receiver rejects malformed frames from encodeFrame', () => {
  it.each(REJECTIONS.map((c) => [c.what, c.wsCode, c] as const))('rejects %s with %s, and our parser reports it', async (_what, wsCode, c) => {
    const bytes = Buffer.concat(c.frames.map(encodeFrameBytes));
    const deflate = c.deflate ? negotiatedDeflate() : undefined;
    const outcome = await wsReceive(bytes, { isServer: c.isServer, ...(deflate ? { extensions: { 'permessage-deflate': deflate } } : {}) });
    deflate?.cleanup();
    expect(outcome.error?.code).toBe(wsCode);

    const sink = recordingSink();
    const parser = new FrameParser({ from: c.isServer ? 'client' : 'server', rsv1Allowed: c.deflate ?? false }, sink);
    parser.push(bytes);
    const last = parser.end() ?? sink.frames.at(-1)!;
    expect(last.violations).toContain(c.violation);
    expect(sink.frames.slice(0, c.frames.length - 1).map((f) => f.violations)).toEqual(c.frames.slice(1).map(() => []));
  });
});
