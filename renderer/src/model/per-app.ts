// Stores a view makes only when it is first used, one per app (the Rules view's, the mocks bar's).
import type { AppModel } from './app-model.js';

/** A getter that makes the app's instance on first use and gives the same one after. */
export function perApp<T extends object>(make: (app: AppModel) => T): (app: AppModel) => T {
  const made = new WeakMap<AppModel, T>();
  return (app) => {
    let value = made.get(app);
    if (!value) {
      value = make(app);
      made.set(app, value);
    }
    return value;
  };
}
