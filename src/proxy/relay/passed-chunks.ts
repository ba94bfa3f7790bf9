// The chunks a lane sent on before decoding them (its fast path), with the time each passed. They are
// decoded and recorded once the event loop has handled the I/O that is ready (setImmediate), together,
// and a frame's time is still when its last byte passed (not when it was decoded).

export class PassedChunks {
  private chunks: Buffer[] = [];
  private times: number[] = [];

  /** due: decodes what passed; runs once after the I/O that is ready, from the first chunk since the last take(). */
  constructor(private readonly due: () => void) {}

  get length(): number {
    return this.chunks.length;
  }

  /** A chunk went on now. */
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.times.push(Date.now());
    if (this.chunks.length === 1) setImmediate(this.due);
  }

  /** The chunks in order and when each passed (epoch ms); none are left. */
  take(): { chunks: Buffer[]; times: number[] } {
    const taken = { chunks: this.chunks, times: this.times };
    this.chunks = [];
    this.times = [];
    return taken;
  }
}
