// The main area for workspaces other than traffic.
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { SettingsView } from '../settings/SettingsView.js';

export function WorkspaceBody() {
  const { workspace } = useApp();
  useStore(workspace);
  switch (workspace.current) {
    case 'settings': return <SettingsView />;
    default: return null;
  }
}
