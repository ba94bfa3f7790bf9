// One engine search at a time, whose hits stream in 'search-hits' events and end with 'search-done'.
// The events can race the response that tells the search's id, so those that come first wait for it;
// a search replaced before its response came is cancelled at the engine when the response does.
import type { ControlClient } from '../api/control-client.js';
import type { ControlCommands, ControlEvent } from '../api/wire.js';

export type SearchEvent = Extract<ControlEvent, { kind: 'search-hits' | 'search-done' }>;

export class SearchStream {
  /** The search is under way: the engine may still send hits. */
  running = false;
  private searchId: number | undefined;
  private generation = 0;
  /** Events for a search whose id is not known yet. */
  private early: ControlEvent[] = [];

  /** replay is given the events that came before the search's id, once it is known. */
  constructor(private readonly client: ControlClient, private readonly replay: (events: readonly ControlEvent[]) => void) {}

  /**
   * Starts a search (cancel the one before first). Resolves once the engine has answered, or at once
   * when another search replaced it; rejects when the engine refused it.
   */
  async start(params: ControlCommands['search']['params']): Promise<void> {
    const generation = ++this.generation;
    this.running = true;
    let searchId: number;
    try {
      ({ searchId } = await this.client.request('search', params));
    } catch (error) {
      if (generation !== this.generation) return;
      this.running = false;
      throw error;
    }
    if (generation !== this.generation) {
      void this.client.request('cancelSearch', { searchId }).catch(() => {});
      return;
    }
    this.searchId = searchId;
    const early = this.early;
    this.early = [];
    this.replay(early);
  }

  /** The events of the current search among these, in order; a 'search-done' ends it. */
  take(events: readonly ControlEvent[]): SearchEvent[] {
    const taken: SearchEvent[] = [];
    for (const event of events) {
      if (event.kind !== 'search-hits' && event.kind !== 'search-done') continue;
      if (this.searchId === undefined) {
        if (this.running) this.early.push(event);
        continue;
      }
      if (event.searchId !== this.searchId) continue;
      if (event.kind === 'search-done') this.running = false;
      taken.push(event);
    }
    return taken;
  }

  /** Asks the engine to stop the search early; events it already sent are still taken. */
  stop(): void {
    this.running = false;
    if (this.searchId !== undefined) void this.client.request('cancelSearch', { searchId: this.searchId }).catch(() => {});
  }

  /** Forgets the current search, cancelling it at the engine while it runs. */
  cancel(): void {
    this.generation++;
    if (this.searchId !== undefined && this.running) void this.client.request('cancelSearch', { searchId: this.searchId }).catch(() => {});
    this.searchId = undefined;
    this.running = false;
    this.early = [];
  }
}
