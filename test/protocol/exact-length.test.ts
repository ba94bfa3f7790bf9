// 64-bit length fields stay exact past 2^53: in the parser (a bigint beside the number), in JSON (a decimal
// string beyond 2^53 − 1), in the capture file (a u64), and back through HAR import.
import { describe, expect, it } from 'vitest';
import { FrameParser } from '../../src/protocol/frame-parser.js';
import type { Frame, FrameHeader } from '../../src/protocol/frame.js';
import { encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import { frameToJson } from '../../src/protocol/frame-json.js';
import { lengthFromJson, lengthToJson } from '../../src/protocol/exact-length.js';
import { ViolationCatalogue, decodeFrameBody, measureFrameBody, writeFrameBody } from '../../src/capture/capture-file.js';
import { frameFromJson } from '../../src/capture/har-import.js';
import { frameFromFields } from '../../src/capture/har-import/frame-fields.js';

const LENGTHS: [string, bigint][] = [
  ['2^53 + 1', 2n ** 53n + 1n],
  ['2^63 − 1', 2n ** 63n - 1n],
  ['2^64 − 1', 2n ** 64n - 1n],
];

/** The header of a frame announcing `length` (no payload follows), and what the parser makes of it. */
function parseHeader(length: bigint): FrameHeader {
  let header: FrameHeader | undefined;
  const parser = new FrameParser({ from: 'server' }, { onHeader: (h) => (header = h), onPayload: () => {}, onFrame: () => {} });
  parser.push(encodeFrameBytes({ opcode: 2, fin: true, payloadLength: length, lengthForm: 64 }));
  return header!;
}

describe('64-bit payload lengths', () => {
  for (const [name, length] of LENGTHS) {
    it(`the parser keeps ${name} exactly, beside the nearest double`, () => {
      const header = parseHeader(length);
      expect(header.payloadLengthExact).toBe(length);
      expect(header.payloadLength).toBe(Number(length));
    });

    it(`a frame's JSON carries ${name} as its decimal digits, and reading them back is exact`, () => {
      const json = frameToJson({ ...parseHeader(length), violations: [] });
      expect(json.payloadLength).toBe(length.toString());
      expect(lengthFromJson(json.payloadLength)).toEqual({ payloadLength: Number(length), payloadLengthExact: length });
    });

    it(`a frame record keeps ${name} exactly (a u64 in the capture file)`, () => {
      const frame: Frame = { ...parseHeader(length), index: 0, offset: 0, payload: Buffer.from('abc'), truncated: true, violations: ['truncated-frame'] };
      const catalogue = new ViolationCatalogue();
      const input = { connectionId: 1, captured: { direction: 'receive' as const, time: 5, frame }, storePayload: true };
      const parts = measureFrameBody(input);
      const body = Buffer.alloc(parts.length);
      writeFrameBody(body, 0, input, parts, catalogue);
      const decoded = decodeFrameBody(body, catalogue).captured.frame;
      expect([decoded.payloadLength, decoded.payloadLengthExact, decoded.truncated, decoded.payload.toString()]).toEqual([Number(length), length, true, 'abc']);
    });

    it(`HAR import reads ${name} from its decimal string exactly`, () => {
      const problems: string[] = [];
      const fields = frameFromJson({ fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 2, masked: false, payloadLength: length.toString() }, (f, m) => problems.push(`${f}: ${m}`));
      expect(problems).toEqual([]);
      expect(fields!.payloadLength).toBe(length.toString());
      const frame = frameFromFields(fields!, 0, 0);
      expect([frame.payloadLength, frame.payloadLengthExact, frame.lengthForm, frame.headerLength]).toEqual([Number(length), length, 64, 10]);
    });
  }

  it('2^53 − 1 is a number everywhere: no bigint, no string', () => {
    const header = parseHeader(2n ** 53n - 1n);
    expect(header.payloadLengthExact).toBeUndefined();
    expect(header.payloadLength).toBe(Number.MAX_SAFE_INTEGER);
    expect(lengthToJson(header)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('JSON lengths: numbers and digit strings up to 2^64 − 1 are read; anything else is not', () => {
    expect(lengthFromJson(0)).toEqual({ payloadLength: 0 });
    expect(lengthFromJson('126')).toEqual({ payloadLength: 126 });
    expect(lengthFromJson('18446744073709551615')).toEqual({ payloadLength: 2 ** 64, payloadLengthExact: 2n ** 64n - 1n });
    for (const bad of ['18446744073709551616', '-1', '1.5', '', ' 1', '0x10', -1, 1.5, null, true, {}]) expect(lengthFromJson(bad)).toBeUndefined();
  });
});
