// Opening a search hit: its session (browsed if it is not already), its connection selected and the
// frame (or, for a connection kept as messages only, the message) revealed in the traffic list.
import type { AppModel } from '../../model/app-model.js';
import type { SessionSearchHit } from '../../api/wire.js';

export async function openHit(app: AppModel, hit: SessionSearchHit): Promise<void> {
  if (app.session.session?.name !== hit.session) await app.session.openSession(hit.session);
  await app.connections.initialized;
  app.workspace.show('traffic');
  app.view.setTab('frames');
  app.connections.select(hit.connectionId);
  const row = app.connections.get(hit.connectionId);
  if (row?.messagesOnly && hit.message !== undefined) app.view.revealMessage(hit.message);
  else if (hit.frame >= 0) app.view.revealFrame(hit.frame);
}
