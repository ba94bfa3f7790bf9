// Traffic shaping for one direction (rules' latency and throttle): bytes leave in order, each no
// earlier than its arrival plus the latency, and no faster than the rate. What waits is bounded: past
// HIGH_WATER the sender is paused, as a slow receiver would pause it. A mark waits in line with the
// bytes and runs once those before it have been written: what they carried is recorded then, at its
// wire time.

const EMPTY = Buffer.alloc(0);

/** Bytes waiting in the shaper before the sender is paused. */
export const HIGH_WATER = 64 * 1024;

export class LaneShaper {
  private readonly waiting: { bytes: Buffer; due: number; mark?: (written: boolean) => void }[] = [];
  private waitingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  /** When the throttled link is free to send again (epoch ms). */
  private linkFreeAt = 0;
  private high = false;
  private whenEmpty: (() => void)[] = [];

  constructor(
    private latencyMs: number,
    private bytesPerSecond: number,
    private readonly write: (bytes: Buffer) => void,
    /** Told when the waiting bytes cross HIGH_WATER (true) and fall back to nothing (false). */
    private readonly onHigh: (high: boolean) => void,
  ) {}

  get idle(): boolean {
    return this.waiting.length === 0;
  }

  /** New settings apply to bytes that arrive from now on. */
  set(latencyMs: number, bytesPerSecond: number): void {
    this.latencyMs = latencyMs;
    this.bytesPerSecond = bytesPerSecond;
  }

  push(bytes: Buffer): void {
    this.waiting.push({ bytes, due: Date.now() + this.latencyMs });
    this.waitingBytes += bytes.length;
    if (!this.high && this.waitingBytes > HIGH_WATER) {
      this.high = true;
      this.onHigh(true);
    }
    if (!this.timer) this.pump();
  }

  /** Runs mark(true) once the bytes pushed so far have been written (at once when nothing waits); mark(false) if they never are. */
  mark(mark: (written: boolean) => void): void {
    if (this.idle) mark(true);
    else this.waiting.push({ bytes: EMPTY, due: 0, mark });
  }

  /** Runs once everything waiting has been written (at once when nothing waits). */
  afterEmpty(run: () => void): void {
    if (this.idle) run();
    else this.whenEmpty.push(run);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const marks = this.waiting.flatMap((w) => (w.mark ? [w.mark] : []));
    this.waiting.length = 0;
    // What was still waiting never reaches the receiver.
    for (const mark of marks) mark(false);
    this.whenEmpty = [];
  }

  private pump(): void {
    this.timer = null;
    for (;;) {
      const head = this.waiting[0];
      if (!head) break;
      if (head.mark) {
        this.waiting.shift();
        head.mark(true);
        continue;
      }
      const now = Date.now();
      if (head.due > now) return this.later(head.due - now);
      if (this.bytesPerSecond > 0) {
        if (this.linkFreeAt > now) return this.later(this.linkFreeAt - now);
        // A slice worth 10 ms of the rate at a time, so the rate holds over short spans too.
        const slice = Math.max(1, Math.floor(this.bytesPerSecond / 100));
        const piece = head.bytes.length > slice ? head.bytes.subarray(0, slice) : head.bytes;
        if (piece === head.bytes) this.waiting.shift();
        else head.bytes = head.bytes.subarray(slice);
        this.waitingBytes -= piece.length;
        this.linkFreeAt = Math.max(this.linkFreeAt, now) + (piece.length * 1000) / this.bytesPerSecond;
        this.write(piece);
      } else {
        this.waiting.shift();
        this.waitingBytes -= head.bytes.length;
        this.write(head.bytes);
      }
    }
    if (this.high) {
      this.high = false;
      this.onHigh(false);
    }
    for (const run of this.whenEmpty.splice(0)) run();
  }

  private later(ms: number): void {
    this.timer = setTimeout(() => this.pump(), Math.max(1, Math.ceil(ms)));
  }
}
