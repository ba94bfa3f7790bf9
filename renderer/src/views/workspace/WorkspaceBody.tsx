// The main area for workspaces other than traffic.
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { SettingsView } from '../settings/SettingsView.js';
import { CompareView } from '../compare/CompareView.js';
import { SearchView } from '../search/SearchView.js';
import { RulesView } from '../rules/RulesView.js';

export function WorkspaceBody() {
  const { workspace } = useApp();
  useStore(workspace);
  switch (workspace.current) {
    case 'settings': return <SettingsView />;
    case 'compare': return <CompareView />;
    case 'search': return <SearchView />;
    case 'rules': return <RulesView />;
    default: return null;
  }
}
