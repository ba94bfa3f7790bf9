// Batches high-rate events: queued, then sent as one message at most every `interval` ms. The first
// event after a quiet spell waits at most one interval, so the UI stays live without a message per frame.

export class EventBatcher<E> {
  private queue: E[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly flushTo: (events: E[]) => void,
    /** Longest time an event waits before it is sent, in ms. */
    private readonly interval = 50,
  ) {}

  push(event: E): void {
    this.queue.push(event);
    this.timer ??= setTimeout(() => this.flush(), this.interval);
  }

  /** Sends whatever is queued now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0) return;
    const events = this.queue;
    this.queue = [];
    this.flushTo(events);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
  }
}
