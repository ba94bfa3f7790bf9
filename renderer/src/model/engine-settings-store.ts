// The engine's runtime settings (settings.json): what is saved, what is in effect and what the
// command line set for this run. Changes go to the engine, which checks, applies and saves them;
// every window hears of a change through the 'settings' event.
import type { ControlClient } from '../api/control-client.js';
import type { ControlEvent, Settings, SettingsState } from '../api/wire.js';
import { EngineReadStore } from './observable.js';

export class EngineSettingsStore extends EngineReadStore {
  state: SettingsState | undefined;
  initialized: Promise<void>;

  constructor(private readonly client: ControlClient) {
    super();
    this.initialized = this.load();
  }

  load(): Promise<void> {
    this.initialized = this.readFrom(this.client.request('getSettings', {}), (state) => { this.state = state; });
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
