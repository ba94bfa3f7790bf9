// The frame timeline of the selected connection: a window onto up to millions of frames. Rows are
// fetched by range (queryFrames, at most 5000 a call) in pages kept in a small LRU cache, so memory
// stays flat however long the connection is. Live frames arrive in 'frames' events and fill the tail.
import type { ControlClient } from '../api/control-client.js';
import type { ControlCommands, ControlEvent, Direction, FrameListSort } from '../api/wire.js';
import { toFrameRow, type FrameRow } from './frame-row.js';
import { Observable } from './observable.js';
import { PAGE, PAGES_PER_REQUEST, RowPages } from './row-pages.js';

export type FrameListFilter = NonNullable<ControlCommands['queryFrames']['params']['filter']>;

/** Filtered live counts are asked for at most this often, ms. */
const TAIL_REFRESH_MS = 250;

export class FramesStore extends Observable {
  connectionId: number | undefined;
  filter: FrameListFilter = {};
  /** The column the engine sorts the list by; undefined for wire order. Kept across connections. */
  sort: FrameListSort | undefined;
  /** Follow the newest frame as it arrives. */
  follow = true;
  private readonly pages: RowPages<FrameRow>;
  private tailTimer: ReturnType<typeof setTimeout> | undefined;
  /** The connection's frame count without a filter (from its summary). */
  private unfilteredTotal = 0;
  /** Resolves when the first rows of the current list have arrived (for tests and the bench). */
  initialized: Promise<void> = Promise.resolve();

  constructor(private readonly client: ControlClient) {
    super();
    this.pages = new RowPages<FrameRow>({
      query: async (start, end) => {
        const result = await this.client.request('queryFrames', {
          connectionId: this.connectionId!, start, end, ...(this.filtered ? { filter: this.filter } : {}), ...(this.sort ? { sort: this.sort } : {}),
        });
        return { total: result.total, rows: result.frames.map(toFrameRow) };
      },
      // Filtered, the engine's count is the truth; unfiltered, a live list only grows.
      adoptTotal: (fetched, known) => (this.filtered || fetched > known ? fetched : known),
      onChange: () => this.changed(),
    });
  }

  /** Rows in the list (under the filter). */
  get total(): number {
    return this.pages.total;
  }

  /** Moves whenever the list becomes another one (connection, filter, session), whatever its length. */
  get generation(): number {
    return this.pages.generation;
  }

  get filtered(): boolean {
    return this.filter.direction !== undefined || this.filter.opcode !== undefined || this.filter.violation !== undefined;
  }

  /** Positions are not frame numbers: the engine places the rows (a filter or a sort). */
  get placed(): boolean {
    return this.filtered || this.sort !== undefined;
  }

  /**
   * Sorts by a column: a new column ascending, the same one again descending; undefined for wire order.
   * A sorted list no longer follows its tail (new frames land in their sorted place).
   */
  sortBy(key: FrameListSort['key'] | undefined): void {
    if (key === undefined) this.sort = undefined;
    else this.sort = this.sort?.key === key ? { key, descending: !this.sort.descending } : { key, descending: false };
    if (this.sort) this.follow = false;
    this.reset(this.placed ? 0 : this.unfilteredTotal);
  }

  /** Shows another connection (or none); frameCount is what its summary says. A live one is followed. */
  setConnection(id: number | undefined, frameCount: number, live = false): void {
    if (id === this.connectionId) return;
    this.connectionId = id;
    this.follow = live;
    this.reset(frameCount);
  }

  setFilter(filter: FrameListFilter): void {
    this.filter = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as FrameListFilter;
    this.reset(this.placed ? 0 : this.unfilteredTotal);
  }

  setFollow(on: boolean): void {
    if (on === this.follow) return;
    this.follow = on;
    this.changed();
  }

  /** The row at a list position, or undefined while it loads (ask with ensureRange). */
  rowAt(index: number): FrameRow | undefined {
    return this.pages.rowAt(index);
  }

  /** The frame number at a list position, once its row has loaded. */
  numberAt(index: number): number | undefined {
    return this.rowAt(index)?.number;
  }

