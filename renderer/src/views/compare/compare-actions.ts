// "Compare with…" from a connection's actions: the Compare workspace with that connection on the
// left and, on the right, the newest other connection to the same URL (its replay, typically).
import type { AppModel } from '../../model/app-model.js';

export function compareWith(app: AppModel, connectionId: number): void {
  const browsed = app.session.session?.name;
  if (!browsed) return;
  app.workspace.show('compare');
  app.compare.startWith(browsed, connectionId).catch((e: Error) => app.view.notify(e.message, 'error'));
}
