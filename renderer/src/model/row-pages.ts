// A window onto a long list held by the engine (frames, messages): rows are fetched by range in
// pages kept in a small LRU cache, so memory stays flat however long the list is. During a fling (the
// view jumping past what it asked for a moment ago) nothing loads until the view settles.

/** Rows per page of the cache. */
export const PAGE = 256;
/** Pages kept: about 40,000 rows. */
const MAX_PAGES = 160;
/** The control API returns at most 5000 rows a call. */
export const PAGES_PER_REQUEST = Math.floor(5000 / PAGE);
/** Requests in flight at once; later wishes wait for them (fast scrolling asks for the newest range only). */
const MAX_IN_FLIGHT = 3;
/** Rows loaded beyond the view on each side. */
export const OVERSCAN_ROWS = 64;
/** While the view jumps to new ranges faster than this (a fling), loading waits until it settles, ms. */
const SETTLE_MS = 80;

interface Page<R> {
  rows: (R | undefined)[];
  filled: number;
  used: number;
}

export interface RowPagesSource<R> {
  /** Rows [start, end) of the list and the list's length as the engine counts it now. */
  query(start: number, end: number): Promise<{ total: number; rows: R[] }>;
  /** The list's length once a query answered: what to believe, given what was known. */
  adoptTotal(fetched: number, known: number): number;
  /** Rows arrived (or the length changed). */
  onChange(): void;
}

export class RowPages<R> {
  /** Rows in the list. */
  total = 0;
  private pages = new Map<number, Page<R>>();
  private readonly inFlight = new Set<number>();
  private requests = 0;
  private wanted: [number, number] | undefined;
  private lastWish = 0;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  private clock = 0;
  /** Bumped by reset: answers to older requests are dropped. */
  generation = 0;

  constructor(private readonly source: RowPagesSource<R>) {}

  /** Forgets every row: the list is another one now, `total` long. */
  reset(total: number): void {
    this.generation++;
    this.pages = new Map();
    this.inFlight.clear();
    this.requests = 0;
    this.wanted = undefined;
    if (this.settleTimer !== undefined) clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    this.total = total;
  }

  /** The row at a list position, or undefined while it loads (ask with ensureRange). */
  rowAt(index: number): R | undefined {
    const page = this.pages.get(Math.floor(index / PAGE));
    if (!page) return undefined;
    page.used = ++this.clock;
    return page.rows[index % PAGE];
  }

  /** The position of a cached row that passes the test, or -1. */
  findCached(test: (row: R) => boolean): number {
    for (const [p, page] of this.pages) {
      const i = page.rows.findIndex((r) => r !== undefined && test(r));
      if (i >= 0) return p * PAGE + i;
    }
    return -1;
  }

  /** Asks for the rows of [first, last] (and `overscan` around them) to be loaded. */
  ensureRange(first: number, last: number, overscan = OVERSCAN_ROWS): void {
    if (this.total === 0) return;
    const wish: [number, number] = [Math.max(0, first - overscan), Math.min(this.total - 1, last + overscan)];
    const now = performance.now();
    const jumped = this.wanted !== undefined && (wish[0] > this.wanted[1] || wish[1] < this.wanted[0]);
    // The rows a fling flies past would arrive too late to be seen, and parsing them would cost frames.
    const flinging = jumped && now - this.lastWish < SETTLE_MS;
    this.wanted = wish;
    this.lastWish = now;
    if (this.settleTimer !== undefined) clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    if (flinging) this.settleTimer = setTimeout(() => this.pump(), SETTLE_MS);
    else this.pump();
  }

  /**
   * Puts a row that arrived by itself (live traffic) at its position. Only cached pages and the tail
   * page take such rows (any page with `anywhere`: rows of the window in view); others load when
   * scrolled to. Returns whether the row was kept.
   */
  put(index: number, row: R, anywhere = false): boolean {
    const p = Math.floor(index / PAGE);
    let page = this.pages.get(p);
    if (!page && !anywhere && p < Math.floor((this.total - 1) / PAGE)) return false;
    page ??= this.newPage(p);
    if (page.rows[index % PAGE] === undefined) page.filled++;
    page.rows[index % PAGE] = row;
    if (index >= this.total) this.total = index + 1;
    return true;
  }

  /** Loads pageCount pages from firstPage now (the first rows of a filtered list, a refreshed tail). */
  load(firstPage: number, pageCount: number): Promise<void> {
    return this.fetch(firstPage, pageCount, this.generation);
  }

