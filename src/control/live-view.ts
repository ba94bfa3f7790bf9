// A client's subscription (the subscribe command) as the event batcher reads it: the frame list of
// one connection of the browsed session, under its filter and sort, read from the store's index.
import { frameSortOf } from '../capture/frame-order.js';
import type { Engine } from '../engine.js';
import type { LiveSubscription } from './api-types.js';
import type { LiveView } from './event-batcher.js';
import { framesWithPreviews } from './previews.js';

/** A filtered or sorted list is read (a pass over its connection's index) at most this often, ms. */
const PLACED_READ_MS = 250;

export function liveView(engine: Engine, subscription: LiveSubscription): LiveView | undefined {
  const { connectionId, filter, sort } = checked(subscription);
  if (connectionId === null) return undefined;
  const store = engine.store;
  const storeFilter = filter && (filter.direction !== undefined || filter.opcode !== undefined || filter.violation !== undefined)
    ? { direction: filter.direction, opcode: filter.opcode, violation: filter.violation as never }
    : undefined;
  const order = frameSortOf(sort);
  const tag = Number.isSafeInteger(subscription.tag) ? subscription.tag : undefined;
  const placed = storeFilter !== undefined || order !== undefined;
  return {
    connectionId,
    start: Math.floor(subscription.start),
    end: Math.floor(subscription.end),
    follow: subscription.follow === true,
    sorted: order !== undefined,
    minReadInterval: placed ? PLACED_READ_MS : 0,
    current: () => engine.store === store,
    read: (range) => {
      const total = store.frameCount(connectionId, storeFilter);
      const [start, end] = range(total);
      return { connectionId, ...(tag !== undefined ? { tag } : {}), total, start, frames: end > start ? framesWithPreviews(store, connectionId, store.frames(connectionId, start, end, storeFilter, order)) : [] };
    },
  };
}

function checked(s: LiveSubscription): LiveSubscription {
  if (s.connectionId !== null && !Number.isSafeInteger(s.connectionId)) throw new Error('connectionId must be a connection id or null');
  if (!Number.isFinite(s.start) || !Number.isFinite(s.end) || s.start < 0 || s.end < s.start) throw new Error('start and end must be list positions, start ≤ end');
  if (s.follow !== undefined && typeof s.follow !== 'boolean') throw new Error('follow must be true or false');
  return s;
}
