// The engine's error log, grouped by kind and host: each group counts its errors and keeps the latest
// few lines. Groups the user mutes (a browser's background TLS traffic, say) are kept out of the log and
// the badge, and stay muted across runs (localStorage). Errors are "new" until the log is looked at;
// while it is open, what arrives is seen at once.
import type { ControlEvent } from '../api/wire.js';
import { classifyError, type ErrorKind } from './error-kinds.js';
import { Observable } from './observable.js';

export interface ErrorSample {
  message: string;
  /** Epoch ms. */
  time: number;
  connectionId?: number;
}

export interface ErrorGroup {
  /** `kind host`: what muting is keyed by. */
  key: string;
  kind: ErrorKind;
  /** '' when the errors name no host. */
  host: string;
  /** Errors in the group since the UI started. */
  count: number;
  /** Of those, not looked at yet. */
  unseen: number;
  /** Epoch ms of the newest. */
  last: number;
  /** The newest lines, newest first. */
  samples: ErrorSample[];
}

const MUTED_KEY = 'framescope.mutedErrors';
/** Lines kept per group. */
const SAMPLES = 5;
/** Groups kept; the ones quiet the longest go first. */
const MAX_GROUPS = 300;

export class ErrorLogStore extends Observable {
  private readonly groups = new Map<string, ErrorGroup>();
  private readonly muted: Set<string>;
  /** The log is on screen: errors arriving are seen. */
  private viewing = false;
  readonly initialized = Promise.resolve();

  constructor(private readonly storage: Storage | undefined) {
    super();
    this.muted = new Set(this.readMuted());
  }

  apply(events: readonly ControlEvent[]): void {
    let any = false;
    for (const event of events) {
      if (event.kind !== 'error') continue;
      this.add({ message: event.message, time: event.time, ...(event.connectionId !== undefined ? { connectionId: event.connectionId } : {}) });
      any = true;
    }
    if (any) this.changed();
  }

  /** The groups shown (not muted), the most recent first. */
  get shown(): ErrorGroup[] {
    return this.sorted().filter((g) => !this.muted.has(g.key));
  }

  /** The muted groups that had errors, the most recent first. */
  get mutedGroups(): ErrorGroup[] {
    return this.sorted().filter((g) => this.muted.has(g.key));
  }

  /** Errors in the groups shown. */
  get total(): number {
    return this.shown.reduce((n, g) => n + g.count, 0);
  }

  /** Errors in the groups shown that nobody looked at. */
  get unseen(): number {
    return this.shown.reduce((n, g) => n + g.unseen, 0);
  }

  isMuted(key: string): boolean {
    return this.muted.has(key);
  }

  /** The log is open (or closed): while open, everything in it is seen. */
  setViewing(on: boolean): void {
    this.viewing = on;
    if (on) this.markSeen();
  }

  markSeen(): void {
    for (const g of this.groups.values()) g.unseen = 0;
    this.changed();
  }

  mute(key: string): void {
    this.muted.add(key);
    this.writeMuted();
  }

  unmute(key: string): void {
    this.muted.delete(key);
    const group = this.groups.get(key);
    // Unmuted errors were never counted as new: they stay seen.
    if (group) group.unseen = 0;
    this.writeMuted();
  }

  private add(sample: ErrorSample): void {
    const { kind, host } = classifyError(sample.message);
    const key = `${kind} ${host}`;
    let group = this.groups.get(key);
    if (!group) {
      group = { key, kind, host, count: 0, unseen: 0, last: 0, samples: [] };
      this.groups.set(key, group);
      if (this.groups.size > MAX_GROUPS) this.groups.delete(this.sorted().at(-1)!.key);
    }
    group.count++;
    if (!this.viewing && !this.muted.has(key)) group.unseen++;
    group.last = Math.max(group.last, sample.time);
    group.samples = [sample, ...group.samples].slice(0, SAMPLES);
  }

  private sorted(): ErrorGroup[] {
    return [...this.groups.values()].sort((a, b) => b.last - a.last);
  }

  private readMuted(): string[] {
    try {
      const list = JSON.parse(this.storage?.getItem(MUTED_KEY) ?? '[]') as unknown;
      return Array.isArray(list) ? list.filter((k): k is string => typeof k === 'string') : [];
    } catch {
      return [];
    }
  }

  private writeMuted(): void {
    try {
      this.storage?.setItem(MUTED_KEY, JSON.stringify([...this.muted]));
    } catch {
      // Storage full or off: the mutes last for this window.
    }
    this.changed();
  }
}
