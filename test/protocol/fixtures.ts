// Byte fixtures shared by the codec tests: the examples of RFC 6455 §5.7, and a recording FrameSink.
// Also types for the codec classes that `ws` exports at run time but @types/ws does not declare.
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import type { Frame, FrameHeader, FrameSink, Sender } from '../../src/protocol/frame.js';

/** One wire frame of a fixture: its exact bytes and the fields it must decode to. */
export interface FrameFixture {
  /** What the fixture is, as the RFC names it. */
  name: string;
  /** Which peer sends it (masked: the client; unmasked: the server). */
  from: Sender;
  /** The exact bytes on the wire. */
  bytes: Buffer;
  /** The fields a parser must decode (the Frame less index, offset and violations, which are []). */
  expected: Omit<Frame, 'index' | 'offset' | 'violations'>;
}

const HELLO = Buffer.from('Hello');
const KEY = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

function header(fields: Partial<FrameHeader> & Pick<FrameHeader, 'opcode' | 'payloadLength' | 'headerLength'>): FrameHeader {
  return { fin: true, rsv1: false, rsv2: false, rsv3: false, masked: false, lengthForm: 7, ...fields };
}

/** A payload of n bytes with a pattern that shows misplaced bytes. */
export function patternPayload(n: number): Buffer {
  const payload = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) payload[i] = (i * 7 + (i >>> 8)) & 0xff;
  return payload;
}

const BYTES_256 = patternPayload(256);
const BYTES_65536 = patternPayload(65536);

/** RFC 6455 §5.7, each example as one frame (the fragmented message is two). */
export const RFC_EXAMPLES: FrameFixture[] = [
  {
    name: 'a single-frame unmasked text message "Hello"',
    from: 'server',
    bytes: Buffer.from([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]),
    expected: { ...header({ opcode: 1, payloadLength: 5, headerLength: 2 }), payload: HELLO, truncated: false },
  },
  {
    name: 'a single-frame masked text message "Hello"',
    from: 'client',
    bytes: Buffer.from([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]),
    expected: {
      ...header({ opcode: 1, payloadLength: 5, headerLength: 6, masked: true }), maskKey: KEY, payload: HELLO, truncated: false,
    },
  },
  {
    name: 'the first fragment "Hel" of an unmasked text message',
    from: 'server',
    bytes: Buffer.from([0x01, 0x03, 0x48, 0x65, 0x6c]),
    expected: { ...header({ fin: false, opcode: 1, payloadLength: 3, headerLength: 2 }), payload: Buffer.from('Hel'), truncated: false },
  },
  {
    name: 'the last fragment "lo" of an unmasked text message',
    from: 'server',
    bytes: Buffer.from([0x80, 0x02, 0x6c, 0x6f]),
    expected: { ...header({ opcode: 0, payloadLength: 2, headerLength: 2 }), payload: Buffer.from('lo'), truncated: false },
  },
  {
    name: 'an unmasked ping with "Hello"',
    from: 'server',
    bytes: Buffer.from([0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]),
    expected: { ...header({ opcode: 9, payloadLength: 5, headerLength: 2 }), payload: HELLO, truncated: false },
  },
  {
    name: 'a masked pong with "Hello"',
    from: 'client',
    bytes: Buffer.from([0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]),
    expected: {
      ...header({ opcode: 10, payloadLength: 5, headerLength: 6, masked: true }), maskKey: KEY, payload: HELLO, truncated: false,
    },
  },
  {
    name: 'a 256-byte unmasked binary message (16-bit length)',
    from: 'server',
    bytes: Buffer.concat([Buffer.from([0x82, 0x7e, 0x01, 0x00]), BYTES_256]),
    expected: { ...header({ opcode: 2, payloadLength: 256, headerLength: 4, lengthForm: 16 }), payload: BYTES_256, truncated: false },
  },
  {
    name: 'a 64 KiB unmasked binary message (64-bit length)',
    from: 'server',
    bytes: Buffer.concat([Buffer.from([0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00]), BYTES_65536]),
    expected: {
      ...header({ opcode: 2, payloadLength: 65536, headerLength: 10, lengthForm: 64 }), payload: BYTES_65536, truncated: false,
    },
  },
];

