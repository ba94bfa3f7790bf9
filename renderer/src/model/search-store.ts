// Text and regex search over the selected connection's payloads. The engine streams hits in
// 'search-hits' events, so the first ones show at once while it keeps scanning.
import type { ControlClient } from '../api/control-client.js';
import type { ControlEvent, Direction, FrameFilter, SearchHitInfo } from '../api/wire.js';
import { opcodeBadge } from '../protocol/opcodes.js';
import { Observable } from './observable.js';
import { SearchStream } from './search-stream.js';

export interface SearchQuery {
  /** What to look for. */
  text: string;
  /** Treat the text as a JavaScript regular expression. */
  regex: boolean;
  /** Match case exactly. */
  caseSensitive: boolean;
}

export interface HitRow {
  /** The frame to show (a message's final frame). */
  frame: number;
  /** The message's number, when the hit is a message. */
  message: number | undefined;
  direction: Direction;
  /** Epoch ms. */
  time: number;
  opcode: number;
  badge: string;
  /** Text around the first match. */
  snippet: string;
}

/** Hits kept at most; past it the search stops and says so (refine the query). */
export const MAX_HITS = 50_000;

export class SearchStore extends Observable {
  query: SearchQuery = { text: '', regex: false, caseSensitive: false };
  /** A search is shown (hits replace the timeline). */
  active = false;
  hits: HitRow[] = [];
  scanned = 0;
  /** The search stopped at MAX_HITS. */
  capped = false;
  error: string | undefined;
  /** performance.now() when the current search started, and when its first hit arrived. */
  startedAt = 0;
  firstHitAt: number | undefined;
  initialized: Promise<void> = Promise.resolve();
  private readonly stream: SearchStream;

  constructor(client: ControlClient) {
    super();
    this.stream = new SearchStream(client, (events) => this.apply(events));
  }

  /** The engine is still searching. */
  get running(): boolean {
    return this.stream.running;
  }

  /** Starts a search of one connection with the list's filter; an empty text clears it. */
  async start(connectionId: number, query: SearchQuery, filter: Omit<FrameFilter, 'text' | 'regex' | 'flags'>): Promise<void> {
    this.stream.cancel();
    this.query = query;
    if (query.text === '') {
      this.active = false;
      this.changed();
      return;
    }
    if (query.regex) {
      try {
        new RegExp(query.text, query.caseSensitive ? '' : 'i');
      } catch (error) {
        this.error = (error as Error).message;
        this.active = true;
        this.changed();
        return;
      }
    }
    this.active = true;
    this.hits = [];
    this.scanned = 0;
    this.capped = false;
    this.error = undefined;
    this.startedAt = performance.now();
    this.firstHitAt = undefined;
    this.changed();
    const flags = query.caseSensitive ? '' : 'i';
    const request = this.stream.start({
      connectionId,
      filter: { ...filter, ...(query.regex ? { regex: query.text } : { text: query.text }), ...(flags ? { flags } : {}) },
    });
    this.initialized = request.then(() => undefined, () => undefined);
    try {
      await request;
    } catch (error) {
      this.error = (error as Error).message;
      this.changed();
    }
  }

  /** Stops the running search and hides the hits. */
  clear(): void {
    this.stream.cancel();
    this.active = false;
    this.hits = [];
    this.error = undefined;
    this.changed();
  }

  apply(events: readonly ControlEvent[]): void {
    const taken = this.stream.take(events);
    for (const event of taken) {
      if (event.kind === 'search-hits') {
        if (this.firstHitAt === undefined && event.hits.length > 0) this.firstHitAt = performance.now();
        for (const hit of event.hits) {
          if (this.hits.length >= MAX_HITS) break;
          this.hits.push(toHitRow(hit));
        }
        if (this.hits.length >= MAX_HITS && !this.capped) {
          this.capped = true;
          this.stream.stop();
        }
      } else {
        this.scanned = event.scanned;
      }
    }
    if (taken.length > 0) this.changed();
  }
}

function toHitRow(hit: SearchHitInfo): HitRow {
  return {
    frame: hit.frame, message: hit.message, direction: hit.direction, time: hit.time, opcode: hit.opcode,
    badge: opcodeBadge(hit.opcode), snippet: hit.snippet.replace(/[\r\n\t]+/g, ' '),
  };
}
