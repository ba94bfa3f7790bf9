import { describe, expect, it } from 'vitest';
import { hexDumpLine, lineCount } from '../../../renderer/src/protocol/hex-dump.js';

describe('hexDumpLine', () => {
  it('writes a full line as offset, two groups of eight bytes and their ASCII', () => {
    const bytes = Buffer.from('Hello, WebSocket!\x00\xff', 'latin1');
    expect(hexDumpLine(bytes, 0)).toEqual({
      offset: '00000000',
      hex: '48 65 6c 6c 6f 2c 20 57  65 62 53 6f 63 6b 65 74',
      ascii: 'Hello, WebSocket',
    });
  });

  it('pads a short last line to full width and shows unprintable bytes as dots', () => {
    const bytes = Buffer.from('Hello, WebSocket!\x00\xff', 'latin1');
    const line = hexDumpLine(bytes, 1);
    expect(line.offset).toBe('00000010');
    expect(line.hex).toBe('21 00 ff' + ' '.repeat(hexDumpLine(Buffer.alloc(16), 0).hex.length - 8));
    expect(line.ascii).toBe('!..');
  });

  it('adds a base to the offsets and counts lines by 16 bytes', () => {
    expect(hexDumpLine(Buffer.alloc(40), 2, 6).offset).toBe('00000026');
    expect([0, 1, 16, 17, 32].map(lineCount)).toEqual([0, 1, 1, 2, 2]);
  });
});