  /**
   * The list changed under its rows (new frames sorted into it): the pages in view load again in place,
   * their old rows shown until the new ones arrive; the others are forgotten.
   */
  refresh(): void {
    const [first, last] = this.wanted ?? [0, 0];
    const firstPage = Math.floor(first / PAGE);
    const lastPage = Math.max(firstPage, Math.floor(last / PAGE));
    for (const p of [...this.pages.keys()]) if (p < firstPage || p > lastPage) this.pages.delete(p);
    void this.fetch(firstPage, Math.min(PAGES_PER_REQUEST, lastPage - firstPage + 1), this.generation);
  }

  /** Keeps the cache within its bound, sparing the pages in view. */
  evict(): void {
    if (this.pages.size <= MAX_PAGES) return;
    const keep = this.wanted ? [Math.floor(this.wanted[0] / PAGE), Math.floor(this.wanted[1] / PAGE)] : [0, -1];
    const candidates = [...this.pages.entries()].filter(([p]) => p < keep[0]! || p > keep[1]!).sort((a, b) => a[1].used - b[1].used);
    for (const [p] of candidates.slice(0, this.pages.size - MAX_PAGES)) this.pages.delete(p);
  }

  private newPage(p: number): Page<R> {
    const page: Page<R> = { rows: new Array<R | undefined>(PAGE), filled: 0, used: ++this.clock };
    this.pages.set(p, page);
    return page;
  }

  /** Whether page p holds every row of [first, last] that falls in it (a live tail fills pages from their middle). */
  private complete(p: number, first: number, last: number): boolean {
    const page = this.pages.get(p);
    if (!page) return false;
    if (page.filled >= Math.min(PAGE, this.total - p * PAGE)) return true;
    const from = Math.max(first, p * PAGE) - p * PAGE;
    const to = Math.min(last, this.total - 1, p * PAGE + PAGE - 1) - p * PAGE;
    for (let i = from; i <= to; i++) if (page.rows[i] === undefined) return false;
    return true;
  }

  /** Forgets the cached rows outside [first, last) (a sorted list changed: they may have moved). */
  forgetOutside(first: number, last: number): void {
    const firstPage = Math.floor(first / PAGE);
    const lastPage = Math.floor(Math.max(first, last - 1) / PAGE);
    for (const p of [...this.pages.keys()]) if (p < firstPage || p > lastPage) this.pages.delete(p);
  }

  /** Starts requests for the wanted range's missing pages, a few at a time. */
  private pump(): void {
    if (!this.wanted) return;
    const [first, last] = this.wanted;
    let p = Math.floor(first / PAGE);
    const lastPage = Math.floor(last / PAGE);
    while (p <= lastPage && this.requests < MAX_IN_FLIGHT) {
      if (this.complete(p, first, last) || this.inFlight.has(p)) {
        p++;
        continue;
      }
      let count = 1;
      while (count < PAGES_PER_REQUEST && p + count <= lastPage && !this.complete(p + count, first, last) && !this.inFlight.has(p + count)) count++;
      void this.fetch(p, count, this.generation);
      p += count;
    }
  }

  private async fetch(firstPage: number, pageCount: number, generation: number): Promise<void> {
    for (let i = 0; i < pageCount; i++) this.inFlight.add(firstPage + i);
    this.requests++;
    let progressed = false;
    try {
      const start = firstPage * PAGE;
      const result = await this.source.query(start, start + pageCount * PAGE);
      if (generation !== this.generation) return;
      this.total = this.source.adoptTotal(result.total, this.total);
      for (let i = 0; i < pageCount; i++) {
        const rows = result.rows.slice(i * PAGE, (i + 1) * PAGE);
        if (rows.length === 0 && start + i * PAGE < this.total) continue;
        const page = this.newPage(firstPage + i);
        rows.forEach((r, j) => (page.rows[j] = r));
        page.filled = rows.length;
        progressed = true;
      }
      this.evict();
      this.source.onChange();
    } catch {
      // The link dropped or the list is gone; the rows stay placeholders until asked again.
    } finally {
      if (generation === this.generation) {
        for (let i = 0; i < pageCount; i++) this.inFlight.delete(firstPage + i);
        this.requests--;
        // Nothing new (the engine has fewer rows than it said): wait for the next wish rather than spin.
        if (progressed) this.pump();
      }
    }
  }
}
