// The rate plot's data for the selected connection: probe windows fetched by range, turned into
// rates (rate-series.ts); refreshed every few seconds while the connection grows.
import type { ControlClient } from '../api/control-client.js';
import type { FrameSummary } from '../api/wire.js';
import { Observable } from './observable.js';
import { estimateFrameAt, rateSeries, type ProbeWindow, type RateSeries } from './rate-series.js';

/** Up to this many frames, every frame is read and the plot is exact. */
const EXACT_LIMIT = 10_000;
const PROBES = 120;
const PROBE_SIZE = 40;
export const RATE_BINS = 240;
/** A growing connection's plot is redrawn at most this often, ms. */
const REFRESH_MS = 1000;
/**
 * ...and it waits at least this many times as long as its last load took: under a heavy live load the
 * probes (120 requests) cost the page and the engine, and a plot of the whole life changes little in a second.
 */
const REFRESH_PER_LOAD = 10;
/** A newly selected connection's plot waits this long, ms: the timeline's first rows go first. */
const FIRST_LOAD_DELAY_MS = 250;

export class RateStore extends Observable {
  connectionId: number | undefined;
  series: RateSeries | undefined;
  total = 0;
  loading = false;
  private generation = 0;
  private pendingTotal: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastLoad = 0;
  /** How long the last load took, ms. */
  private lastLoadMs = 0;
  initialized: Promise<void> = Promise.resolve();

  constructor(private readonly client: ControlClient) {
    super();
  }

  /** Shows another connection, or the same one grown to `frameCount` frames. */
  update(connectionId: number | undefined, frameCount: number): void {
    if (connectionId !== this.connectionId) {
      this.connectionId = connectionId;
      this.series = undefined;
      this.total = 0;
      this.generation++;
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      this.changed();
      if (connectionId !== undefined && frameCount > 0) {
        this.pendingTotal = frameCount;
        this.timer = setTimeout(() => {
          this.timer = undefined;
          if (this.pendingTotal !== undefined) this.initialized = this.load(this.pendingTotal);
        }, FIRST_LOAD_DELAY_MS);
      }
      return;
    }
    if (connectionId === undefined || frameCount === this.total || frameCount === this.pendingTotal) return;
    this.pendingTotal = frameCount;
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastLoad + Math.max(REFRESH_MS, REFRESH_PER_LOAD * this.lastLoadMs) - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pendingTotal !== undefined) this.initialized = this.load(this.pendingTotal);
    }, wait);
  }

  /** The number of the first frame at or after `time`, for a click on the plot. */
  async frameAt(time: number): Promise<number | undefined> {
    const id = this.connectionId;
    if (id === undefined || !this.series || this.total === 0) return undefined;
    const guess = estimateFrameAt(this.series, time, this.total);
    // Refine around the guess: the first frame in the window at or after the time.
    let start = Math.max(0, guess - 500);
    for (let round = 0; round < 8; round++) {
      const { frames } = await this.client.request('queryFrames', { connectionId: id, start, end: start + 1000 });
      if (frames.length === 0) return Math.max(0, this.total - 1);
      if (frames[0]!.time > time && start > 0) {
        start = Math.max(0, start - 1000);
        continue;
      }
      const hit = frames.find((f) => f.time >= time);
      if (hit) return hit.number;
      start += frames.length;
    }
    return guess;
  }

  private async load(total: number): Promise<void> {
    const id = this.connectionId!;
    const generation = ++this.generation;
    this.pendingTotal = undefined;
    this.lastLoad = performance.now();
    this.loading = true;
    try {
      const windows = await this.windows(id, total);
      if (generation !== this.generation) return;
      this.series = rateSeries(windows, total, RATE_BINS);
      this.total = total;
      this.lastLoadMs = performance.now() - this.lastLoad;
    } catch {
      // The plot stays as it was; the next growth tries again.
    }
    if (generation === this.generation) {
      this.loading = false;
      this.changed();
    }
  }

  private async windows(id: number, total: number): Promise<ProbeWindow[]> {
    const query = (start: number, end: number) => this.client.request('queryFrames', { connectionId: id, start, end }).then((r) => r.frames);
    if (total <= EXACT_LIMIT) {
      const parts: Promise<FrameSummary[]>[] = [];
      for (let start = 0; start < total; start += 5000) parts.push(query(start, Math.min(total, start + 5000)));
      return [{ start: 0, frames: (await Promise.all(parts)).flat() }];
    }
    const starts = Array.from({ length: PROBES }, (_, i) => Math.floor((i * (total - PROBE_SIZE)) / (PROBES - 1)));
    const frames = await Promise.all(starts.map((s) => query(s, s + PROBE_SIZE)));
    return starts.map((start, i) => ({ start, frames: frames[i]! }));
  }
}
