// The control API's live view: what a client subscribes to and the frame windows it is sent (part of
// api-types.ts, the one contract; types only).
import type { FrameFilter, FrameListSort, FrameSummary } from './api-types.js';

/** What a client views live: a connection's frame list under a filter and sort, a window of it, the tail or not. */
export interface LiveSubscription {
  /** The connection whose frames are shown; null for none. */
  connectionId: number | null;
  /** List positions [start, end) shown (with some rows around them); while following, end − start is the tail's size. */
  start: number;
  end: number;
  /** Keep to the newest rows as they arrive. */
  follow: boolean;
  filter?: Omit<FrameFilter, 'text' | 'regex' | 'flags'>;
  sort?: FrameListSort;
  /** Send the next batch only once this one is acknowledged (ackEvents): a busy page is never sent more than it applies. */
  paced?: boolean;
  /** The client's number for this subscription, echoed in its 'frames' events (to tell them from an earlier one's). */
  tag?: number;
}

/** Rows of a frame list at list positions start, start + 1...; total is the list's length under its filter. */
export interface FrameWindow {
  connectionId: number;
  /** The subscription's tag, when it gave one. */
  tag?: number;
  total: number;
  start: number;
  frames: FrameSummary[];
}

/** Live-view commands. */
export interface LiveCommands {
  /**
   * Says what this client views live (null: no frame list). The engine then sends that window's rows
   * in 'frames' events as they change (the tail's newest rows while following), coalesced, and only
   * while the client keeps up. The result is the window now (null without a connection).
   */
  subscribe: { params: LiveSubscription; result: { window: FrameWindow | null } };
  /** The client applied event batch `batch`: the engine may send the next (paced clients; see ControlEventBatch). */
  ackEvents: { params: { batch: number }; result: Record<string, never> };
}
