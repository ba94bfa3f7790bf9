import { describe, expect, it } from 'vitest';
import { ConnectionIndex, FrameBits } from '../../src/capture/capture-index.js';
import { FrameOrder, frameSortOf } from '../../src/capture/frame-order.js';

interface Spec {
  time?: number;
  receive?: boolean;
  opcode?: number;
  length?: bigint | number;
  violations?: number;
}

function indexOf(specs: Spec[], entry = new ConnectionIndex(1)): ConnectionIndex {
  for (const s of specs) {
    const bits = (s.receive ? FrameBits.Receive : 0) | ((s.opcode ?? 1) << FrameBits.OpcodeShift);
    const length = s.length ?? 0;
    entry.addFrame(entry.frameCount * 100, s.time ?? entry.frameCount, bits, 0, s.violations ?? 0, 2 + Number(length), length);
  }
  return entry;
}

const list = (a: Uint32Array) => [...a];

describe('frame order', () => {
  it('sorts by length ascending, ties in wire order', () => {
    const entry = indexOf([{ length: 5 }, { length: 3 }, { length: 5 }, { length: 0 }, { length: 3 }]);
    expect(list(new FrameOrder().numbers(entry, { key: 'length' }))).toEqual([3, 1, 4, 0, 2]);
  });

  it('sorts by length descending, ties still in wire order', () => {
    const entry = indexOf([{ length: 5 }, { length: 3 }, { length: 5 }, { length: 0 }, { length: 3 }]);
    expect(list(new FrameOrder().numbers(entry, { key: 'length', descending: true }))).toEqual([0, 2, 1, 4, 3]);
  });

  it('compares lengths past 2^53 exactly, where their doubles are equal', () => {
    const big = 2n ** 60n;
    // 2^60 + 1 and 2^60 round to the same double; 2^64 - 1 is the largest field.
    const entry = indexOf([{ length: big + 1n }, { length: 0xffff_ffff_ffff_ffffn }, { length: big }, { length: 2 ** 53 - 1 }, { length: big + 1n }]);
    expect(Number(big + 1n)).toBe(Number(big));
    expect(list(new FrameOrder().numbers(entry, { key: 'length' }))).toEqual([3, 2, 0, 4, 1]);
    expect(list(new FrameOrder().numbers(entry, { key: 'length', descending: true }))).toEqual([1, 0, 4, 2, 3]);
  });

  it('sorts by direction, opcode, violations and time', () => {
    const entry = indexOf([
      { receive: true, opcode: 2, violations: 1, time: 30 },
      { receive: false, opcode: 1, violations: 0, time: 10 },
      { receive: true, opcode: 9, violations: 2, time: 20 },
      { receive: false, opcode: 2, violations: 1, time: 10 },
    ]);
    const order = new FrameOrder();
    expect(list(order.numbers(entry, { key: 'direction' }))).toEqual([1, 3, 0, 2]);
    expect(list(order.numbers(entry, { key: 'opcode' }))).toEqual([1, 0, 3, 2]);
    expect(list(order.numbers(entry, { key: 'violations', descending: true }))).toEqual([2, 0, 3, 1]);
    expect(list(order.numbers(entry, { key: 'time' }))).toEqual([1, 3, 2, 0]);
  });

  it('places frames that arrive later in their sorted place, ties after the older frames', () => {
    const entry = indexOf([{ length: 4 }, { length: 1 }, { length: 9 }]);
    const order = new FrameOrder();
    const first = order.numbers(entry, { key: 'length' });
    expect(list(first)).toEqual([1, 0, 2]);
    expect(order.numbers(entry, { key: 'length' })).toBe(first); // cached while nothing arrives
    indexOf([{ length: 4 }, { length: 0 }, { length: 10 }, { length: 1 }], entry);
    expect(list(order.numbers(entry, { key: 'length' }))).toEqual([4, 1, 6, 0, 3, 2, 5]);
    expect(list(order.numbers(entry, { key: 'length', descending: true }))).toEqual([5, 2, 0, 3, 1, 6, 4]);
  });

  it('keeps two orders per connection, dropping the least recently used', () => {
    const entry = indexOf([{ length: 2, opcode: 2 }, { length: 1, opcode: 1 }]);
    const order = new FrameOrder();
    const byLength = order.numbers(entry, { key: 'length' });
    const byOpcode = order.numbers(entry, { key: 'opcode' });
    expect(order.numbers(entry, { key: 'length' })).toBe(byLength);
    order.numbers(entry, { key: 'time' });
    expect(order.numbers(entry, { key: 'length' })).toBe(byLength);
    const again = order.numbers(entry, { key: 'opcode' });
    expect(again).not.toBe(byOpcode);
    expect(list(again)).toEqual([1, 0]);
  });

  it('keeps only the frames a filter passes, in sorted order', () => {
    const entry = indexOf([{ length: 4, receive: true }, { length: 1 }, { length: 9, receive: true }, { length: 2, receive: true }]);
    expect(list(new FrameOrder().filtered(entry, { key: 'length', descending: true }, { direction: 'receive' }))).toEqual([2, 0, 3]);
  });

  it('checks a sort from the control API', () => {
    expect(frameSortOf(undefined)).toBeUndefined();
    expect(frameSortOf({ key: 'length' })).toEqual({ key: 'length', descending: false });
    expect(() => frameSortOf({ key: 'payload' })).toThrow('sort.key must be one of time, direction, opcode, length, violations');
    expect(() => frameSortOf({ key: 'time', descending: 'yes' })).toThrow('sort.descending must be true or false');
  });
});
