// A 'counts' event read: each connection's id, then its counts in COUNT_FIELDS order, in one flat list.
import { COUNT_FIELDS, type ConnectionCounts } from '../api/wire.js';

const STRIDE = 1 + COUNT_FIELDS.length;

/** Calls `each` with every connection's id and its counts in the list. */
export function forEachCounts(list: readonly number[], each: (id: number, counts: ConnectionCounts) => void): void {
  for (let at = 0; at + STRIDE <= list.length; at += STRIDE) each(list[at]!, countsAt(list, at));
}

/** One connection's counts in the list, or undefined when it is not there. */
export function countsOf(list: readonly number[], id: number): ConnectionCounts | undefined {
  for (let at = 0; at + STRIDE <= list.length; at += STRIDE) if (list[at] === id) return countsAt(list, at);
  return undefined;
}

function countsAt(list: readonly number[], at: number): ConnectionCounts {
  const counts = {} as Record<(typeof COUNT_FIELDS)[number], number>;
  COUNT_FIELDS.forEach((field, i) => { counts[field] = list[at + 1 + i]!; });
  return counts;
}
