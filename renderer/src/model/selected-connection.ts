// The selected connection's identity and life (id, URL, state), apart from its counts: views that
// show what it is and whether it is live re-render when that changes, not on every frame it carries.
import type { ConnectionRow } from './connection-row.js';
import { Observable } from './observable.js';

export class SelectedConnection extends Observable {
  private key = '';

  /** Called with the selected row whenever the list changed; tells the views only when what they show did. */
  update(row: ConnectionRow | undefined, selectedId: number | undefined): void {
    const key = row ? JSON.stringify([row.id, row.url, row.state, row.httpStatus, row.startedAt, row.endedAt, row.messagesOnly, row.closeCode]) : String(selectedId);
    if (key === this.key) return;
    this.key = key;
    this.changed();
  }
}
