// When the page asks the engine for its next event batch. A paced subscription is sent a batch only
// once the one before was acknowledged, so the page sets the pace: each acknowledgement goes out no
// sooner than MIN_BATCH_MS after the one before, later when rendering the batch took long (a tenth of
// the time between batches, up to MAX_BATCH_MS). Under a fast live tail a batch then comes (and the list
// renders) a handful of times a second, each with the newest rows and counts the engine has when it
// sends them; rows in between are never sent, and nobody could have read them. Answers to the page's
// own requests (a search's hits) do not wait for acknowledgements, so they keep their speed.
import { MAX_BATCH_MS, MIN_BATCH_MS, RENDER_SHARE } from './live-pace.js';
import { PacedAction } from './paced-action.js';

export interface AckPaceOptions {
  minMs?: number;
  maxMs?: number;
  /** The share of the time between batches that rendering one may take. */
  share?: number;
  now?: () => number;
}

export class AckPace {
  /** The newest batch applied and not yet acknowledged. */
  private pending: number | undefined;
  private readonly pace: PacedAction;
  private readonly minMs: number;
  private readonly maxMs: number;
  private readonly share: number;

  constructor(send: (batch: number) => void, { minMs = MIN_BATCH_MS, maxMs = MAX_BATCH_MS, share = RENDER_SHARE, now }: AckPaceOptions = {}) {
    this.minMs = minMs;
    this.maxMs = maxMs;
    this.share = share;
    this.pace = new PacedAction(() => {
      const batch = this.pending;
      this.pending = undefined;
      if (batch !== undefined) send(batch);
    }, minMs, now);
  }

  /**
   * The batch was applied (and rendered, in renderMs): acknowledged now, or once the time since the last
   * acknowledgement is renderMs / share, at least minMs and at most maxMs.
   */
  applied(batch: number, renderMs = 0): void {
    this.pending = batch;
    this.pace.minMs = Math.min(this.maxMs, Math.max(this.minMs, renderMs / this.share));
    this.pace.request();
  }

  /** Forgets a batch waiting to be acknowledged (the link dropped: the engine forgot it). */
  reset(): void {
    this.pace.cancel();
    this.pending = undefined;
  }
}
