// The frame timeline of the selected connection: a window onto up to millions of frames. Rows are
// fetched by range (queryFrames, at most 5000 a call) in pages kept in a small LRU cache, so memory
// stays flat however long the connection is. Live frames arrive in 'frames' events and fill the tail.
import type { ControlClient } from '../api/control-client.js';
import type { ControlCommands, ControlEvent, Direction } from '../api/wire.js';
import { toFrameRow, type FrameRow } from './frame-row.js';
import { Observable } from './observable.js';

export type FrameListFilter = NonNullable<ControlCommands['queryFrames']['params']['filter']>;

/** Rows per page of the cache. */
const PAGE = 256;
/** Pages kept: about 40,000 rows. */
const MAX_PAGES = 160;
/** queryFrames returns at most 5000 frames a call. */
const PAGES_PER_REQUEST = Math.floor(5000 / PAGE);
/** Requests in flight at once; later wishes wait for them (fast scrolling asks for the newest range only). */
const MAX_IN_FLIGHT = 3;
/** Filtered live counts are asked for at most this often, ms. */
const TAIL_REFRESH_MS = 250;
/** Rows loaded beyond the view on each side. */
const OVERSCAN_ROWS = 64;
/** While the view jumps to new ranges faster than this (a fling), loading waits until it settles, ms. */
const SETTLE_MS = 80;

interface Page {
  rows: (FrameRow | undefined)[];
  filled: number;
  used: number;
}

export class FramesStore extends Observable {
  connectionId: number | undefined;
  filter: FrameListFilter = {};
  /** Rows in the list (under the filter). */
  total = 0;
  /** Follow the newest frame as it arrives. */
  follow = true;
  private pages = new Map<number, Page>();
  private readonly inFlight = new Set<number>();
  private requests = 0;
  private wanted: [number, number] | undefined;
  private lastWish = 0;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;
  private clock = 0;
  private tailTimer: ReturnType<typeof setTimeout> | undefined;
  /** The connection's frame count without a filter (from its summary). */
  private unfilteredTotal = 0;
  /** Resolves when the first rows of the current list have arrived (for tests and the bench). */
  initialized: Promise<void> = Promise.resolve();

  constructor(private readonly client: ControlClient) {
    super();
  }

  get filtered(): boolean {
    return this.filter.direction !== undefined || this.filter.opcode !== undefined || this.filter.violation !== undefined;
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
    this.reset(this.filtered ? 0 : this.unfilteredTotal);
  }

  setFollow(on: boolean): void {
    if (on === this.follow) return;
    this.follow = on;
    this.changed();
  }

  /** The row at a list position, or undefined while it loads (ask with ensureRange). */
  rowAt(index: number): FrameRow | undefined {
    const page = this.pages.get(Math.floor(index / PAGE));
    if (!page) return undefined;
    page.used = ++this.clock;
    return page.rows[index % PAGE];
  }

  /**
   * Asks for the rows of [first, last] (and a few around them) to be loaded. During a fling (the
   * view jumping past what it asked for a moment ago) nothing loads until it settles: the rows it
   * flies past would arrive too late to be seen, and parsing them would cost frames.
   */
  ensureRange(first: number, last: number): void {
    if (this.connectionId === undefined || this.total === 0) return;
    const wish: [number, number] = [Math.max(0, first - OVERSCAN_ROWS), Math.min(this.total - 1, last + OVERSCAN_ROWS)];
    const now = performance.now();
    const jumped = this.wanted !== undefined && (wish[0] > this.wanted[1] || wish[1] < this.wanted[0]);
    const flinging = jumped && now - this.lastWish < SETTLE_MS;
    this.wanted = wish;
    this.lastWish = now;
    if (this.settleTimer !== undefined) clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    if (flinging) this.settleTimer = setTimeout(() => this.pump(), SETTLE_MS);
    else this.pump();
  }

