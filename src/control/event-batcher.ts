// One UI's outgoing events: queued, coalesced, and sent as one batch at most once every `interval` ms, and
// only while the UI keeps up. A UI that falls behind (its socket holds more than HIGH_WATER unread
// bytes, or a paced UI has not acknowledged the last batch) is sent nothing until it catches up;
// meanwhile what it would have been sent is coalesced, not queued: each connection's newest summary
// replaces the older one, snapshots (held items, settings...) replace theirs, and the frame window it
// subscribed to is read when the batch goes out, so it gets the rows and counts of that moment, never a
// backlog. A slow UI therefore costs the engine a bounded amount of memory and no time.
// Changed connections are queued as ids and read when the batch goes out too, and a connection whose
// counts alone changed is sent as numbers in one 'counts' event, not as a summary: under hundreds of
// busy connections, summaries built and serialized every tick were most of what a watching UI cost
// the engine's heap (engine RSS 1.3-1.5x of no UI).
import { COUNT_FIELDS, type ConnectionCounts, type ConnectionSummary, type ControlEvent, type FrameWindow } from './api-types.js';

/** Bytes a client's socket may hold unread before the client counts as behind. */
export const HIGH_WATER = 128 * 1024;
/** Events that are not coalesced (errors, search hits...) queued at most; errors past it are counted, not kept. */
export const MAX_QUEUED = 2000;
/** Rows of a window sent at most: the UI shows a few dozen, and asks for others by range. */
export const MAX_WINDOW = 500;

/** The frame list a client views, and how to read it. */
export interface LiveView {
  /** False once another session is browsed: the view's connection id names another connection there, if any. */
  current(): boolean;
  connectionId: number;
  /** List positions [start, end) shown; while following, end − start is the tail's size. */
  start: number;
  end: number;
  follow: boolean;
  /** Positions are a sort's: any row of the window may change as frames arrive. */
  sorted: boolean;
  /** A filtered or sorted list costs a pass over the connection's index to read: done at most this often, ms. */
  minReadInterval: number;
  /** Reads the list: `range` gets its length and says which positions [start, end) to read. */
  read(range: (total: number) => [number, number]): FrameWindow;
}

/** Reads a connection's current state (undefined once it is not in the viewed session). */
export interface ConnectionReader {
  summary(id: number): ConnectionSummary | undefined;
  counts(id: number): Readonly<ConnectionCounts> | undefined;
}

export interface BatchSink {
  send(events: ControlEvent[], batch: number): void;
  /** Bytes sent but still held by this side of the socket. */
  backlog(): number;
}

export class EventBatcher {
  /** Events in order; snapshots under their key (re-set at the end when replaced), others under a unique one. */
  private queue = new Map<string, ControlEvent>();
  private unique = 0;
  private errorsLeftOut = 0;
  /** Connections whose summary changed since the last batch, in the order they first did. */
  private readonly changedConnections = new Set<number>();
  /** Connections whose counts alone changed since the last batch. */
  private readonly changedCounts = new Set<number>();
  private reader: ConnectionReader | undefined;
  private view: LiveView | undefined;
  /** The view's list changed since its rows were last sent. */
  private viewChanged = false;
  /** The list's length when its rows were last sent: rows before it were sent (unless sorted). */
  private sentTotal = 0;
  private lastRead = 0;
  private timer: NodeJS.Timeout | undefined;
  private nextBatch = 1;
  /** When the last batch went out (epoch ms). */
  private lastSent = 0;
  /** Paced: the batch sent and not yet acknowledged. */
  private unacknowledged: number | undefined;
  private paced = false;
  /** Batches held back because the client was behind (for tests and the bench). */
  heldBack = 0;

  constructor(
    private readonly sink: BatchSink,
    /** Shortest time between two batches, ms: an event waits at most this long while the client keeps up. */
    private readonly interval = 50,
  ) {}

  push(event: ControlEvent): void {
    const key = snapshotKey(event);
    if (key !== undefined) {
      this.queue.delete(key);
      this.queue.set(key, event);
    } else if (event.kind === 'error' && this.queue.size >= MAX_QUEUED) {
      this.errorsLeftOut++;
    } else {
      this.queue.set(`#${this.unique++}`, event);
    }
    if (event.kind === 'connection' && event.connection.id === this.view?.connectionId) this.viewChanged = true;
    if (ANSWERS.has(event.kind)) {
      // An answer to the client's own request (a search's hits) goes out now, not after the interval.
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.schedule(0);
      return;
    }
    this.schedule();
  }

  /**
   * Connections that changed: `opened` get their summary in the next batch, `counted` (only their
   * counts changed) their counts; each is read from `reader` when the batch goes out.
   */
  pushConnections(opened: readonly number[], counted: readonly number[], reader: ConnectionReader): void {
    this.reader = reader;
    for (const id of opened) this.changedConnections.add(id);
    for (const id of counted) this.changedCounts.add(id);
    const viewed = this.view?.connectionId;
    if (viewed !== undefined && (opened.includes(viewed) || counted.includes(viewed))) this.viewChanged = true;
    this.schedule();
  }

  /**
   * Views a frame list (or none). Returns its window now: later batches carry only what changes.
   * paced: from now on a batch goes out only after the previous one was acknowledged.
   */
  watch(view: LiveView | undefined, paced: boolean): FrameWindow | undefined {
    this.view = view;
    this.paced = paced;
    if (!paced) this.unacknowledged = undefined;
    this.viewChanged = false;
    if (!view) return undefined;
    // A followed tail comes with its rows; a window elsewhere only with its length (the UI reads those
    // rows by range), and later batches carry the rows that appear in it.
    const window = view.follow ? this.readView(view) : view.read((total) => [Math.min(view.start, total), Math.min(view.start, total)]);
    this.sentTotal = window.total;
    return window;
  }

