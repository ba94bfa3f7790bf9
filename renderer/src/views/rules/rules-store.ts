// The rules in force (getRules/setRules): the Rules view reads them when it opens and saves the whole
// list on every change; the engine checks, writes and applies it, or answers what is wrong (the rule
// and the field). One store per app, made on first use.
import { EngineReadStore } from '../../model/observable.js';
import { perApp } from '../../model/per-app.js';
import type { AppModel } from '../../model/app-model.js';
import type { ControlClient } from '../../api/control-client.js';
import type { Rule, RulesState } from '../../api/wire.js';

export class RulesStore extends EngineReadStore {
  state: RulesState | undefined;

  constructor(private readonly client: ControlClient) {
    super();
    // The file changed on disk (or another window saved): what the view shows is read again.
    client.onEvents((events) => {
      if (this.state && events.some((e) => e.kind === 'rules')) void this.load();
    });
  }

  load(): Promise<void> {
    return this.readFrom(this.client.request('getRules', {}), (state) => { this.state = state; });
  }

  /** Saves the whole list; rejects with the engine's words for what is wrong. */
  async save(rules: Rule[]): Promise<void> {
    this.state = await this.client.request('setRules', { rules });
    this.changed();
  }
}

export const rulesStoreOf = perApp((app: AppModel) => new RulesStore(app.client));
