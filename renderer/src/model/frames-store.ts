// The frame timeline of the selected connection: a window onto up to millions of frames. Rows are
// fetched by range (queryFrames, at most 5000 a call) in pages kept in a small LRU cache, so memory
// stays flat however long the connection is. Live rows come by subscription: the store tells the
// engine which list it shows (connection, filter, sort), which rows are in view and whether it follows
// the tail, and the engine sends that window's new rows and the list's length, paced to what the page
// applies ('frames' events; the page acknowledges at most every MIN_BATCH_MS, ack-pace.ts). Following a
// fast connection, the window is the rows in view, and rows the tail moved past unread are skipped.
import type { ControlClient } from '../api/control-client.js';
import type { ControlCommands, ControlEvent, Direction, FrameListSort, FrameWindow, LiveSubscription } from '../api/wire.js';
import { countsOf } from './connection-counts.js';
import { toFrameRow, type FrameRow } from './frame-row.js';
import { Observable } from './observable.js';
import { OVERSCAN_ROWS, PAGES_PER_REQUEST, RowPages } from './row-pages.js';
import { LiveRate } from './live-rate.js';
import { FOLLOW_MARGIN } from './live-pace.js';

export type FrameListFilter = NonNullable<ControlCommands['queryFrames']['params']['filter']>;

/** Rows in view before the view says (a followed tail's size until then). */
const FIRST_WINDOW = 100;

export class FramesStore extends Observable {
  connectionId: number | undefined;
  filter: FrameListFilter = {};
  /** The column the engine sorts the list by; undefined for wire order. Kept across connections. */
  sort: FrameListSort | undefined;
  /** Follow the newest frame as it arrives. */
  follow = true;
  private readonly pages: RowPages<FrameRow>;
  /** The connection's frame count without a filter (from its summary). */
  private unfilteredTotal = 0;
  /** Positions [first, last] in view, as the list last said. */
  private view: [number, number] = [0, FIRST_WINDOW - 1];
  /** The subscription the engine has (or is being sent), as JSON without its tag. */
  private subscribed: string | undefined;
  private subscribing = false;
  /** The link dropped under a subscribe: nothing is sent until subscribeAgain. */
  private unlinked = false;
  private tag = 0;
  /** Windows with a smaller tag are of an earlier list (another connection, filter or sort). */
  private listTag = 1;
  /** Rows a second while the list grows, for "N frames/s". */
  readonly rate = new LiveRate();
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
    this.tellEngine();
    this.changed();
  }

  /** The link was lost and is back: the engine forgot the subscription. */
  subscribeAgain(): void {
    this.unlinked = false;
    this.subscribed = undefined;
    this.tellEngine();
  }

  /** The row at a list position, or undefined while it loads (ask with ensureRange). */
  rowAt(index: number): FrameRow | undefined {
    return this.pages.rowAt(index);
  }

  /** The frame number at a list position, once its row has loaded. */
  numberAt(index: number): number | undefined {
    return this.rowAt(index)?.number;
  }

  /**
   * Asks for the rows of [first, last] (and a few around them) to be loaded. A followed tail is the
   * engine's to send, and only the rows in view: the rows around them change with every batch, unread.
   */
  ensureRange(first: number, last: number): void {
    if (this.connectionId === undefined) return;
    this.view = [first, last];
    this.pages.ensureRange(first, last, this.followsTail ? 0 : OVERSCAN_ROWS);
    this.tellEngine();
  }

  /** The engine sends the newest rows as they come (following, in wire order). */
  private get followsTail(): boolean {
    return this.follow && !this.sort;
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
      const counts = event.kind === 'connection' && event.connection.id === this.connectionId ? event.connection
        : event.kind === 'counts' ? countsOf(event.counts, this.connectionId) : undefined;
      if (counts) {
        this.unfilteredTotal = counts.frameCount;
        if (!this.placed && this.total < counts.frameCount) {
          this.pages.total = counts.frameCount;
          changed = true;
        }
      } else if (event.kind === 'frames') {
        changed = this.applyWindow(event) || changed;
      }
    }
    if (changed) {
      this.rate.sample(this.total);
      this.pages.evict();
      this.changed();
    }
  }

  /** Rows of the subscribed window (an event, or subscribe's answer); false when they are of another list. */
  private applyWindow(window: FrameWindow): boolean {
    if (window.connectionId !== this.connectionId || (window.tag ?? 0) < this.listTag) return false;
    // Filtered or sorted, the engine's count is the truth; in wire order, a live list only grows.
    if (this.placed || window.total > this.pages.total) this.pages.total = window.total;
    if (this.sort && window.frames.length > 0) this.pages.forgetOutside(window.start, window.start + window.frames.length);
    window.frames.forEach((f, i) => this.pages.put(window.start + i, toFrameRow(f), true));
    return true;
  }

  private reset(total: number): void {
    this.pages.reset(total);
    this.unfilteredTotal = this.placed ? this.unfilteredTotal : total;
    this.rate.reset();
    // Rows of the list shown before (in flight or queued) no longer apply.
    this.listTag = this.tag + 1;
    this.subscribed = undefined;
    if (this.connectionId !== undefined && this.placed) {
      // The filtered count and the sorted rows are the engine's to tell: ask for them with the first page.
      this.initialized = this.pages.load(0, PAGES_PER_REQUEST);
    } else {
      this.initialized = Promise.resolve();
    }
    this.tellEngine();
    this.changed();
  }

  /** What the engine should send: the list, the rows in view (and some around), the tail or not. */
  private subscription(): LiveSubscription {
    if (this.connectionId === undefined) return { connectionId: null, start: 0, end: 0, follow: false };
    const [first, last] = this.view;
    const start = Math.max(0, first - OVERSCAN_ROWS);
    const end = last + 1 + OVERSCAN_ROWS;
    return {
      connectionId: this.connectionId,
      // While following, only the window's size matters: the engine sends the newest rows, those in view.
      start: this.followsTail ? 0 : start,
      end: this.followsTail ? last - first + 1 + FOLLOW_MARGIN : end,
      follow: this.followsTail,
      ...(this.filtered ? { filter: this.filter } : {}),
      ...(this.sort ? { sort: this.sort } : {}),
      paced: true,
    };
  }

  /** Tells the engine what the list shows now, when that changed; one subscribe in flight at a time. */
  private tellEngine(): void {
    if (this.subscribing || this.unlinked) return;
    const params = this.subscription();
    const key = JSON.stringify(params);
    if (key === this.subscribed) return;
    this.subscribed = key;
    this.subscribing = true;
    const tag = ++this.tag;
    this.client.request('subscribe', { ...params, tag }).then(
      ({ window }) => {
        if (window && this.applyWindow(window)) {
          this.pages.evict();
          this.changed();
        }
      },
      // The link dropped: subscribeAgain runs when it is back.
      () => { this.unlinked = true; },
    ).finally(() => {
      this.subscribing = false;
      // The view moved meanwhile: say where it is now.
      this.tellEngine();
    });
  }

  private async fetchNumberAt(position: number): Promise<number | undefined> {
    const row = this.rowAt(position);
    if (row) return row.number;
    const result = await this.client.request('queryFrames', { connectionId: this.connectionId!, start: position, end: position + 1, filter: this.filter, ...(this.sort ? { sort: this.sort } : {}) });
    return result.frames[0]?.number;
  }
}

/** The direction filter's choices. */
export const DIRECTIONS: readonly { value: Direction | undefined; label: string }[] = [
  { value: undefined, label: 'All' },
  { value: 'send', label: '↑ Sent' },
  { value: 'receive', label: '↓ Received' },
];
