// The chunks a lane sent on before decoding them (its fast path), with the time each passed. They are
// decoded and recorded once the event loop has handled the I/O that is ready (setImmediate), together,
// and a frame's time is still when its last byte passed (not when it was decoded).

const NO_TIMES: number[] = [];

export class PassedChunks {
  // Made with the first chunk after a take(), never ahead: lists made ahead would wait for the lane's
  // next chunk while other connections run, age into the old generation, and keep the chunks pushed
  // into them alive through scavenges even once dropped (see RelayLane.runRecords).
  private chunks: Buffer[] | null = null;
  private times: number[] = NO_TIMES;

  /** due: decodes what passed; runs once after the I/O that is ready, from the first chunk since the last take(). */
  constructor(private readonly due: () => void) {}

  get length(): number {
    return this.chunks?.length ?? 0;
  }

  /** A chunk went on now. */
  push(chunk: Buffer): void {
    if (this.chunks === null) {
      this.chunks = [chunk];
      this.times = [Date.now()];
      setImmediate(this.due);
      return;
    }
    this.chunks.push(chunk);
    this.times.push(Date.now());
  }

  /** The chunks in order and when each passed (epoch ms); none are left. */
  take(): { chunks: Buffer[]; times: number[] } {
    const taken = { chunks: this.chunks ?? [], times: this.times };
    this.chunks = null;
    this.times = NO_TIMES;
    return taken;
  }
}
