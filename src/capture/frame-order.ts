// A connection's frames in the order of a list column, built from the in-memory index alone (no
// reads), so a million-frame connection sorts without shipping a row. The order is a permutation of
// frame numbers, cached per connection, column and direction. Frames only ever arrive at the end and
// their sorted fields never change, so a cached order is extended: the new frames are sorted and
// merged in. Ties keep wire order, ascending or descending.
import { opcodeOfBits, violationCountOfBits, type ConnectionIndex } from './capture-index.js';
import { frameMatcher, type FrameFilter } from './frame-filter.js';

/** The columns a frame list sorts by. */
export type FrameSortKey = 'time' | 'direction' | 'opcode' | 'length' | 'violations';

export const FRAME_SORT_KEYS: readonly FrameSortKey[] = ['time', 'direction', 'opcode', 'length', 'violations'];

/** How a frame list is sorted. */
export interface FrameSort {
  /** The column. */
  key: FrameSortKey;
  /** Largest first; ties stay in wire order either way. */
  descending?: boolean;
}

/** Sorted orders kept per connection (a list shows one; a second for flipping its direction). */
const ORDERS_KEPT = 2;

interface CachedOrder {
  /** Frame numbers in order. */
  numbers: Uint32Array;
}

/** Sorted frame orders, cached per connection index (a new session's index starts afresh). */
export class FrameOrder {
  private readonly cache = new WeakMap<ConnectionIndex, Map<string, CachedOrder>>();

  /** Every frame number of the connection, in the sort's order. The array is shared: do not change it. */
  numbers(entry: ConnectionIndex, sort: FrameSort): Uint32Array {
    let orders = this.cache.get(entry);
    if (!orders) {
      orders = new Map();
      this.cache.set(entry, orders);
    }
    const name = `${sort.key}:${sort.descending === true}`;
    const cached = orders.get(name);
    const count = entry.frameCount;
    // Most recently used last: the oldest goes once more than a few are kept (4 bytes a frame each).
    orders.delete(name);
    if (cached && cached.numbers.length === count) {
      orders.set(name, cached);
      return cached.numbers;
    }
    const compare = comparator(entry, sort);
    const known = cached && cached.numbers.length < count ? cached.numbers : new Uint32Array(0);
    const added = new Uint32Array(count - known.length);
    for (let i = 0; i < added.length; i++) added[i] = known.length + i;
    added.sort(compare);
    const numbers = merge(known, added, compare);
    orders.set(name, { numbers });
    if (orders.size > ORDERS_KEPT) orders.delete(orders.keys().next().value!);
    return numbers;
  }

  /** The frame numbers that pass a filter, in the sort's order. */
  filtered(entry: ConnectionIndex, sort: FrameSort, filter: FrameFilter): Uint32Array {
    const all = this.numbers(entry, sort);
    const match = frameMatcher(filter);
    const out = new Uint32Array(all.length);
    let count = 0;
    for (let i = 0; i < all.length; i++) {
      const n = all[i];
      if (match(entry.frameBits.get(n), entry.frameViolations.get(n))) out[count++] = n;
    }
    return out.slice(0, count);
  }
}

/** A checked sort from the control API, or undefined for wire order. */
export function frameSortOf(value: unknown): FrameSort | undefined {
  if (value === undefined || value === null) return undefined;
  const { key, descending } = value as { key?: unknown; descending?: unknown };
  if (typeof key !== 'string' || !(FRAME_SORT_KEYS as readonly string[]).includes(key)) {
    throw new Error(`sort.key must be one of ${FRAME_SORT_KEYS.join(', ')}`);
  }
  if (descending !== undefined && typeof descending !== 'boolean') throw new Error('sort.descending must be true or false');
  return { key: key as FrameSortKey, descending: descending === true };
}

/**
 * Orders two frame numbers by the sort's column, then by number (ascending always: stable). The
 * column is copied into one array first: a million look-ups in chunked columns cost more than the copy.
 */
export function comparator(entry: ConnectionIndex, sort: FrameSort): (a: number, b: number) => number {
  const sign = sort.descending ? -1 : 1;
  const key = keyOf(entry, sort.key);
  const keys = new Float64Array(entry.frameCount);
  for (let n = 0; n < keys.length; n++) keys[n] = key(n);
  if (sort.key === 'length' && entry.exactLengths.size > 0) {
    return (a, b) => sign * (keys[a] !== keys[b] ? (keys[a] < keys[b] ? -1 : 1) : compareExact(entry, a, b)) || a - b;
  }
  return (a, b) => sign * (keys[a] - keys[b]) || a - b;
}

function keyOf(entry: ConnectionIndex, key: FrameSortKey): (n: number) => number {
  switch (key) {
    case 'time': return (n) => entry.frameTime.get(n);
    case 'direction': return (n) => entry.frameBits.get(n) & 1;
    case 'opcode': return (n) => opcodeOfBits(entry.frameBits.get(n));
    case 'violations': return (n) => violationCountOfBits(entry.frameBits.get(n));
    case 'length': return (n) => entry.frameLength.get(n);
  }
}

/**
 * Length fields whose doubles are equal, compared exactly: rounding to a double keeps the order of
 * lengths past 2^53 - 1 but can make two equal, so those compare as bigints.
 */
function compareExact(entry: ConnectionIndex, a: number, b: number): number {
  const ex = entry.exactLengths.get(a);
  const ey = entry.exactLengths.get(b);
  if (ex === undefined && ey === undefined) return 0;
  const bx = ex ?? BigInt(entry.frameLength.get(a));
  const by = ey ?? BigInt(entry.frameLength.get(b));
  return bx === by ? 0 : bx < by ? -1 : 1;
}

/** Two sorted runs merged (ties: the first run's, which are the older frames, first). */
function merge(first: Uint32Array, second: Uint32Array, compare: (a: number, b: number) => number): Uint32Array {
  if (first.length === 0) return second;
  if (second.length === 0) return first;
  const out = new Uint32Array(first.length + second.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < first.length && j < second.length) out[k++] = compare(first[i], second[j]) <= 0 ? first[i++] : second[j++];
  while (i < first.length) out[k++] = first[i++];
  while (j < second.length) out[k++] = second[j++];
  return out;
}
