// What the proxy waits to send in one direction (injected messages, hand-crafted frames, close frames),
// in order. They go at frame boundaries only; a data message never goes inside a fragmented message
// (RFC 6455 section 5.4), while control frames may (section 5.5).

interface Injection {
  /** A data frame: it must wait for the end of a fragmented message. */
  isData: boolean;
  /** Writes and records it. */
  send: () => void;
}

export class InjectionQueue {
  private readonly waiting: Injection[] = [];

  get length(): number {
    return this.waiting.length;
  }

  push(isData: boolean, send: () => void): void {
    this.waiting.push({ isData, send });
  }

  /**
   * Sends what may go now. midMessage: the bytes written so far end inside a fragmented message.
   * Control frames may overtake data that waits for the end of that message; data keeps its order.
   */
  sendReady(midMessage: boolean): void {
    let dataWaits = false;
    for (let i = 0; i < this.waiting.length; ) {
      const next = this.waiting[i]!;
      if (next.isData && (dataWaits || midMessage)) {
        dataWaits = true;
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      next.send();
    }
  }
}
