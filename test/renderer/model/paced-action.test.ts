// The page's pacing of live traffic: an action asked for often runs at most once every minMs (the first
// ask after a quiet spell at once), and a batch is acknowledged to the engine at that pace, the newest
// one applied. Timers are Vitest's fake ones and the clock is theirs: nothing here depends on the machine.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PacedAction } from '../../../renderer/src/model/paced-action.js';
import { AckPace } from '../../../renderer/src/model/ack-pace.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a paced action', () => {
  it('runs the first ask at once and the asks within minMs once, when minMs is over', () => {
    const runs: number[] = [];
    const action = new PacedAction(() => runs.push(Date.now()), 500, () => Date.now());
    const start = Date.now();
    action.request();
    expect(runs).toEqual([start]);
    vi.advanceTimersByTime(100);
    action.request();
    vi.advanceTimersByTime(100);
    action.request();
    expect(runs).toEqual([start]);
    vi.advanceTimersByTime(299);
    expect(runs).toEqual([start]);
    vi.advanceTimersByTime(1);
    expect(runs).toEqual([start, start + 500]);
    // Quiet since: the next ask runs at once.
    vi.advanceTimersByTime(2000);
    action.request();
    expect(runs).toEqual([start, start + 500, start + 2500]);
  });

  it('runs at once when told to, which answers a waiting ask and restarts the spacing', () => {
    const runs: number[] = [];
    const action = new PacedAction(() => runs.push(Date.now()), 500, () => Date.now());
    const start = Date.now();
    action.request();
    vi.advanceTimersByTime(100);
    action.request();
    action.runNow();
    expect(runs).toEqual([start, start + 100]);
    vi.advanceTimersByTime(1000);
    expect(runs).toEqual([start, start + 100]);
    action.request();
    expect(runs).toEqual([start, start + 100, start + 1100]);
  });
});

describe('acknowledging batches', () => {
  it('acknowledges the newest batch applied, at most once every minMs', () => {
    const acked: [number, number][] = [];
    const pace = new AckPace((batch) => acked.push([batch, Date.now()]), { minMs: 120, maxMs: 200, share: 0.1, now: () => Date.now() });
    const start = Date.now();
    pace.applied(1);
    vi.advanceTimersByTime(20);
    pace.applied(2);
    vi.advanceTimersByTime(30);
    pace.applied(3);
    expect(acked).toEqual([[1, start]]);
    vi.advanceTimersByTime(70);
    expect(acked).toEqual([[1, start], [3, start + 120]]);
  });

  it('waits longer after a batch that was slow to render: ten times its rendering, up to maxMs', () => {
    const acked: [number, number][] = [];
    const pace = new AckPace((batch) => acked.push([batch, Date.now()]), { minMs: 120, maxMs: 200, share: 0.1, now: () => Date.now() });
    const start = Date.now();
    pace.applied(1, 5);
    // Rendered in 15 ms: the next acknowledgement 150 ms after this one.
    pace.applied(2, 15);
    vi.advanceTimersByTime(149);
    expect(acked).toEqual([[1, start]]);
    vi.advanceTimersByTime(1);
    expect(acked).toEqual([[1, start], [2, start + 150]]);
    // Rendered in 80 ms: 800 ms would be too long to leave the tail unrefreshed; 200 ms.
    pace.applied(3, 80);
    vi.advanceTimersByTime(199);
    expect(acked).toEqual([[1, start], [2, start + 150]]);
    vi.advanceTimersByTime(1);
    expect(acked).toEqual([[1, start], [2, start + 150], [3, start + 350]]);
    // Quick again: back to minMs.
    pace.applied(4, 2);
    vi.advanceTimersByTime(120);
    expect(acked.at(-1)).toEqual([4, start + 470]);
  });

  it('forgets a waiting batch when the link drops', () => {
    const acked: number[] = [];
    const pace = new AckPace((batch) => acked.push(batch), { minMs: 120, maxMs: 200, share: 0.1, now: () => Date.now() });
    pace.applied(1);
    pace.applied(2);
    pace.reset();
    vi.advanceTimersByTime(1000);
    expect(acked).toEqual([1]);
  });
});
