// The engine as a whole: the link to it, the proxy's address and mode, the session being browsed,
// recording and the disk budget (the engine's error log is error-log-store.ts).
import type { ControlClient, LinkState } from '../api/control-client.js';
import type { ControlEvent, ProxyStatus, SessionInfo } from '../api/wire.js';
import { Observable } from './observable.js';

export class SessionStore extends Observable {
  link: LinkState = 'connecting';
  proxy: ProxyStatus | undefined;
  session: SessionInfo | undefined;
  recording = true;
  /** The engine speaks another API version than this UI. */
  versionMismatch: number | undefined;
  budget: { level: 'warning' | 'reached'; usage: number; budget: number } | undefined;
  /** The live session while another is browsed: its name and the connections it opened since. */
  liveActivity: { name: string; newConnections: number } | undefined;
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
      case 'live':
        this.liveActivity = { name: event.name, newConnections: event.newConnections };
        break;
      default:
        return;
    }
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

  /** Browses the live session again (from the live badge). */
  async backToLive(): Promise<void> {
    if (this.liveActivity) await this.openSession(this.liveActivity.name);
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
