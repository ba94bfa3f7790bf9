// Two connected in-process streams: what one end writes, the other reads. Client mode uses it to
// feed Framescope's own connections through the proxy's normal path (Node 20 has no duplexPair).
import { Duplex } from 'node:stream';

class PairEnd extends Duplex {
  other!: PairEnd;
  /** Shown as the peer's address in the record. */
  readonly remoteAddress = 'framescope';
  readonly remotePort = 0;
  private waiting: (() => void) | null = null;

  override _read(): void {
    const resume = this.waiting;
    this.waiting = null;
    resume?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // Backpressure: wait until the other end wants more.
    if (this.other.push(chunk)) callback();
    else this.other.waiting = () => callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.other.push(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.other.destroyed) this.other.destroy();
    callback(error);
  }

  /** http.Server calls these on its sockets. */
  setTimeout(): this { return this; }
  setNoDelay(): this { return this; }
  setKeepAlive(): this { return this; }
}

export function duplexPair(): [Duplex & { remoteAddress: string }, Duplex & { remoteAddress: string }] {
  const a = new PairEnd();
  const b = new PairEnd();
  a.other = b;
  b.other = a;
  return [a, b];
}
