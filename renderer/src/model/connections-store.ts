// The connections of the browsed session: kept up to date from 'connection' and 'counts' events, sorted and
// filtered for the list, and which one is selected. Counts change with every frame: the rows take them at
// once, but the views hear of counts alone at most every COUNTS_RENDER_MS (the list, the status bar's
// totals), while anything else (a connection opened or closed, a selection) shows at once.
import type { ControlClient } from '../api/control-client.js';
import type { ConnectionSummary, ControlEvent } from '../api/wire.js';
import { forEachCounts } from './connection-counts.js';
import { compareRows, toConnectionRow, withCounts, type ConnectionRow, type ConnectionSortKey } from './connection-row.js';
import { Observable } from './observable.js';
import { COUNTS_RENDER_MS } from './live-pace.js';
import { PacedAction } from './paced-action.js';
import { SelectedConnection } from './selected-connection.js';

export type StatusFilter = 'all' | 'open' | 'closed' | 'failed';

export class ConnectionsStore extends Observable {
  private readonly rows = new Map<number, ConnectionRow>();
  sortKey: ConnectionSortKey = 'id';
  sortDescending = false;
  filterText = '';
  statusFilter: StatusFilter = 'all';
  selectedId: number | undefined;
  /** Moves when the selected connection, or its state, changes (not its counts). */
  readonly selection = new SelectedConnection();
  initialized: Promise<void>;
  private visibleCache: { version: number; rows: ConnectionRow[] } | undefined;
  private revision = 0;
  private readonly countsShown = new PacedAction(() => this.notify(), COUNTS_RENDER_MS);

  constructor(private readonly client: ControlClient) {
    super();
    this.initialized = this.load();
  }

  /** Reads the whole list again (on start, after a reconnect, when the session changes). */
  load(): Promise<void> {
    this.initialized = this.client.request('listConnections', {}).then((list) => {
      this.rows.clear();
      for (const c of list) this.rows.set(c.id, toConnectionRow(c));
      if (this.selectedId !== undefined && !this.rows.has(this.selectedId)) this.selectedId = undefined;
      // Open on the newest connection, like a fresh capture would show it.
      if (this.selectedId === undefined && list.length > 0) this.selectedId = list.reduce((a, b) => (b.id > a.id ? b : a)).id;
      this.touch();
    });
    return this.initialized;
  }

  apply(events: readonly ControlEvent[]): void {
    let summaries = false;
    let counts = false;
    for (const event of events) {
      if (event.kind === 'connection') {
        this.upsert(event.connection);
        summaries = true;
      } else if (event.kind === 'counts') {
        forEachCounts(event.counts, (id, c) => {
          const row = this.rows.get(id);
          if (row) this.rows.set(id, withCounts(row, c));
        });
        counts = true;
      }
    }
    if (summaries) this.touch();
    else if (counts) {
      // Read at once by whoever asks (visibleRows, get); shown at the pace of COUNTS_RENDER_MS.
      this.revision++;
      this.countsShown.request();
    }
  }

  get(id: number | undefined): ConnectionRow | undefined {
    return id === undefined ? undefined : this.rows.get(id);
  }

  get size(): number {
    return this.rows.size;
  }

  /** Frames in every connection of the session. */
  get totalFrames(): number {
    let sum = 0;
    for (const r of this.rows.values()) sum += r.frameCount;
    return sum;
  }

  /** The rows the list shows, sorted and filtered (recomputed only when something changed). */
  visibleRows(now: number): ConnectionRow[] {
    if (this.visibleCache?.version === this.revision) return this.visibleCache.rows;
    const text = this.filterText.trim().toLowerCase();
    const rows = [...this.rows.values()].filter((r) =>
      (this.statusFilter === 'all' || r.status === this.statusFilter) &&
      (text === '' || r.url.toLowerCase().includes(text) || String(r.id) === text || (r.closeName.toLowerCase().includes(text))),
    );
    const sign = this.sortDescending ? -1 : 1;
    rows.sort((a, b) => sign * compareRows(this.sortKey, a, b, now) || a.id - b.id);
    this.visibleCache = { version: this.revision, rows };
    return rows;
  }

  select(id: number | undefined): void {
    if (id === this.selectedId) return;
    this.selectedId = id;
    this.touch();
  }

  sortBy(key: ConnectionSortKey): void {
    if (this.sortKey === key) this.sortDescending = !this.sortDescending;
    else {
      this.sortKey = key;
      this.sortDescending = false;
    }
    this.touch();
  }

  setFilterText(text: string): void {
    this.filterText = text;
    this.touch();
  }

  setStatusFilter(filter: StatusFilter): void {
    this.statusFilter = filter;
    this.touch();
  }

  private upsert(summary: ConnectionSummary): void {
    const first = this.rows.size === 0;
    this.rows.set(summary.id, toConnectionRow(summary));
    // The first connection of an empty session is selected, so a capture shows itself at once.
    if (first && this.selectedId === undefined) this.selectedId = summary.id;
  }

  private touch(): void {
    this.revision++;
    // Whatever counts were waiting show with this change.
    this.countsShown.runNow();
  }

  private notify(): void {
    this.changed();
    this.selection.update(this.get(this.selectedId), this.selectedId);
  }
}