  /** The client applied a batch. */
  acknowledge(batch: number): void {
    // A later batch applied means this one was too (answers may go out while one is unacknowledged).
    if (this.unacknowledged === undefined || batch < this.unacknowledged) return;
    this.unacknowledged = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.schedule();
  }

  /** Sends whatever is due now, unless the client is behind. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sink.backlog() > HIGH_WATER) {
      // Looked at again an interval later.
      this.heldBack++;
      this.schedule(this.interval);
      return;
    }
    if (this.unacknowledged !== undefined) {
      // The page is still applying the last batch: only answers to its own requests (search hits,
      // job progress) go now; the rest waits for the acknowledgement, coalescing.
      this.heldBack++;
      const answers = [...this.queue].filter(([, e]) => ANSWERS.has(e.kind));
      for (const [key] of answers) this.queue.delete(key);
      if (answers.length > 0) this.send(answers.map(([, e]) => e));
      this.schedule(this.interval);
      return;
    }
    const events = [...this.queue.values()];
    this.queue.clear();
    this.readConnections(events);
    if (this.errorsLeftOut > 0) {
      events.push({ kind: 'error', message: `control API: ${this.errorsLeftOut} more error events were left out while this UI was behind`, time: Date.now() });
      this.errorsLeftOut = 0;
    }
    const rows = this.changedRows();
    if (rows) events.push(rows);
    if (events.length === 0) {
      // The view changed but is not due yet (a filtered list is read at most every minReadInterval).
      this.schedule(Math.max(this.interval, this.lastRead + (this.view?.minReadInterval ?? 0) - Date.now()));
      return;
    }
    const batch = this.send(events);
    if (this.paced) this.unacknowledged = batch;
    this.schedule();
  }

  private send(events: ControlEvent[]): number {
    const batch = this.nextBatch++;
    this.lastSent = Date.now();
    this.sink.send(events, batch);
    return batch;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.clear();
    this.changedConnections.clear();
    this.changedCounts.clear();
    this.view = undefined;
  }

  /** Events and rows waiting, counted (for tests): coalesced, this stays bounded. */
  get queued(): number {
    return this.queue.size + this.changedConnections.size + this.changedCounts.size;
  }

  /**
   * Batches go out at most once per interval: the first after a quiet spell at once (with whatever the
   * same tick of the engine queued), the next when the interval since the last one is over.
   */
  private schedule(wait = Math.max(0, this.lastSent + this.interval - Date.now())): void {
    const idle = this.queue.size === 0 && this.changedConnections.size === 0 && this.changedCounts.size === 0 && this.errorsLeftOut === 0 && !this.viewChanged;
    if (this.timer || idle) return;
    this.timer = setTimeout(() => this.flush(), wait);
  }


  /** The changed connections' summaries, then one 'counts' event for those whose counts alone changed. */
  private readConnections(events: ControlEvent[]): void {
    const reader = this.reader;
    if (reader) {
      for (const id of this.changedConnections) {
        const connection = reader.summary(id);
        if (connection) events.push({ kind: 'connection', connection });
      }
      const counts: number[] = [];
      for (const id of this.changedCounts) {
        const c = this.changedConnections.has(id) ? undefined : reader.counts(id);
        if (!c) continue;
        counts.push(id);
        for (const field of COUNT_FIELDS) counts.push(c[field]);
      }
      if (counts.length > 0) events.push({ kind: 'counts', counts });
    }
    this.changedConnections.clear();
    this.changedCounts.clear();
  }

  /** The view's rows that changed since they were last sent, with the list's length; undefined when none did. */
  private changedRows(): ({ kind: 'frames' } & FrameWindow) | undefined {
    const view = this.view;
    if (!view || !this.viewChanged) return undefined;
    if (!view.current()) {
      // The UI subscribes again once it has read the other session.
      this.view = undefined;
      return undefined;
    }
    if (view.minReadInterval > 0 && Date.now() - this.lastRead < view.minReadInterval) return undefined;
    this.viewChanged = false;
    // Rows are never rewritten, and a list in wire order only grows at its end: what was sent stands,
    // and only the rows after it are read (not the whole window again each batch).
    const window = this.readView(view, view.sorted ? 0 : this.sentTotal);
    if (window.frames.length === 0 && window.total === this.sentTotal && !view.sorted) return undefined;
    this.sentTotal = window.total;
    return { kind: 'frames', ...window };
  }

  /** Reads the view's window, from position `from` on at the earliest. */
  private readView(view: LiveView, from = 0): FrameWindow {
    this.lastRead = Date.now();
    const size = Math.min(MAX_WINDOW, Math.max(0, view.end - view.start));
    return view.read((total) => {
      const [start, end] = view.follow
        ? [Math.max(0, total - size), total]
        : [Math.min(view.start, total), Math.min(view.start + size, total)];
      return [Math.min(end, Math.max(start, from)), end];
    });
  }
}

/** Events that answer a client's own request: they do not wait for a paced client's acknowledgement. */
const ANSWERS: ReadonlySet<ControlEvent['kind']> = new Set(['search-hits', 'search-done', 'sessions-search-hits', 'sessions-search-done', 'har-job', 'replay-done']);

/** Events that say a current state: a newer one replaces the queued one. */
function snapshotKey(event: ControlEvent): string | undefined {
  switch (event.kind) {
    case 'connection': return `connection:${event.connection.id}`;
    case 'held': return 'held';
    case 'live': return 'live';
    case 'budget': return 'budget';
    case 'settings': return 'settings';
    case 'session': return 'session';
    case 'har-job': return event.state === 'running' ? `har-job:${event.jobId}` : undefined;
    default: return undefined;
  }
}
