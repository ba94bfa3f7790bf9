// An entry's `_webSocketMessages` items set aside in the spool as they are read, one JSON line each, so
// that an entry of millions of messages costs a few bytes of index per message while it is read, and its
// items come back one at a time (in order, or by number) when the entry is written.
import { SpooledData, type DataSpool } from './data-spool.js';

export class SpilledItems {
  /** Items put. */
  count = 0;
  private offsets = new Float64Array(1024);
  private lengths = new Uint32Array(1024);

  constructor(private readonly spool: DataSpool) {}

  /** Sets an item aside: any JSON value, whose `data` may be the SpooledData the stream reader put there. */
  put(item: unknown): void {
    let line: unknown[] = [item];
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const data = (item as Record<string, unknown>).data;
      if (data instanceof SpooledData) line = [{ ...item, data: null }, data.offset, data.length, data.valid];
    }
    const spooled = this.spool.put(Buffer.from(JSON.stringify(line), 'utf8'));
    if (this.count === this.offsets.length) {
      const offsets = new Float64Array(this.count * 2);
      offsets.set(this.offsets);
      this.offsets = offsets;
      const lengths = new Uint32Array(this.count * 2);
      lengths.set(this.lengths);
      this.lengths = lengths;
    }
    this.offsets[this.count] = spooled.offset;
    this.lengths[this.count] = spooled.length;
    this.count += 1;
  }

  /** Item i, as it was put (a new copy each time). */
  get(i: number): unknown {
    const text = this.spool.read(new SpooledData(this.offsets[i]!, this.lengths[i]!, true)).toString('utf8');
    const line = JSON.parse(text) as unknown[];
    const item = line[0];
    if (line.length === 4) (item as Record<string, unknown>).data = new SpooledData(line[1] as number, line[2] as number, line[3] as boolean);
    return item;
  }
}
