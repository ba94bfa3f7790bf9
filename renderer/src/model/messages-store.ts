// The message list of the selected connection, for connections that have data messages but no wire
// frames (sessions imported from Chrome, HTTP Toolkit, mitmproxy or Playwright HAR files). Rows are
// fetched by range (queryMessages). queryMessages takes no filter, so a filtered list is the engine's
// search run with the filter alone: its hits name the messages that pass, in order.
import type { ControlClient } from '../api/control-client.js';
import type { ControlEvent } from '../api/wire.js';
import { countsOf } from './connection-counts.js';
import type { FrameListFilter } from './frames-store.js';
import { toMessageRow, type MessageRow } from './message-row.js';
import { Observable } from './observable.js';
import { PAGE, RowPages } from './row-pages.js';
import { SearchStream } from './search-stream.js';

/** Direction, opcode and violation, as for frames (the opcode is the message's: 1 or 2). */
export type MessageListFilter = FrameListFilter;

/** queryMessages returns at most this many messages a call. */
const MAX_QUERY = 5000;

export class MessagesStore extends Observable {
  connectionId: number | undefined;
  filter: MessageListFilter = {};
  /** Resolves when the filtered list is complete (for tests). */
  initialized: Promise<void> = Promise.resolve();
  private readonly pages: RowPages<MessageRow>;
  /** The connection's message count (from its summary). */
  private unfilteredTotal = 0;
  /** Filtered: the numbers of the messages that pass, ascending. */
  private matches: number[] = [];
  /** The engine's search that lists the messages passing the filter. */
  private readonly search: SearchStream;
  private finishFilter: (() => void) | undefined;

  constructor(private readonly client: ControlClient) {
    super();
    this.search = new SearchStream(client, (events) => this.apply(events));
    this.pages = new RowPages<MessageRow>({
      query: (start, end) => this.query(start, end),
      adoptTotal: (fetched) => (this.filtered ? this.matches.length : fetched),
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

  /** The filtered list is still being drawn up (the engine's search is running). */
  get filtering(): boolean {
    return this.search.running;
  }

  get filtered(): boolean {
    return this.filter.direction !== undefined || this.filter.opcode !== undefined || this.filter.violation !== undefined;
  }

  /** Shows another connection's messages (or none); messageCount is what its summary says. */
  setConnection(id: number | undefined, messageCount: number): void {
    if (id === this.connectionId) return;
    this.connectionId = id;
    this.unfilteredTotal = messageCount;
    this.reset();
  }

  setFilter(filter: MessageListFilter): void {
    this.filter = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as MessageListFilter;
    this.reset();
  }

  /** The row at a list position, or undefined while it loads (ask with ensureRange). */
  rowAt(index: number): MessageRow | undefined {
    return this.pages.rowAt(index);
  }

  /** The message number at a list position, known before its row has loaded. */
  numberAt(index: number): number | undefined {
    if (index < 0 || index >= this.total) return undefined;
    return this.filtered ? this.matches[index] : index;
  }

  ensureRange(first: number, last: number): void {
    if (this.connectionId === undefined) return;
    this.pages.ensureRange(first, last);
  }

  /** The list position of a message, or of the first one after it that the filter lets through. */
  locate(number: number): number {
    if (!this.filtered) return Math.max(0, Math.min(number, this.total - 1));
    let lo = 0;
    let hi = this.matches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.matches[mid]! < number) lo = mid + 1;
      else hi = mid;
    }
    return Math.max(0, Math.min(lo, this.total - 1));
  }

  apply(events: readonly ControlEvent[]): void {
    if (this.connectionId === undefined) return;
    let changed = false;
    for (const event of events) {
      const counts = event.kind === 'connection' && event.connection.id === this.connectionId ? event.connection
        : event.kind === 'counts' ? countsOf(event.counts, this.connectionId) : undefined;
      if (counts) {
        this.unfilteredTotal = counts.messageCount;
        if (!this.filtered && this.total !== this.unfilteredTotal) {
          this.pages.total = this.unfilteredTotal;
          changed = true;
        }
      }
    }
    for (const event of this.search.take(events)) {
      changed = true;
      if (event.kind === 'search-hits') {
        // Lone frames (control frames) are not messages; an imported session has none anyway.
        for (const hit of event.hits) if (hit.message !== undefined) this.matches.push(hit.message);
        this.pages.total = this.matches.length;
      } else {
        this.finishFilter?.();
      }
    }
    if (changed) this.changed();
  }

  private reset(): void {
    this.stopSearch();
    this.matches = [];
    this.pages.reset(this.filtered ? 0 : this.unfilteredTotal);
    this.initialized = Promise.resolve();
    if (this.connectionId !== undefined && this.filtered) this.startSearch(this.connectionId);
    this.changed();
  }

  /** Lists the messages that pass the filter: the engine's search with no text. */
  private startSearch(connectionId: number): void {
    this.initialized = new Promise((resolve) => (this.finishFilter = resolve));
    this.search.start({ connectionId, filter: this.filter }).catch(() => {
      this.finishFilter?.();
      this.changed();
    });
  }

  private stopSearch(): void {
    this.search.cancel();
    this.finishFilter?.();
    this.finishFilter = undefined;
  }

  private async query(start: number, end: number): Promise<{ total: number; rows: MessageRow[] }> {
    const connectionId = this.connectionId!;
    if (!this.filtered) {
      const result = await this.client.request('queryMessages', { connectionId, start, end });
      return { total: result.total, rows: result.messages.map(toMessageRow) };
    }
    const numbers = this.matches.slice(start, end);
    // Nearby numbers share one call: a filter that lets most messages through costs a call a page.
    const found = new Map<number, MessageRow>();
    const calls: Promise<void>[] = [];
    for (let i = 0; i < numbers.length;) {
      let j = i;
      while (j + 1 < numbers.length && numbers[j + 1]! - numbers[j]! <= PAGE && numbers[j + 1]! - numbers[i]! < MAX_QUERY) j++;
      calls.push(this.client.request('queryMessages', { connectionId, start: numbers[i]!, end: numbers[j]! + 1 }).then((result) => {
        for (const m of result.messages) found.set(m.number, toMessageRow(m));
      }));
      i = j + 1;
    }
    await Promise.all(calls);
    const rows: MessageRow[] = [];
    // Rows are positional: stop at the first one the engine did not return.
    for (const n of numbers) {
      const row = found.get(n);
      if (!row) break;
      rows.push(row);
    }
    return { total: this.matches.length, rows };
  }
}
