import { beforeAll, describe, expect, it } from 'vitest';
import { Deflater } from '../../src/protocol/deflater.js';
import { encodeClosePayload, encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import { Opcode } from '../../src/protocol/frame.js';
import type { Frame, FrameHeader, Message } from '../../src/protocol/frame.js';
import { DEFAULT_DEFLATE_PARAMS, negotiatedDeflate } from '../../src/protocol/permessage-deflate.js';
import { StreamDecoder } from '../../src/protocol/stream-decoder.js';
import type { StreamDecoderOptions } from '../../src/protocol/stream-decoder.js';
import { captureWsExchange } from './ws-capture.js';

interface Decoded {
  frames: Frame[];
  messages: Message[];
  /** Every event in order, so that a split changing the order is caught too. */
  order: string[];
}

/** Decodes the bytes pushed in the given chunks. */
function decode(options: StreamDecoderOptions, chunks: Buffer[]): Decoded {
  const decoded: Decoded = { frames: [], messages: [], order: [] };
  const decoder = new StreamDecoder(options, {
    onFrame(frame) {
      decoded.frames.push(frame);
      decoded.order.push(`frame ${frame.index}`);
    },
    onMessage(message) {
      decoded.messages.push(message);
      decoded.order.push(`message ${message.frameIndexes.join(',')}`);
    },
  });
  for (const chunk of chunks) decoder.push(chunk);
  decoder.end();
  return decoded;
}

/** The decoded result with buffers as hex, so that comparing large results stays fast. */
function comparable(decoded: Decoded) {
  return {
    frames: decoded.frames.map((f) => ({ ...f, payload: f.payload.toString('hex'), maskKey: f.maskKey?.toString('hex') })),
    messages: decoded.messages.map((m) => ({ ...m, data: m.data.toString('hex') })),
    order: decoded.order,
  };
}

interface Fixture {
  name: string;
  options: StreamDecoderOptions;
  bytes: Buffer;
}

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s/g, ''), 'hex');

/** RFC 6455 §5.7 examples and frames that exercise every header form and sequence violation. */
const FIXTURES: Fixture[] = [
  { name: 'RFC 6455 §5.7 unmasked "Hello"', options: { from: 'server' }, bytes: hex('81 05 48 65 6c 6c 6f') },
  { name: 'RFC 6455 §5.7 masked "Hello"', options: { from: 'client' }, bytes: hex('81 85 37 fa 21 3d 7f 9f 4d 51 58') },
  { name: 'RFC 6455 §5.7 fragmented "Hel" "lo"', options: { from: 'server' }, bytes: hex('01 03 48 65 6c 80 02 6c 6f') },
  { name: 'RFC 6455 §5.7 ping and masked pong', options: { from: 'server' }, bytes: hex('89 05 48 65 6c 6c 6f 8a 85 37 fa 21 3d 7f 9f 4d 51 58') },
  {
    name: 'RFC 6455 §5.7 256-byte binary (16-bit length)',
    options: { from: 'server' },
    bytes: encodeFrameBytes({ opcode: Opcode.Binary, payload: Buffer.alloc(256, 7) }),
  },
  {
    name: 'a 64-bit length field (non-minimal) with a masked payload',
    options: { from: 'client' },
    bytes: encodeFrameBytes({ opcode: Opcode.Binary, lengthForm: 64, mask: Buffer.from('a1b2c3d4', 'hex'), payload: Buffer.from('sixty-four') }),
  },
  {
    name: 'sequence violations: interleaved, unexpected continuation, invalid UTF-8 split, close mid-message, frame after close',
    options: { from: 'server' },
    bytes: Buffer.concat([
      encodeFrameBytes({ opcode: Opcode.Text, fin: false, payload: 'one' }),
      encodeFrameBytes({ opcode: Opcode.Text, fin: false, payload: Buffer.from([0x61, 0xe2]) }),
      encodeFrameBytes({ opcode: Opcode.Ping, payload: 'p' }),
      encodeFrameBytes({ opcode: Opcode.Continuation, payload: Buffer.from([0x82, 0xac, 0xff]) }),
      encodeFrameBytes({ opcode: Opcode.Continuation, payload: 'stray' }),
      encodeFrameBytes({ opcode: Opcode.Binary, fin: false, payload: 'cut' }),
      encodeFrameBytes({ opcode: Opcode.Close, payload: encodeClosePayload(1001, 'going') }),
      encodeFrameBytes({ opcode: Opcode.Text, payload: 'late' }),
    ]),
  },
  {
    name: 'compressed messages with context takeover, one fragmented',
    options: { from: 'client', deflate: DEFAULT_DEFLATE_PARAMS },
    bytes: (() => {
      const deflater = new Deflater({ windowBits: 15, noContextTakeover: false });
      const mask = Buffer.from('01020304', 'hex');
      return Buffer.concat([
        encodeFrameBytes({ opcode: Opcode.Text, rsv1: true, mask, payload: deflater.compress(Buffer.from('Hello, Hello')) }),
        encodeFrameBytes({ opcode: Opcode.Text, rsv1: true, fin: false, mask, payload: deflater.compress(Buffer.from('Hello, '), false) }),
        encodeFrameBytes({ opcode: Opcode.Continuation, mask, payload: deflater.compress(Buffer.from('Hello'), true) }),
      ]);
    })(),
  },
  {
    name: 'a stream that ends inside a frame',
    options: { from: 'server' },
    bytes: Buffer.concat([encodeFrameBytes({ opcode: Opcode.Text, fin: false, payload: 'Hel' }), encodeFrameBytes({ opcode: Opcode.Continuation, payload: 'lo' }).subarray(0, 3)]),
  },
];

