// The writing end of one direction: bytes to the receiver, with backpressure on the sender.
import type { Duplex } from 'node:stream';

/** Why the sender's socket is paused: its receiver is slow, or the capture store is behind. */
export type PauseReason = 'receiver' | 'store';

export class LaneOutput {
  private readonly pausedBy = new Set<PauseReason>();
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
