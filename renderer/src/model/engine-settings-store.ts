// The engine's runtime settings (settings.json): what is saved, what is in effect and what the
// command line set for this run. Changes go to the engine, which checks, applies and saves them;
// every window hears of a change through the 'settings' event.
import type { ControlClient } from '../api/control-client.js';
import type { ControlEvent, Settings, SettingsState } from '../api/wire.js';
import { Observable } from './observable.js';

export class EngineSettingsStore extends Observable {
  state: SettingsState | undefined;
  /** Why the engine has no settings (one started without them), when it has none. */
  unavailable: string | undefined;
  initialized: Promise<void>;

  constructor(private readonly client: ControlClient) {
    super();
    this.initialized = this.load();
  }

  load(): Promise<void> {
    this.initialized = this.client.request('getSettings', {}).then(
      (state) => {
        this.state = state;
        this.unavailable = undefined;
        this.changed();
      },
      (error: Error) => {
        this.unavailable = error.message;
        this.changed();
      },
    );
    return this.initialized;
  }

  apply(events: ControlEvent[]): void {
    let changed = false;
    for (const event of events) {
      if (event.kind !== 'settings') continue;
      this.state = event.settings;
      changed = true;
    }
    if (changed) this.changed();
  }

  /** Sends a change; resolves with the new state, or rejects with the engine's words for what was wrong. */
  async save(change: Partial<Settings>): Promise<SettingsState> {
    const state = await this.client.request('setSettings', { settings: change });
    this.state = state;
    this.changed();
    return state;
  }
}
