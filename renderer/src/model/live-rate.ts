// How fast a live list grows, for "N frames/s" beside a followed tail: the growth over the last
// second or so, from samples taken whenever the list's length changes.

/** Samples older than this are dropped, ms. */
const SPAN_MS = 2000;

export class LiveRate {
  private samples: { time: number; total: number }[] = [];

  /** The list is `total` long now. */
  sample(total: number, now = performance.now()): void {
    this.samples.push({ time: now, total });
    while (this.samples.length > 2 && now - this.samples[0]!.time > SPAN_MS) this.samples.shift();
  }

  /** Rows a second over the samples kept; 0 until there are two a while apart. */
  perSecond(now = performance.now()): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.time - first.time < 200) return 0;
    // A list that stopped growing a while ago is not growing now.
    if (now - last.time > SPAN_MS) return 0;
    return Math.round(((last.total - first.total) * 1000) / (last.time - first.time));
  }

  reset(): void {
    this.samples = [];
  }
}
