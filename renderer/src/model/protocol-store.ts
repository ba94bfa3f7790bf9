// What the UI shows of application protocols: the lens of each connection (and the user's choice),
// the Protocol column's line for each frame that completes a message, a selected message's packets
// with their links, and the protocol filter's hits. Everything is asked of the engine when a view
// needs it (the engine decodes on read), gathered into one request per animation frame for the
// column, and kept in small caches that a session switch empties.
import type { ControlClient } from '../api/control-client.js';
import type { LensChoice, ProtocolHit, ProtocolLensState, ProtocolMessageInfo } from '../api/wire.js';
import { Observable } from './observable.js';

export interface ProtocolLine {
  summary: string;
  link?: 'request' | 'answer';
}

/** Lines kept before the cache starts over (a screenful is a few dozen). */
const MAX_LINES = 20_000;

export interface ProtocolFilterState {
  connectionId: number;
  text: string;
  hits: ProtocolHit[];
  /** Where the scan goes on, while there is more. */
  next?: number;
  total: number;
  running: boolean;
  error?: string;
  /** ms from the start to the first answer (shown, and measured by the e2e test). */
  firstAnswerMs?: number;
}

export class ProtocolStore extends Observable {
  private readonly lines = new Map<string, ProtocolLine | null>();
  private readonly lenses = new Map<number, ProtocolLensState | null>();
  private readonly messages = new Map<string, ProtocolMessageInfo | null>();
  private readonly wanted = new Map<number, Set<number>>();
  private scheduled = false;
  private session: string | undefined;
  filter: ProtocolFilterState | undefined;
  private filterSeq = 0;

  constructor(private readonly client: ControlClient) {
    super();
  }

  /** Empties the caches when the browsed session changes. */
  useSession(name: string | undefined): void {
    if (name === this.session) return;
    this.session = name;
    this.lines.clear();
    this.lenses.clear();
    this.messages.clear();
    this.filter = undefined;
  }

  /** The Protocol column's line for a frame; undefined while it loads, null for a frame that completes no message. */
  line(connectionId: number, frame: number): ProtocolLine | null | undefined {
    const key = `${connectionId}:${frame}`;
    if (this.lines.has(key)) return this.lines.get(key);
    let frames = this.wanted.get(connectionId);
    if (!frames) this.wanted.set(connectionId, (frames = new Set()));
    frames.add(frame);
    this.schedule();
    return undefined;
  }

  lens(connectionId: number): ProtocolLensState | null | undefined {
    if (this.lenses.has(connectionId)) return this.lenses.get(connectionId);
    this.lenses.set(connectionId, null);
    this.client.request('getProtocolLens', { connectionId }).then((state) => {
      this.lenses.set(connectionId, state);
      this.changed();
    }, () => {});
    return undefined;
  }

  async setLens(connectionId: number, lens: LensChoice): Promise<void> {
    const state = await this.client.request('setProtocolLens', { connectionId, lens });
    this.lenses.set(connectionId, state);
    for (const key of [...this.lines.keys()]) if (key.startsWith(`${connectionId}:`)) this.lines.delete(key);
    for (const key of [...this.messages.keys()]) if (key.startsWith(`${connectionId}:`)) this.messages.delete(key);
    if (this.filter?.connectionId === connectionId) this.filter = undefined;
    this.changed();
  }

  /** A message's packets with their links; undefined while it loads. */
  message(connectionId: number, number: number): ProtocolMessageInfo | null | undefined {
    const key = `${connectionId}:${number}`;
    if (this.messages.has(key)) return this.messages.get(key);
    this.messages.set(key, null);
    this.client.request('queryProtocol', { connectionId, start: number, end: number + 1 }).then((result) => {
      this.messages.set(key, result.messages[0] ?? null);
      this.changed();
    }, () => {});
    return undefined;
  }

  /** Runs a protocol filter over a connection: the first hits come as soon as the engine has them. */
  async runFilter(connectionId: number, text: string): Promise<void> {
    const seq = ++this.filterSeq;
    const started = performance.now();
    this.filter = { connectionId, text, hits: [], total: 0, running: true };
    this.changed();
    try {
      let result = await this.client.request('filterProtocol', { connectionId, filter: text, limit: 200 });
      // Nothing yet in the part scanned: go on (each answer is a slice of the connection) until a hit or the end.
      while (result.hits.length === 0 && result.next !== undefined && seq === this.filterSeq) {
        this.filter = { connectionId, text, hits: [], total: result.total, running: true, next: result.next };
        this.changed();
        result = await this.client.request('filterProtocol', { connectionId, filter: text, from: result.next, limit: 200 });
      }
      if (seq !== this.filterSeq) return;
      this.filter = { connectionId, text, hits: result.hits, total: result.total, running: false, firstAnswerMs: performance.now() - started, ...(result.next !== undefined ? { next: result.next } : {}) };
    } catch (error) {
      if (seq !== this.filterSeq) return;
      this.filter = { connectionId, text, hits: [], total: 0, running: false, error: (error as Error).message };
    }
    this.changed();
  }

  /** The next hits of the running filter. */
  async moreHits(): Promise<void> {
    const current = this.filter;
    if (!current || current.next === undefined || current.running) return;
    const seq = this.filterSeq;
    this.filter = { ...current, running: true };
    this.changed();
    const result = await this.client.request('filterProtocol', { connectionId: current.connectionId, filter: current.text, from: current.next, limit: 200 });
    if (seq !== this.filterSeq) return;
    const { next: _next, ...rest } = current;
    this.filter = { ...rest, hits: [...current.hits, ...result.hits], running: false, ...(result.next !== undefined ? { next: result.next } : {}) };
    this.changed();
  }

  clearFilter(): void {
    this.filterSeq++;
    this.filter = undefined;
    this.changed();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // One request per connection per frame of rendering, for every row that asked.
    const run = () => {
      this.scheduled = false;
      const batches = [...this.wanted.entries()];
      this.wanted.clear();
      for (const [connectionId, frames] of batches) void this.fetchLines(connectionId, [...frames]);
    };
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run);
    else setTimeout(run, 16);
  }

  private async fetchLines(connectionId: number, frames: number[]): Promise<void> {
    if (this.lines.size > MAX_LINES) this.lines.clear();
    for (const frame of frames) this.lines.set(`${connectionId}:${frame}`, null);
    try {
      const result = await this.client.request('protocolForFrames', { connectionId, frames });
      for (const f of result.frames) this.lines.set(`${connectionId}:${f.frame}`, { summary: f.summary, ...(f.link ? { link: f.link } : {}) });
      // No line for any of them (a connection no lens decodes, the common case under a fast live tail):
      // the cells stay as empty as they are, and the list is not rendered again for nothing.
      if (result.frames.length > 0) this.changed();
    } catch {
      // The engine could not read them (the connection went away): the cells stay empty.
    }
  }
}

const stores = new WeakMap<ControlClient, ProtocolStore>();

/** The protocol store of a control client (one per window). */
export function protocolStoreOf(client: ControlClient): ProtocolStore {
  let store = stores.get(client);
  if (!store) stores.set(client, (store = new ProtocolStore(client)));
  return store;
}
