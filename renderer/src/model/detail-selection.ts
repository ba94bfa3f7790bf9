// The selected row of a list (a frame or a message) and its detail from the engine. A selection after
// a quiet spell (a click) loads at once; while selections follow each other closely (key repeat), the
// detail loads shortly after the last one, so they do not flood the engine. The last few are cached.
// The frame and message detail stores differ only in what they fetch.
import { Observable } from './observable.js';

const DETAIL_CACHE = 64;
/** While selections come closer than QUIET_MS apart, the detail loads this long after the last one, ms. */
const LOAD_DELAY_MS = 30;
/** A selection this long after the one before loads at once, ms (key repeat is faster). */
const QUIET_MS = 150;

export abstract class DetailSelection<View> extends Observable {
  connectionId: number | undefined;
  number: number | undefined;
  /** Where the selection sits in the list that is shown (the list or search hits). */
  index = -1;
  view: View | undefined;
  loading = false;
  error: string | undefined;
  /** Resolves when the detail being loaded has arrived (or failed). */
  initialized: Promise<void> = Promise.resolve();
  private readonly cache = new Map<string, View>();
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When a row was last selected (performance.now()). */
  private lastSelected = -Infinity;

  /** Selects a row; its detail loads now, or shortly after when selections come in quick succession. */
  select(connectionId: number, number: number, index: number): void {
    this.index = index;
    const now = performance.now();
    const quiet = now - this.lastSelected >= QUIET_MS;
    this.lastSelected = now;
    if (connectionId === this.connectionId && number === this.number) {
      this.changed();
      return;
    }
    this.connectionId = connectionId;
    this.number = number;
    this.error = undefined;
    const cached = this.cache.get(`${connectionId}:${number}`);
    this.view = cached;
    this.loading = !cached;
    this.changed();
    if (cached) return;
    const generation = ++this.generation;
    if (this.timer !== undefined) clearTimeout(this.timer);
    let done!: () => void;
    this.initialized = new Promise((resolve) => (done = resolve));
    this.timer = undefined;
    if (quiet) void this.load(connectionId, number, generation).finally(done);
    else this.timer = setTimeout(() => void this.load(connectionId, number, generation).finally(done), LOAD_DELAY_MS);
  }

  clear(): void {
    this.generation++;
    this.connectionId = undefined;
    this.number = undefined;
    this.index = -1;
    this.view = undefined;
    this.loading = false;
    this.error = undefined;
    this.changed();
  }

  /** Forgets cached details (the session changed). */
  reset(): void {
    this.cache.clear();
    this.clear();
  }

  /** Asks the engine for one row's detail. */
  protected abstract fetch(connectionId: number, number: number): Promise<View>;

  private async load(connectionId: number, number: number, generation: number): Promise<void> {
    try {
      const view = await this.fetch(connectionId, number);
      if (generation !== this.generation) return;
      this.cache.set(`${connectionId}:${number}`, view);
      if (this.cache.size > DETAIL_CACHE) this.cache.delete(this.cache.keys().next().value!);
      this.view = view;
    } catch (error) {
      if (generation !== this.generation) return;
      this.error = error instanceof Error ? error.message : String(error);
    }
    this.loading = false;
    this.changed();
  }
}