/** What a parser told its sink, copied at the time of each call. */
export interface Recording {
  /** Each onHeader call: a snapshot of the header fields, with the index and offset passed. */
  headers: { header: FrameHeader; index: number; offset: number }[];
  /** The onPayload chunks of each frame, joined, by frame index. */
  payloads: Buffer[];
  /** Number of onPayload calls. */
  payloadCalls: number;
  /** Each onFrame call, in order. */
  frames: Frame[];
}

/** A FrameSink that records everything, copying what is valid only during a call. */
export function recordingSink(): FrameSink & Recording {
  const pieces: Buffer[] = [];
  const recording: FrameSink & Recording = {
    headers: [],
    payloads: [],
    payloadCalls: 0,
    frames: [],
    onHeader(header, index, offset) {
      const { fin, rsv1, rsv2, rsv3, opcode, masked, maskKey, payloadLength, lengthForm, headerLength } = header;
      const snapshot: FrameHeader = { fin, rsv1, rsv2, rsv3, opcode, masked, payloadLength, lengthForm, headerLength };
      if (maskKey !== undefined) snapshot.maskKey = Buffer.from(maskKey);
      recording.headers.push({ header: snapshot, index, offset });
      pieces.length = 0;
    },
    onPayload(chunk) {
      recording.payloadCalls++;
      pieces.push(Buffer.from(chunk));
    },
    onFrame(frame) {
      recording.payloads[frame.index] = Buffer.concat(pieces);
      pieces.length = 0;
      recording.frames.push(frame);
    },
  };
  return recording;
}

/** The frame's fields other than those a fixture leaves out. */
export function withoutPosition(frame: Frame): Omit<Frame, 'index' | 'offset' | 'violations'> {
  const { index: _index, offset: _offset, violations: _violations, ...rest } = frame;
  return rest;
}

// ws exports its codec classes at run time (`import { Receiver, Sender } from 'ws'`); @types/ws
// does not declare them. These declarations cover what the tests use.
declare module 'ws' {
  /** Options of ws's Receiver (lib/receiver.js). */
  export interface ReceiverOptions {
    isServer?: boolean;
    extensions?: Record<string, PerMessageDeflate>;
    skipUTF8Validation?: boolean;
    maxPayload?: number;
    allowSynchronousEvents?: boolean;
    binaryType?: 'nodebuffer' | 'arraybuffer' | 'fragments';
  }
  /** ws's frame decoder: a Writable that emits 'message', 'ping', 'pong', 'conclude' and 'error'. */
  export class Receiver extends Writable {
    constructor(options?: ReceiverOptions);
    /** The private chunk entry point; write() goes through the Writable machinery to it. */
    _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void;
  }
  /** Options of Sender.frame (lib/sender.js). */
  export interface SenderFrameOptions {
    fin?: boolean;
    rsv1?: boolean;
    opcode: number;
    mask?: boolean;
    readOnly?: boolean;
    maskBuffer?: Buffer;
    generateMask?: (mask: Buffer) => void;
  }
  /** ws's frame encoder. */
  export class Sender {
    static frame(data: Buffer | string, options: SenderFrameOptions): Buffer[];
  }
  /** ws's permessage-deflate extension (RFC 7692). */
  export class PerMessageDeflate {
    constructor(options?: { isServer?: boolean; maxPayload?: number; threshold?: number });
    accept(configurations: Record<string, unknown>[]): Record<string, unknown>;
    cleanup(): void;
  }
}

/**
 * Asserts that two byte strings are equal. Buffer.equals first: Vitest's deep equality walks
 * large buffers byte by byte, far too slowly; hex strings give a readable failure.
 */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  if (Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(expected)) return;
  expect(Buffer.from(actual).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
}
