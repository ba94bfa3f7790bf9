import { describe, expect, it } from 'vitest';
import { Deflater } from '../../src/protocol/deflater.js';
import { encodeClosePayload, encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import type { FrameSpec } from '../../src/protocol/frame-encoder.js';
import { FrameParser } from '../../src/protocol/frame-parser.js';
import { Opcode } from '../../src/protocol/frame.js';
import type { Frame, Message } from '../../src/protocol/frame.js';
import { MessageAssembler } from '../../src/protocol/message-assembler.js';
import type { MessageAssemblerOptions } from '../../src/protocol/message-assembler.js';
import { DEFAULT_DEFLATE_PARAMS } from '../../src/protocol/permessage-deflate.js';

/** One event the assembler emitted, in order: a frame by index, or a message. */
type Event = { frame: number; violations: string[] } | { message: Message };

/** Runs server frames (unmasked, so the parser adds no masking violations) through parser and assembler. */
function assemble(specs: FrameSpec[], options: Partial<MessageAssemblerOptions> = {}, end = true) {
  const events: Event[] = [];
  const frames: Frame[] = [];
  const messages: Message[] = [];
  const assembler = new MessageAssembler({ from: 'server', ...options }, {
    onFrame(frame) {
      frames.push(frame);
      events.push({ frame: frame.index, violations: [...frame.violations] });
    },
    onMessage(message) {
      messages.push(message);
      events.push({ message });
    },
  });
  const parser = new FrameParser({ from: 'server', rsv1Allowed: Boolean(options.deflate) }, assembler);
  for (const spec of specs) parser.push(encodeFrameBytes(spec));
  if (end) assembler.end(parser.end());
  return { events, frames, messages, assembler };
}

function message(fields: Partial<Message> & { data: Buffer; frameIndexes: number[] }): Message {
  return { opcode: 1, truncated: false, compressed: false, size: fields.data.length, violations: [], ...fields };
}

const text = (payload: string | Buffer, fin = true): FrameSpec => ({ opcode: Opcode.Text, fin, payload });
const binary = (payload: string | Buffer, fin = true): FrameSpec => ({ opcode: Opcode.Binary, fin, payload });
const continuation = (payload: string | Buffer, fin = true): FrameSpec => ({ opcode: Opcode.Continuation, fin, payload });
const ping: FrameSpec = { opcode: Opcode.Ping, payload: 'ping' };
const close: FrameSpec = { opcode: Opcode.Close, payload: encodeClosePayload(1000, 'bye') };

describe('MessageAssembler', () => {
  it('emits a single-frame text message right after its frame', () => {
    const { events } = assemble([text('Hello')]);
    expect(events).toEqual([{ frame: 0, violations: [] }, { message: message({ data: Buffer.from('Hello'), frameIndexes: [0] }) }]);
  });

  it('reassembles a fragmented message and emits it after its final frame', () => {
    const { events } = assemble([text('Hel', false), continuation('lo, ', false), continuation('world')]);
    expect(events).toEqual([
      { frame: 0, violations: [] },
      { frame: 1, violations: [] },
      { frame: 2, violations: [] },
      { message: message({ data: Buffer.from('Hello, world'), frameIndexes: [0, 1, 2] }) },
    ]);
  });

  it('accepts a ping between fragments (RFC 6455 §5.4)', () => {
    const { events } = assemble([binary('ab', false), ping, continuation('cd')]);
    expect(events).toEqual([
      { frame: 0, violations: [] },
      { frame: 1, violations: [] },
      { frame: 2, violations: [] },
      { message: message({ opcode: 2, data: Buffer.from('abcd'), frameIndexes: [0, 2] }) },
    ]);
  });

  it('flags a continuation after a finished message as unexpected-continuation and makes no message of it', () => {
    const { events } = assemble([text('done'), continuation('stray')]);
    expect(events).toEqual([
      { frame: 0, violations: [] },
      { message: message({ data: Buffer.from('done'), frameIndexes: [0] }) },
      { frame: 1, violations: ['unexpected-continuation'] },
    ]);
  });

  it('flags a text frame inside a fragmented message as interleaved-data-frame and ends the old message unfinished', () => {
    const { events } = assemble([text('Hel', false), text('New')]);
    expect(events).toEqual([
      { frame: 0, violations: [] },
      { message: message({ data: Buffer.from('Hel'), frameIndexes: [0], violations: ['unfinished-message'] }) },
      { frame: 1, violations: ['interleaved-data-frame'] },
      { message: message({ data: Buffer.from('New'), frameIndexes: [1] }) },
    ]);
  });

  it('flags any frame after the close frame as frame-after-close, and still decodes it', () => {
    const { events } = assemble([close, text('late'), ping]);
    expect(events).toEqual([
      { frame: 0, violations: [] },
      { frame: 1, violations: ['frame-after-close'] },
      { message: message({ data: Buffer.from('late'), frameIndexes: [1] }) },
      { frame: 2, violations: ['frame-after-close'] },
    ]);
  });

  it('accepts frames before the close frame', () => {
    const { frames } = assemble([text('early'), ping, close]);
    expect(frames.map((f) => f.violations)).toEqual([[], [], []]);
  });

  it('flags a close frame in the middle of a fragmented message with unfinished-message', () => {
    const { events } = assemble([text('Hel', false), close]);
    expect(events).toEqual([
      { frame: 0, violations: [] },
      { message: message({ data: Buffer.from('Hel'), frameIndexes: [0], violations: ['unfinished-message'] }) },
      { frame: 1, violations: ['unfinished-message'] },
    ]);
  });

  it('emits a message still unfinished when the stream ends, with unfinished-message', () => {
    const { events } = assemble([binary('ab', false), continuation('cd', false)]);
    expect(events).toEqual([
      { frame: 0, violations: [] },
      { frame: 1, violations: [] },
      { message: message({ opcode: 2, data: Buffer.from('abcd'), frameIndexes: [0, 1], violations: ['unfinished-message'] }) },
    ]);
  });

  it('reports whether a message is in progress', () => {
    expect(assemble([text('a', false)], {}, false).assembler.inMessage).toBe(true);
    expect(assemble([text('a', false), continuation('b')], {}, false).assembler.inMessage).toBe(false);
  });

  describe('UTF-8', () => {
    it('accepts a code point split across fragments', () => {
      const euro = Buffer.from('€');
      const { frames, messages } = assemble([text(euro.subarray(0, 1), false), continuation(euro.subarray(1, 2), false), continuation(euro.subarray(2))]);
      expect(frames.map((f) => f.violations)).toEqual([[], [], []]);
      expect(messages).toEqual([message({ data: euro, frameIndexes: [0, 1, 2] })]);
    });

    it('flags invalid-utf8 on the frame holding the invalid byte and on the message', () => {
      const { frames, messages } = assemble([text('ok', false), continuation(Buffer.from([0x61, 0xff]), false), continuation('more')]);
      expect(frames.map((f) => f.violations)).toEqual([[], ['invalid-utf8'], []]);
      expect(messages[0]!.violations).toEqual(['invalid-utf8']);
      expect(messages[0]!.data).toEqual(Buffer.from([0x6f, 0x6b, 0x61, 0xff, 0x6d, 0x6f, 0x72, 0x65]));
    });

    it('flags a code point cut off by the end of the message on the final frame', () => {
      const { frames, messages } = assemble([text('ok', false), continuation(Buffer.from([0xe2, 0x82]))]);
      expect(frames.map((f) => f.violations)).toEqual([[], ['invalid-utf8']]);
      expect(messages[0]!.violations).toEqual(['invalid-utf8']);
    });

    it('does not validate binary messages', () => {
      const { frames, messages } = assemble([binary(Buffer.from([0xff, 0xe2]))]);
      expect(frames[0]!.violations).toEqual([]);
      expect(messages[0]!.violations).toEqual([]);
    });

    it('starts every text message afresh', () => {
      const { frames } = assemble([text(Buffer.from([0xff])), text('fine')]);
      expect(frames.map((f) => f.violations)).toEqual([['invalid-utf8'], []]);
    });
  });

  describe('message size', () => {
    it('keeps maxMessageSize bytes, counts them all and flags message-too-large on the frame that crossed the cap', () => {
      const { frames, messages } = assemble([text('Hel', false), continuation('lo w', false), continuation('orld')], { maxMessageSize: 5 });
      expect(frames.map((f) => f.violations)).toEqual([[], ['message-too-large'], []]);
      expect(messages).toEqual([message({ data: Buffer.from('Hello'), size: 11, truncated: true, frameIndexes: [0, 1, 2], violations: ['message-too-large'] })]);
    });

    it('keeps a message of exactly maxMessageSize bytes whole', () => {
      const { frames, messages } = assemble([text('Hello')], { maxMessageSize: 5 });
      expect(frames[0]!.violations).toEqual([]);
      expect(messages).toEqual([message({ data: Buffer.from('Hello'), frameIndexes: [0] })]);
    });
  });

  describe('compressed messages', () => {
    const deflate = DEFAULT_DEFLATE_PARAMS;

    it('inflates a message whose first frame has RSV1, across fragments, with the history of earlier messages', () => {
      const deflater = new Deflater({ windowBits: 15, noContextTakeover: false });
      const first = deflater.compress(Buffer.from('Hello, Hello'));
      const part1 = deflater.compress(Buffer.from('Hello, '), false);
      const part2 = deflater.compress(Buffer.from('Hello'), true);
      const { frames, messages } = assemble([
        { opcode: Opcode.Text, rsv1: true, payload: first },
        { opcode: Opcode.Text, rsv1: true, fin: false, payload: part1 },
        { opcode: Opcode.Continuation, payload: part2 },
      ], { deflate });
      expect(frames.map((f) => f.violations)).toEqual([[], [], []]);
      expect(messages).toEqual([
        message({ data: Buffer.from('Hello, Hello'), compressed: true, frameIndexes: [0] }),
        message({ data: Buffer.from('Hello, Hello'), compressed: true, frameIndexes: [1, 2] }),
      ]);
    });

    it('leaves a message without RSV1 as it is on a compressed connection', () => {
      const { messages } = assemble([text('plain')], { deflate });
      expect(messages).toEqual([message({ data: Buffer.from('plain'), frameIndexes: [0] })]);
    });

    it('flags corrupt compressed data as inflate-failed on the frame and the message', () => {
      const { frames, messages } = assemble([{ opcode: Opcode.Binary, rsv1: true, payload: Buffer.from('ffffffff', 'hex') }], { deflate });
      expect(frames[0]!.violations).toEqual(['inflate-failed']);
      expect(messages[0]).toMatchObject({ compressed: true, violations: ['inflate-failed'] });
    });

    it('flags a message that inflates past maxInflatedSize as inflated-too-large and keeps its start', () => {
      const payload = new Deflater({ windowBits: 15, noContextTakeover: true }).compress(Buffer.from('Hello, Hello, Hello'));
      const { frames, messages } = assemble([{ opcode: Opcode.Text, rsv1: true, payload }], { deflate, maxInflatedSize: 10 });
      expect(frames[0]!.violations).toEqual(['inflated-too-large']);
      expect(messages).toEqual([message({ data: Buffer.from('Hello, Hel'), compressed: true, frameIndexes: [0], violations: ['inflated-too-large'] })]);
    });

    it('validates the UTF-8 of the inflated text, not of the compressed bytes', () => {
      const payload = new Deflater({ windowBits: 15, noContextTakeover: true }).compress(Buffer.from([0x61, 0xed, 0xa0, 0x80]));
      const { frames, messages } = assemble([{ opcode: Opcode.Text, rsv1: true, payload }], { deflate });
      expect(frames[0]!.violations).toEqual(['invalid-utf8']);
      expect(messages[0]!.violations).toEqual(['invalid-utf8']);
    });
  });
});
