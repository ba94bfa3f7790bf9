// The rules in force (getRules/setRules): the Rules view reads them when it opens and saves the whole
// list on every change; the engine checks, writes and applies it, or answers what is wrong (the rule
// and the field). One store per app, made on first use.
import { Observable } from '../../model/observable.js';
import type { AppModel } from '../../model/app-model.js';
import type { ControlClient } from '../../api/control-client.js';
import type { Rule, RulesState } from '../../api/wire.js';

export class RulesStore extends Observable {
  state: RulesState | undefined;
  /** Why the rules could not be read. */
  unavailable: string | undefined;

  constructor(private readonly client: ControlClient) {
    super();
  }

  load(): Promise<void> {
    return this.client.request('getRules', {}).then(
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
  }

  /** Saves the whole list; rejects with the engine's words for what is wrong. */
  async save(rules: Rule[]): Promise<void> {
    this.state = await this.client.request('setRules', { rules });
    this.changed();
  }
}

const stores = new WeakMap<AppModel, RulesStore>();

export function rulesStoreOf(app: AppModel): RulesStore {
  let store = stores.get(app);
  if (!store) {
    store = new RulesStore(app.client);
    stores.set(app, store);
  }
  return store;
}
