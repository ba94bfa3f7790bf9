// The writing end of one direction: bytes to the receiver, with backpressure on the sender, through a
// shaper when rules add latency or a rate limit.
import type { Duplex } from 'node:stream';
import { LaneShaper } from './lane-shaper.js';

/** Why the sender's socket is paused: its receiver is slow, the capture store is behind, or the shaper is full. */
export type PauseReason = 'receiver' | 'store' | 'shaper';

export class LaneOutput {
  private readonly pausedBy = new Set<PauseReason>();
  private shaper: LaneShaper | null = null;
  /** The sender's socket is closed: nothing more is written or resumed. */
  closed = false;

  constructor(
    /** The sender's socket. */
    readonly source: Duplex,
    /** The receiver's socket. */
    readonly dest: Duplex,
  ) {}

  write(bytes: Buffer): void {
    if (this.closed || bytes.length === 0) return;
    if (this.shaper) this.shaper.push(bytes);
    else this.writeNow(bytes);
  }

  /**
   * Writes made while run runs leave together (one writev), as a chunk on the fast path leaves in one
   * write: a chunk whose messages rules examined is often several writes (a message that began in the
   * chunk before, the runs around it).
   */
  together(run: () => void): void {
    if (this.shaper || this.dest.destroyed) {
      run();
      return;
    }
    this.dest.cork();
    try {
      run();
    } finally {
      this.dest.uncork();
    }
  }

  /** Latency (ms) and a rate (bytes a second, 0: none) for what is written from now on. */
  shape(latencyMs: number, bytesPerSecond: number): void {
    if (this.shaper) this.shaper.set(latencyMs, bytesPerSecond);
    else if (latencyMs > 0 || bytesPerSecond > 0) {
      this.shaper = new LaneShaper(latencyMs, bytesPerSecond, (b) => this.writeNow(b), (high) => (high ? this.pause('shaper') : this.resume('shaper')));
    }
  }

  /**
   * Runs run(true) once the bytes written so far have gone to the receiver's socket: at once, or when the
   * shaper lets them go; run(false) when the shaper is disposed with them still waiting.
   */
  get shaped(): boolean {
    return this.shaper !== null;
  }

  afterWritten(run: (written: boolean) => void): void {
    if (this.shaper) this.shaper.mark(run);
    else run(true);
  }

  /** Ends the receiver's socket once what the shaper holds has gone. */
  end(): void {
    if (this.shaper) this.shaper.afterEmpty(() => this.dest.end());
    else this.dest.end();
  }

  dispose(): void {
    this.shaper?.dispose();
  }

  private writeNow(bytes: Buffer): void {
    if (this.dest.destroyed) return;
    if (!this.dest.write(bytes) && !this.pausedBy.has('receiver')) {
      // Backpressure: the sender waits until the receiver has taken what is queued.
      this.pause('receiver');
      this.dest.once('drain', () => this.resume('receiver'));
    }
  }

  pause(reason: PauseReason): void {
    this.pausedBy.add(reason);
    this.source.pause();
  }

  /** Resumes the sender once nothing else holds it back. */
  resume(reason: PauseReason): void {
    this.pausedBy.delete(reason);
    if (this.pausedBy.size === 0 && !this.closed) this.source.resume();
  }
}
