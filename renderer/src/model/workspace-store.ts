// Which workspace the window shows: the live traffic, the comparison of two connections, search
// across sessions, or the settings. Kept apart from ViewStore, which is about the traffic workspace.
import { Observable } from './observable.js';

export type Workspace = 'traffic' | 'compare' | 'search' | 'settings' | 'rules';

export class WorkspaceStore extends Observable {
  current: Workspace = 'traffic';
  readonly initialized = Promise.resolve();

  show(workspace: Workspace): void {
    if (workspace === this.current) return;
    this.current = workspace;
    this.changed();
  }
}