/** Asserts that the fixture decodes the same however it is split in two, and one byte at a time. */
function expectSplitInvariant(fixture: Fixture): Decoded {
  const whole = decode(fixture.options, [fixture.bytes]);
  const expected = comparable(whole);
  for (let at = 0; at <= fixture.bytes.length; at++) {
    const split = comparable(decode(fixture.options, [fixture.bytes.subarray(0, at), fixture.bytes.subarray(at)]));
    expect({ at, ...split }).toEqual({ at, ...expected });
  }
  const bytewise = decode(fixture.options, [...fixture.bytes].map((b) => Buffer.from([b])));
  expect(comparable(bytewise)).toEqual(expected);
  return whole;
}

describe('StreamDecoder', () => {
  it('decodes the RFC 6455 §5.7 masked "Hello" from a client', () => {
    const { frames, messages } = decode({ from: 'client' }, [hex('81 85 37 fa 21 3d 7f 9f 4d 51 58')]);
    expect(frames).toEqual([{
      fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, masked: true, maskKey: hex('37 fa 21 3d'),
      payloadLength: 5, lengthForm: 7, headerLength: 6, index: 0, offset: 0, payload: Buffer.from('Hello'), truncated: false, violations: [],
    }]);
    expect(messages).toEqual([{ opcode: 1, data: Buffer.from('Hello'), truncated: false, compressed: false, size: 5, frameIndexes: [0], violations: [] }]);
  });

  it('reports the sequence violations of the violations fixture where they happen', () => {
    const { frames, messages, order } = decode(FIXTURES[6]!.options, [FIXTURES[6]!.bytes]);
    expect(frames.map((f) => f.violations)).toEqual([
      [], ['interleaved-data-frame'], [], ['invalid-utf8'], ['unexpected-continuation'], [], ['unfinished-message'], ['frame-after-close'],
    ]);
    expect(order).toEqual(['frame 0', 'message 0', 'frame 1', 'frame 2', 'frame 3', 'message 1,3', 'frame 4', 'frame 5', 'message 5', 'frame 6', 'frame 7', 'message 7']);
    expect(messages.map((m) => [m.data.toString('latin1'), m.violations])).toEqual([
      ['one', ['unfinished-message']],
      ['a\u00e2\u0082\u00ac\u00ff', ['invalid-utf8']],
      ['cut', ['unfinished-message']],
      ['late', []],
    ]);
  });

  it('ends a stream cut inside a frame with a truncated frame and an unfinished message', () => {
    const { frames, messages } = decode(FIXTURES[8]!.options, [FIXTURES[8]!.bytes]);
    expect(frames.map((f) => [f.index, f.truncated, f.violations])).toEqual([[0, false, []], [1, true, ['truncated-frame']]]);
    expect(messages).toEqual([{ opcode: 1, data: Buffer.from('Hell'), truncated: false, compressed: false, size: 4, frameIndexes: [0, 1], violations: ['unfinished-message'] }]);
  });

  it('passes headers and payload chunks on to the handler as they arrive', () => {
    const seen: string[] = [];
    const decoder = new StreamDecoder({ from: 'server' }, {
      onFrame: (f) => seen.push(`frame ${f.index}`),
      onMessage: () => seen.push('message'),
      onHeader: (h: FrameHeader, index, offset) => seen.push(`header ${index} at ${offset} opcode ${h.opcode}`),
      onPayload: (chunk) => seen.push(`payload ${chunk.toString()}`),
    });
    decoder.push(hex('01 03 48 65'));
    expect(decoder.atFrameBoundary).toBe(false);
    decoder.push(hex('6c 80 02 6c 6f'));
    expect(decoder.atFrameBoundary).toBe(true);
    expect(decoder.inMessage).toBe(false);
    expect(seen).toEqual(['header 0 at 0 opcode 1', 'payload He', 'payload l', 'frame 0', 'header 1 at 5 opcode 0', 'payload lo', 'frame 1', 'message']);
  });

  it('keeps payloads up to maxStoredPayload in frames and up to maxMessageSize in messages', () => {
    const { frames, messages } = decode({ from: 'server', maxStoredPayload: 2, maxMessageSize: 3 }, [hex('01 03 48 65 6c 80 02 6c 6f')]);
    expect(frames.map((f) => [f.payload.toString(), f.truncated])).toEqual([['He', true], ['lo', false]]);
    expect(messages[0]).toMatchObject({ data: Buffer.from('Hel'), size: 5, truncated: true });
  });

  describe('decodes every fixture identically when split at every byte boundary', () => {
    for (const fixture of FIXTURES) {
      it(fixture.name, () => {
        const whole = expectSplitInvariant(fixture);
        expect(whole.frames.length).toBeGreaterThan(0);
      });
    }

    it('RFC 6455 §5.7 64 KiB binary (64-bit length), split around the header and the payload edges', () => {
      const bytes = encodeFrameBytes({ opcode: Opcode.Binary, payload: Buffer.alloc(65536, 9) });
      expect(bytes.subarray(0, 10)).toEqual(hex('82 7f 00 00 00 00 00 01 00 00'));
      const whole = decode({ from: 'server' }, [bytes]);
      expect(whole.messages[0]!.data.equals(Buffer.alloc(65536, 9))).toBe(true);
      const expected = comparable(whole);
      const cuts = [...Array(32).keys(), ...Array.from({ length: 32 }, (_, i) => bytes.length - i), 32768, 40000];
      for (const at of cuts) expect({ at, ...comparable(decode({ from: 'server' }, [bytes.subarray(0, at), bytes.subarray(at)])) }).toEqual({ at, ...expected });
    });

    describe('bytes captured from a real ws client and server with permessage-deflate', () => {
      let captured: Awaited<ReturnType<typeof captureWsExchange>>;
      beforeAll(async () => {
        captured = await captureWsExchange({
          serverDeflate: { threshold: 0 },
          clientDeflate: { threshold: 0 },
          clientSends: ['Hello, Hello!', 'Hello, Hello!', { parts: ['frag', 'ments'] }],
          serverSends: ['Grüße 😀', Buffer.from([1, 2, 3, 1, 2, 3])],
        });
      });

      it('client to server', () => {
        const deflate = negotiatedDeflate(captured.responseExtensions).params;
        const whole = expectSplitInvariant({ name: 'client', options: { from: 'client', deflate }, bytes: captured.clientToServer });
        expect(whole.messages.map((m) => m.data.toString())).toEqual(['Hello, Hello!', 'Hello, Hello!', 'fragments']);
      });

      it('server to client', () => {
        const deflate = negotiatedDeflate(captured.responseExtensions).params;
        const whole = expectSplitInvariant({ name: 'server', options: { from: 'server', deflate }, bytes: captured.serverToClient });
        expect(whole.messages.map((m) => m.data)).toEqual([Buffer.from('Grüße 😀'), Buffer.from([1, 2, 3, 1, 2, 3])]);
      });
    });
  });
});
