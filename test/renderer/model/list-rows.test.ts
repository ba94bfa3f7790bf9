import { describe, expect, it } from 'vitest';
import type { FrameSummary, MessageSummary } from '../../../src/control/api-types.js';
import { toFrameRow } from '../../../renderer/src/model/frame-row.js';
import { toMessageRow } from '../../../renderer/src/model/message-row.js';

const message: MessageSummary = {
  number: 2, direction: 'receive', time: 1714557601500, opcode: 2, size: 5, compressed: false, truncated: false,
  violations: [], injected: false, edited: false, dropped: false, preview: '00010203ff', previewKind: 'hex',
};

const frame: FrameSummary = {
  connectionId: 1, number: 0, direction: 'send', time: 1, fin: true, rsv1: true, rsv2: false, rsv3: false, opcode: 1,
  masked: true, maskKey: '01020304', payloadLength: 9, lengthForm: 7, headerLength: 6, index: 0, offset: 0, truncated: false,
  violations: [], injected: false, edited: false, dropped: false, payloadNotStored: false, storedLength: 9,
  preview: 'hello\nworld', previewKind: 'text', previewDecompressed: true,
};

describe('toMessageRow', () => {
  it('writes a binary preview as hex pairs and badges the opcode', () => {
    const row = toMessageRow(message);
    expect([row.preview, row.previewIsHex, row.badge, row.size]).toEqual(['00 01 02 03 ff', true, 'BIN', 5]);
  });

  it('keeps a text preview on one line', () => {
    const row = toMessageRow({ ...message, opcode: 1, preview: 'a\r\n\tb', previewKind: 'text' });
    expect([row.preview, row.previewIsHex, row.badge]).toEqual(['a b', false, 'TEXT']);
  });
});

describe('toFrameRow', () => {
  it('marks a preview of the decompressed message as inflated', () => {
    const row = toFrameRow(frame);
    expect([row.previewInflated, row.preview, row.payloadLength]).toEqual([true, 'hello world', 9]);
  });

  it('leaves a preview of the wire payload unmarked', () => {
    const { previewDecompressed: _, ...plain } = frame;
    expect(toFrameRow(plain).previewInflated).toBe(false);
  });
});
