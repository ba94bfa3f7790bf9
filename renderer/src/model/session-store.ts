// The engine as a whole: the link to it, the proxy's address and mode, the session being browsed,
// recording, the disk budget and the engine's error log.
import type { ControlClient, LinkState } from '../api/control-client.js';
import type { ControlEvent, ProxyStatus, SessionInfo } from '../api/wire.js';
import { Observable } from './observable.js';

export interface EngineError {
  /** What went wrong. */
  message: string;
  /** Epoch ms. */
  time: number;
  /** The connection it concerns, when one. */
  connectionId?: number;
}

/** Errors kept for the status bar's log. */
const MAX_ERRORS = 200;

export class SessionStore extends Observable {
  link: LinkState = 'connecting';
  proxy: ProxyStatus | undefined;
  session: SessionInfo | undefined;
  recording = true;
  /** The engine speaks another API version than this UI. */
  versionMismatch: number | undefined;
  budget: { level: 'warning' | 'reached'; usage: number; budget: number } | undefined;
  errors: EngineError[] = [];
  /** Errors the user has not looked at. */
  unseenErrors = 0;
  initialized: Promise<void>;
  private readonly sessionListeners = new Set<() => void>();

  constructor(private readonly client: ControlClient, private readonly apiVersion: number) {
    super();
    this.initialized = this.load();
  }

  /** Re-reads everything (after the link came back). */
  load(): Promise<void> {
    this.initialized = this.client.request('hello', {}).then((hello) => {
      this.proxy = hello.proxy;
      this.session = hello.session;
      this.recording = hello.recording;
      this.versionMismatch = hello.version === this.apiVersion ? undefined : hello.version;
      this.changed();
    });
    return this.initialized;
  }

  setLink(state: LinkState): void {
    this.link = state;
    this.changed();
  }

  /** Called when the browsed session changes (new, opened, imported): the other stores reload. */
  onSessionChanged(listener: () => void): () => void {
    this.sessionListeners.add(listener);
    return () => this.sessionListeners.delete(listener);
  }

  apply(event: ControlEvent): void {
    switch (event.kind) {
      case 'session': {
        const switched = event.session.name !== this.session?.name || event.session.live !== this.session?.live;
        this.session = event.session;
        if (switched) for (const listener of this.sessionListeners) listener();
        break;
      }
      case 'budget':
        this.budget = { level: event.level, usage: event.usage, budget: event.budget };
        break;
      case 'error':
        this.errors.push({ message: event.message, time: event.time, ...(event.connectionId !== undefined ? { connectionId: event.connectionId } : {}) });
        if (this.errors.length > MAX_ERRORS) this.errors.splice(0, this.errors.length - MAX_ERRORS);
        this.unseenErrors++;
        break;
      default:
        return;
    }
    this.changed();
  }

  markErrorsSeen(): void {
    this.unseenErrors = 0;
    this.changed();
  }

  async setRecording(on: boolean): Promise<void> {
    const result = await this.client.request('setRecording', { on });
    this.recording = result.recording;
    this.changed();
  }

  listSessions(): Promise<SessionInfo[]> {
    return this.client.request('listSessions', {});
  }

  async newSession(name?: string): Promise<void> {
    this.switchTo(await this.client.request('newSession', name ? { name } : {}));
  }

  async openSession(name: string): Promise<void> {
    this.switchTo(await this.client.request('openSession', { name }));
  }

  async saveSession(name: string): Promise<void> {
    this.session = await this.client.request('saveSession', { name });
    this.changed();
  }

  async deleteSession(name: string): Promise<void> {
    await this.client.request('deleteSession', { name });
  }

  private switchTo(session: SessionInfo): void {
    const switched = session.name !== this.session?.name || session.live !== this.session?.live;
    this.session = session;
    if (switched) for (const listener of this.sessionListeners) listener();
    this.changed();
  }
}
