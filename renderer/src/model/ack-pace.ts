// When the page asks the engine for its next event batch. A paced subscription is sent a batch only
// once the one before was acknowledged, so the page sets the pace: each acknowledgement goes out no
// sooner than MIN_BATCH_MS after the one before. Under a fast live tail a batch then comes (and the
// list renders) a handful of times a second, each with the newest rows and counts the engine has when
// it sends them; rows in between are never sent, and nobody could have read them. Answers to the
// page's own requests (a search's hits) do not wait for acknowledgements, so they keep their speed.
import { MIN_BATCH_MS } from './live-pace.js';
import { PacedAction } from './paced-action.js';

export class AckPace {
  /** The newest batch applied and not yet acknowledged. */
  private pending: number | undefined;
  private readonly pace: PacedAction;

  constructor(send: (batch: number) => void, minMs = MIN_BATCH_MS, now?: () => number) {
    this.pace = new PacedAction(() => {
      const batch = this.pending;
      this.pending = undefined;
      if (batch !== undefined) send(batch);
    }, minMs, now);
  }

  /** The batch was applied: acknowledged now, or once minMs have passed since the last acknowledgement. */
  applied(batch: number): void {
    this.pending = batch;
    this.pace.request();
  }

  /** Forgets a batch waiting to be acknowledged (the link dropped: the engine forgot it). */
  reset(): void {
    this.pace.cancel();
    this.pending = undefined;
  }
}
