// The Search workspace: a query over every connection of the browsed session, or of every saved
// session, run by the engine and streamed here; and the filters the user saved (kept in the
// engine's settings.json, so every window and every run has them).
import type { ControlClient } from '../api/control-client.js';
import type { ControlEvent, FrameFilter, SessionSearchHit } from '../api/wire.js';
import { Observable } from './observable.js';

export interface SearchForm {
  text: string;
  /** Text is a regular expression. */
  regex: boolean;
  caseSensitive: boolean;
  direction: '' | 'send' | 'receive';
}

type Done = Extract<ControlEvent, { kind: 'sessions-search-done' }>;

export const EMPTY_FORM: SearchForm = { text: '', regex: false, caseSensitive: false, direction: '' };

export class SessionsSearchStore extends Observable {
  form: SearchForm = { ...EMPTY_FORM };
  scope: 'browsed' | 'all' = 'browsed';
  hits: SessionSearchHit[] = [];
  running = false;
  done: Done | undefined;
  error: string | undefined;
  readonly initialized = Promise.resolve();
  private searchId: number | undefined;
  /** Events that came before the engine said which search they belong to. */
  private early: ControlEvent[] = [];
  private starting = false;

  constructor(private readonly client: ControlClient) {
    super();
  }

  setForm(form: Partial<SearchForm>): void {
    this.form = { ...this.form, ...form };
    this.changed();
  }

  setScope(scope: 'browsed' | 'all'): void {
    this.scope = scope;
    this.changed();
  }

  /** The engine's filter for the form. */
  filter(): FrameFilter {
    const f = this.form;
    return {
      ...(f.text ? (f.regex ? { regex: f.text } : { text: f.text }) : {}),
      ...(f.text && !f.caseSensitive ? { flags: 'i' } : {}),
      ...(f.direction ? { direction: f.direction } : {}),
    };
  }

  /** Fills the form from a saved filter. */
  load(filter: FrameFilter): void {
    this.form = {
      text: filter.regex ?? filter.text ?? '',
      regex: filter.regex !== undefined,
      caseSensitive: !(filter.flags ?? '').includes('i'),
      direction: filter.direction ?? '',
    };
    this.changed();
  }

  async start(browsed: string): Promise<void> {
    await this.cancel();
    this.hits = [];
    this.done = undefined;
    this.error = undefined;
    this.running = true;
    this.starting = true;
    this.early = [];
    this.changed();
    try {
      const { searchId } = await this.client.request('searchSessions', { sessions: this.scope === 'all' ? 'all' : [browsed], filter: this.filter() });
      this.searchId = searchId;
      this.starting = false;
      const early = this.early;
      this.early = [];
      this.apply(early);
    } catch (error) {
      this.starting = false;
      this.running = false;
      this.error = (error as Error).message;
      this.changed();
    }
  }

  async cancel(): Promise<void> {
    if (this.running && this.searchId !== undefined) await this.client.request('cancelSessionsSearch', { searchId: this.searchId });
  }

  apply(events: ControlEvent[]): void {
    let changed = false;
    for (const event of events) {
      if (event.kind !== 'sessions-search-hits' && event.kind !== 'sessions-search-done') continue;
      if (this.starting) {
        this.early.push(event);
        continue;
      }
      if (event.searchId !== this.searchId) continue;
      if (event.kind === 'sessions-search-hits') this.hits.push(...event.hits);
      else {
        this.done = event;
        this.running = false;
      }
      changed = true;
    }
    if (changed) {
      this.hits = [...this.hits];
      this.changed();
    }
  }
}