  /**
   * The list position of a frame number, or of the first row after it when the filter hides it.
   * Unfiltered, the position is the number; filtered, a binary search over positions.
   */
  async locate(number: number): Promise<number> {
    if (!this.filtered) return Math.min(number, Math.max(0, this.total - 1));
    for (const [p, page] of this.pages) {
      const i = page.rows.findIndex((r) => r?.number === number);
      if (i >= 0) return p * PAGE + i;
    }
    const generation = this.generation;
    let lo = 0;
    let hi = this.total;
    while (lo < hi && generation === this.generation) {
      const mid = (lo + hi) >>> 1;
      const at = await this.numberAt(mid);
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
        if (!this.filtered && this.total !== event.connection.frameCount) {
          this.total = event.connection.frameCount;
          changed = true;
        } else if (this.filtered) {
          this.scheduleTailRefresh();
        }
      } else if (event.kind === 'frames' && event.connectionId === this.connectionId && !this.filtered) {
        for (const f of event.frames) {
          const p = Math.floor(f.number / PAGE);
          let page = this.pages.get(p);
          // Only pages that are cached, or the tail page, take live rows; others load when scrolled to.
          if (!page && p < Math.floor((this.total - 1) / PAGE)) continue;
          page ??= this.newPage(p);
          if (page.rows[f.number % PAGE] === undefined) page.filled++;
          page.rows[f.number % PAGE] = toFrameRow(f);
          if (f.number >= this.total) this.total = f.number + 1;
        }
        changed = true;
      }
    }
    if (changed) {
      this.evict();
      this.changed();
    }
  }

  private reset(total: number): void {
    this.generation++;
    this.pages = new Map();
    this.inFlight.clear();
    this.requests = 0;
    this.wanted = undefined;
    if (this.settleTimer !== undefined) clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    this.unfilteredTotal = this.filtered ? this.unfilteredTotal : total;
    this.total = total;
    if (this.tailTimer !== undefined) clearTimeout(this.tailTimer);
    this.tailTimer = undefined;
    if (this.connectionId !== undefined && this.filtered) {
      // The filtered count is the engine's to tell: ask for it with the first page.
      this.initialized = this.fetch(0, PAGES_PER_REQUEST, this.generation);
    } else {
      this.initialized = Promise.resolve();
    }
    this.changed();
  }

  private newPage(p: number): Page {
    const page: Page = { rows: new Array(PAGE), filled: 0, used: ++this.clock };
    this.pages.set(p, page);
    return page;
  }

  private complete(p: number): boolean {
    const page = this.pages.get(p);
    if (!page) return false;
    return page.filled >= Math.min(PAGE, this.total - p * PAGE);
  }

  /** Starts requests for the wanted range's missing pages, a few at a time. */
  private pump(): void {
    if (!this.wanted || this.connectionId === undefined) return;
    const [first, last] = this.wanted;
    let p = Math.floor(first / PAGE);
    const lastPage = Math.floor(last / PAGE);
    while (p <= lastPage && this.requests < MAX_IN_FLIGHT) {
      if (this.complete(p) || this.inFlight.has(p)) {
        p++;
        continue;
      }
      let count = 1;
      while (count < PAGES_PER_REQUEST && p + count <= lastPage && !this.complete(p + count) && !this.inFlight.has(p + count)) count++;
      void this.fetch(p, count, this.generation);
      p += count;
    }
  }

  private async fetch(firstPage: number, pageCount: number, generation: number): Promise<void> {
    const connectionId = this.connectionId!;
    for (let i = 0; i < pageCount; i++) this.inFlight.add(firstPage + i);
    this.requests++;
    let progressed = false;
    try {
      const start = firstPage * PAGE;
      const result = await this.client.request('queryFrames', {
        connectionId, start, end: start + pageCount * PAGE, ...(this.filtered ? { filter: this.filter } : {}),
      });
      if (generation !== this.generation) return;
      if (this.filtered || result.total > this.total) this.total = result.total;
      for (let i = 0; i < pageCount; i++) {
        const rows = result.frames.slice(i * PAGE, (i + 1) * PAGE);
        if (rows.length === 0 && start + i * PAGE < this.total) continue;
        const page = this.newPage(firstPage + i);
        rows.forEach((f, j) => (page.rows[j] = toFrameRow(f)));
        page.filled = rows.length;
        progressed = true;
      }
      this.evict();
      this.changed();
    } catch {
      // The link dropped or the connection is gone; the rows stay placeholders until asked again.
    } finally {
      if (generation === this.generation) {
        for (let i = 0; i < pageCount; i++) this.inFlight.delete(firstPage + i);
        this.requests--;
        // Nothing new (the engine has fewer rows than it said): wait for the next wish rather than spin.
        if (progressed) this.pump();
      }
    }
  }

  private async numberAt(position: number): Promise<number | undefined> {
    const row = this.rowAt(position);
    if (row) return row.number;
    const result = await this.client.request('queryFrames', { connectionId: this.connectionId!, start: position, end: position + 1, filter: this.filter });
    return result.frames[0]?.number;
  }

  private scheduleTailRefresh(): void {
    if (this.tailTimer !== undefined) return;
    const generation = this.generation;
    this.tailTimer = setTimeout(() => {
      this.tailTimer = undefined;
      if (generation !== this.generation) return;
      // The last (partial) page and what follows it: the new total comes with them.
      const p = Math.max(0, Math.floor((this.total - 1) / PAGE));
      void this.fetch(p, 1, generation);
    }, TAIL_REFRESH_MS);
  }

  private evict(): void {
    if (this.pages.size <= MAX_PAGES) return;
    const keep = this.wanted ? [Math.floor(this.wanted[0] / PAGE), Math.floor(this.wanted[1] / PAGE)] : [0, -1];
    const candidates = [...this.pages.entries()].filter(([p]) => p < keep[0]! || p > keep[1]!).sort((a, b) => a[1].used - b[1].used);
    for (const [p] of candidates.slice(0, this.pages.size - MAX_PAGES)) this.pages.delete(p);
  }
}

/** The direction filter's choices. */
export const DIRECTIONS: readonly { value: Direction | undefined; label: string }[] = [
  { value: undefined, label: 'All' },
  { value: 'send', label: '↑ Sent' },
  { value: 'receive', label: '↓ Received' },
];