  /** Asks for the rows of [first, last] (and a few around them) to be loaded. */
  ensureRange(first: number, last: number): void {
    if (this.connectionId === undefined) return;
    this.pages.ensureRange(first, last);
  }

  /**
   * The list position of a frame number, or of the first row after it when the filter hides it.
   * Unfiltered, the position is the number; filtered, a binary search over positions.
   */
  async locate(number: number): Promise<number> {
    if (this.sort) {
      const { position } = await this.client.request('locateFrame', { connectionId: this.connectionId!, number, ...(this.filtered ? { filter: this.filter } : {}), sort: this.sort });
      return Math.max(0, position);
    }
    if (!this.filtered) return Math.min(number, Math.max(0, this.total - 1));
    const cached = this.pages.findCached((r) => r.number === number);
    if (cached >= 0) return cached;
    const generation = this.pages.generation;
    let lo = 0;
    let hi = this.total;
    while (lo < hi && generation === this.pages.generation) {
      const mid = (lo + hi) >>> 1;
      const at = await this.fetchNumberAt(mid);
      if (at === undefined || at >= number) hi = mid;
      else lo = mid + 1;
    }
    return Math.min(lo, Math.max(0, this.total - 1));
  }

  apply(events: readonly ControlEvent[]): void {
    if (this.connectionId === undefined) return;
    let changed = false;
    for (const event of events) {
      if (event.kind === 'connection' && event.connection.id === this.connectionId) {
        this.unfilteredTotal = event.connection.frameCount;
        if (!this.placed && this.total !== event.connection.frameCount) {
          this.pages.total = event.connection.frameCount;
          changed = true;
        } else if (this.sort) {
          this.scheduleSortedRefresh();
        } else if (this.filtered) {
          this.scheduleTailRefresh();
        }
      } else if (event.kind === 'frames' && event.connectionId === this.connectionId && !this.placed) {
        for (const f of event.frames) this.pages.put(f.number, toFrameRow(f));
        changed = true;
      }
    }
    if (changed) {
      this.pages.evict();
      this.changed();
    }
  }

  private reset(total: number): void {
    this.pages.reset(total);
    this.unfilteredTotal = this.placed ? this.unfilteredTotal : total;
    if (this.tailTimer !== undefined) clearTimeout(this.tailTimer);
    this.tailTimer = undefined;
    if (this.connectionId !== undefined && this.placed) {
      // The filtered count and the sorted rows are the engine's to tell: ask for them with the first page.
      this.initialized = this.pages.load(0, PAGES_PER_REQUEST);
    } else {
      this.initialized = Promise.resolve();
    }
    this.changed();
  }

  private async fetchNumberAt(position: number): Promise<number | undefined> {
    const row = this.rowAt(position);
    if (row) return row.number;
    const result = await this.client.request('queryFrames', { connectionId: this.connectionId!, start: position, end: position + 1, filter: this.filter, ...(this.sort ? { sort: this.sort } : {}) });
    return result.frames[0]?.number;
  }

  /** New frames in a sorted list may land anywhere: the rows in view are asked for again, at most this often. */
  private scheduleSortedRefresh(): void {
    if (this.tailTimer !== undefined) return;
    const generation = this.pages.generation;
    this.tailTimer = setTimeout(() => {
      this.tailTimer = undefined;
      if (generation === this.pages.generation) this.pages.refresh();
    }, TAIL_REFRESH_MS);
  }

  private scheduleTailRefresh(): void {
    if (this.tailTimer !== undefined) return;
    const generation = this.pages.generation;
    this.tailTimer = setTimeout(() => {
      this.tailTimer = undefined;
      if (generation !== this.pages.generation) return;
      // The last (partial) page and what follows it: the new total comes with them.
      void this.pages.load(Math.max(0, Math.floor((this.total - 1) / PAGE)), 1);
    }, TAIL_REFRESH_MS);
  }
}

/** The direction filter's choices. */
export const DIRECTIONS: readonly { value: Direction | undefined; label: string }[] = [
  { value: undefined, label: 'All' },
  { value: 'send', label: '↑ Sent' },
  { value: 'receive', label: '↓ Received' },
];
