// High-rate events are queued and applied in one batch per animation frame, so a burst of traffic
// costs one render, not one per event. A timeout is the fallback: a hidden window gets no animation
// frames, and its stores must still drain (and stay bounded).

export class AnimationFrameQueue<E> {
  private queue: E[] = [];
  private frame: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly apply: (events: E[]) => void,
    /** Longest wait when no animation frame comes, ms. */
    private readonly fallbackMs = 200,
  ) {}

  push(events: readonly E[]): void {
    for (const e of events) this.queue.push(e);
    if (this.frame !== undefined || this.timer !== undefined) return;
    this.frame = requestAnimationFrame(() => this.flush());
    this.timer = setTimeout(() => this.flush(), this.fallbackMs);
  }

  /** Applies everything queued now. */
  flush(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.frame = undefined;
    this.timer = undefined;
    if (this.queue.length === 0) return;
    const events = this.queue;
    this.queue = [];
    this.apply(events);
  }

  dispose(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.queue = [];
  }
}
