import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/protocol/frame.js';
import { frameToJson } from '../../src/protocol/frame-json.js';

function frame(fields: Partial<Frame>): Frame {
  return {
    fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, masked: false, payloadLength: 0, lengthForm: 7, headerLength: 2,
    index: 0, offset: 0, payload: Buffer.alloc(0), truncated: false, violations: [], ...fields,
  };
}

describe('frameToJson', () => {
  it('writes the HAR fields of an unmasked frame in order, leaving out the optional ones', () => {
    expect(JSON.stringify(frameToJson(frame({ opcode: 2, payloadLength: 3 })))).toBe(
      '{"fin":true,"rsv1":false,"rsv2":false,"rsv3":false,"opcode":2,"masked":false,"payloadLength":3}',
    );
  });

  it('writes type and time first, and the mask key as 8 lowercase hex digits', () => {
    const json = frameToJson(frame({ masked: true, maskKey: Buffer.from([0x37, 0xfa, 0x21, 0x3d]), payloadLength: 5 }), { type: 'send', time: 1700000000.25 });
    expect(JSON.stringify(json)).toBe(
      '{"type":"send","time":1700000000.25,"fin":true,"rsv1":false,"rsv2":false,"rsv3":false,"opcode":1,"masked":true,"maskKey":"37fa213d","payloadLength":5}',
    );
  });

  it('writes the close code, reason and violations of a close frame last', () => {
    const json = frameToJson(frame({ opcode: 8, payloadLength: 5, closeCode: 1005, closeReason: 'bye', violations: ['invalid-close-code'] }), { type: 'receive' });
    expect(JSON.stringify(json)).toBe(
      '{"type":"receive","fin":true,"rsv1":false,"rsv2":false,"rsv3":false,"opcode":8,"masked":false,"payloadLength":5,"closeCode":1005,"closeReason":"bye","violations":["invalid-close-code"]}',
    );
  });

  it('copies the violations, so later changes to the frame do not show', () => {
    const f = frame({ violations: ['reserved-opcode'] });
    const json = frameToJson(f);
    f.violations.push('invalid-utf8');
    expect(json.violations).toEqual(['reserved-opcode']);
  });
});
