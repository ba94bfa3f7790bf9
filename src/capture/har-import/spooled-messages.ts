// An entry's messages while they wait in the spool: which items are messages and their times, in typed
// arrays (12 bytes a message); each message is read back from its item when it is written.
import type { CapturedMessage, } from '../capture-model.js';
import type { LensName } from '../../protocol/lenses/lens.js';
import type { SpooledData } from './data-spool.js';
import type { FieldReport } from './item-fields.js';
import { readMessageItem } from './message-item.js';
import { SpilledItems } from './spilled-items.js';
import { lensOfProtocolItems } from './protocol-field.js';

const IGNORE: FieldReport = () => {};

export class SpooledMessages {
  constructor(
    private readonly items: SpilledItems | undefined,
    /** The item each message comes from. */
    private readonly indexes: Uint32Array,
    /** Each message's time (NaN when unreadable, until fillTimes). */
    readonly times: Float64Array,
  ) {}

  get count(): number {
    return this.indexes.length;
  }

  /** Message k, in the HAR's order, with its time from times. */
  get(k: number): { captured: CapturedMessage; data: SpooledData } {
    const read = readMessageItem(this.items!.get(this.indexes[k]!), this.indexes[k]!, IGNORE);
    if (!read || !('captured' in read)) throw new Error('a spooled message item no longer reads as a message');
    read.captured.time = this.times[k]!;
    return read;
  }

  /** The messages' numbers by time, those with the same time in the HAR's order. */
  timeOrder(): Uint32Array {
    const order = new Uint32Array(this.count);
    let sorted = true;
    for (let k = 0; k < order.length; k++) {
      order[k] = k;
      if (k > 0 && this.times[k]! < this.times[k - 1]!) sorted = false;
    }
    if (!sorted) order.sort((a, b) => this.times[a]! - this.times[b]! || a - b);
    return order;
  }
}

/** `_webSocketMessages` read through once: problems reported, Chrome's error items kept apart. */
export function scanMessages(value: unknown, report: FieldReport): { messages: SpooledMessages; errors: string[]; first: number; last: number; lens?: LensName } {
  const result: ReturnType<typeof scanMessages> = { messages: new SpooledMessages(undefined, new Uint32Array(0), new Float64Array(0)), errors: [], first: Infinity, last: -Infinity };
  if (value === undefined) return result;
  if (!(value instanceof SpilledItems)) {
    report('_webSocketMessages', 'not an array; no messages imported');
    return result;
  }
  const indexes = new Uint32Array(value.count);
  const times = new Float64Array(value.count);
  let count = 0;
  const protocols = lensOfProtocolItems(report);
  for (let i = 0; i < value.count; i++) {
    const item = value.get(i);
    const read = readMessageItem(item, i, report);
    if (!read) continue;
    if (!('captured' in read)) {
      result.errors.push(read.error);
      continue;
    }
    protocols.add(item, i);
    const time = read.captured.time;
    indexes[count] = i;
    times[count] = time;
    count += 1;
    if (time < result.first) result.first = time;
    if (time > result.last) result.last = time;
  }
  result.messages = new SpooledMessages(value, indexes.slice(0, count), times.slice(0, count));
  const lens = protocols.lens();
  if (lens) result.lens = lens;
  return result;
}
