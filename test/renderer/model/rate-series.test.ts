import { describe, expect, it } from 'vitest';
import type { FrameSummary } from '../../../src/control/api-types.js';
import { estimateFrameAt, rateSeries } from '../../../renderer/src/model/rate-series.js';

const T0 = 1_700_000_000_000;

function frame(number: number, time: number, direction: 'send' | 'receive', payloadLength = 10, opcode = 1, fin = true): FrameSummary {
  return {
    connectionId: 1, number, direction, time, fin, rsv1: false, rsv2: false, rsv3: false, opcode, masked: direction === 'send',
    payloadLength, lengthForm: 7, headerLength: direction === 'send' ? 6 : 2, index: number, offset: 0, truncated: false,
    violations: [], injected: false, edited: false, dropped: false, payloadNotStored: false, storedLength: payloadLength, preview: '', previewKind: 'text',
  };
}

describe('rateSeries', () => {
  it('counts every frame of a fully read connection into 100 ms bins, as per-second rates', () => {
    // Ten client messages in the first 100 ms, five server messages in the last 100 ms of one second.
    const frames = [
      ...Array.from({ length: 10 }, (_, i) => frame(i, T0 + i * 10, 'send')),
      ...Array.from({ length: 5 }, (_, i) => frame(10 + i, T0 + 950 + i * 10, 'receive', 20)),
    ];
    const series = rateSeries([{ start: 0, frames }], frames.length, 240)!;
    expect([series.start, series.end]).toEqual([T0, T0 + 1000]);
    expect(series.bins.msgSend.length).toBe(10);
    expect(series.bins.msgSend[0]).toBeCloseTo(100);
    expect(series.bins.bytesSend[0]).toBeCloseTo(10 * 16 * 10);
    expect(series.bins.msgReceive[9]).toBeCloseTo(50);
    expect(series.bins.bytesReceive[9]).toBeCloseTo(5 * 22 * 10);
    expect(Array.from(series.bins.msgSend.slice(1))).toEqual(new Array(9).fill(0));
  });

  it('counts only the frame that ends a data message as a message', () => {
    const frames = [frame(0, T0, 'send', 5, 1, false), frame(1, T0 + 1, 'send', 5, 0, true), frame(2, T0 + 2, 'send', 0, 9, true)];
    const series = rateSeries([{ start: 0, frames }], 3, 240)!;
    expect(series.bins.msgSend[0]! / 10).toBeCloseTo(1);
    expect(series.bins.bytesSend[0]! / 10).toBeCloseTo(5 + 6 + 5 + 6 + 0 + 6);
  });

  it('fills the gaps between probe windows with their exact frame counts, mixed as the window before them', () => {
    // Two windows of two frames 10 s apart with 998 frames between: all sends, one per 10 ms.
    const windows = [
      { start: 0, frames: [frame(0, T0, 'send'), frame(1, T0 + 10, 'send')] },
      { start: 1000, frames: [frame(1000, T0 + 10_000, 'send'), frame(1001, T0 + 10_010, 'send')] },
    ];
    const series = rateSeries(windows, 1002, 100)!;
    const total = Array.from(series.bins.msgSend).reduce((sum, r) => sum + r, 0) * ((series.end - series.start) / 100 / 1000);
    expect(total).toBeCloseTo(1002);
    expect(series.bins.msgSend[50]).toBeCloseTo(100, 0);
  });

  it('turns a time back into a frame number between anchors', () => {
    const windows = [{ start: 0, frames: [frame(0, T0, 'send')] }, { start: 1000, frames: [frame(1000, T0 + 10_000, 'send')] }];
    const series = rateSeries(windows, 2000, 100)!;
    expect(estimateFrameAt(series, T0 + 5_000, 2000)).toBe(500);
    expect(estimateFrameAt(series, T0 - 1, 2000)).toBe(0);
  });

  it('has nothing to plot without frames', () => {
    expect(rateSeries([{ start: 0, frames: [] }], 0, 240)).toBeUndefined();
  });
});
