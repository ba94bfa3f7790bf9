// Switches the window between its workspaces: traffic, compare, search and settings.
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import type { Workspace } from '../../model/workspace-store.js';

const WORKSPACES: { id: Workspace; label: string; title: string }[] = [
  { id: 'traffic', label: 'Traffic', title: 'Connections and their frames' },
  { id: 'compare', label: 'Compare', title: 'Two connections side by side, their messages diffed' },
  { id: 'search', label: 'Search', title: 'Search every connection of this session or of saved sessions' },
  { id: 'rules', label: 'Rules', title: 'Rules that change, delay, drop or answer traffic automatically' },
  { id: 'settings', label: 'Settings', title: 'Ports, upstream, TLS verification, recording' },
];

export function WorkspaceNav() {
  const { workspace } = useApp();
  useStore(workspace);
  return (
    <nav className="segmented workspace-nav" aria-label="Workspace">
      {WORKSPACES.map((w) => (
        <button key={w.id} className={workspace.current === w.id ? 'on' : ''} aria-current={workspace.current === w.id ? 'page' : undefined} title={w.title} onClick={() => workspace.show(w.id)}>
          {w.label}
        </button>
      ))}
    </nav>
  );
}
