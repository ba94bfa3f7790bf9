// The selected connection: its tabs (frames, handshake, composer) and the intercept queue, with the
// connection's own actions on the right of the tab bar.
import type { ReactNode } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { Tabs } from '../common/Tabs.js';
import { Icon } from '../common/Icon.js';
import { Menu } from '../common/Menu.js';
import { compareWith } from '../compare/compare-actions.js';
import { FramesTab } from '../frames/FramesTab.js';
import { HandshakeTab } from '../handshake/HandshakeTab.js';
import { ComposerTab } from '../composer/ComposerTab.js';
import { InterceptTab } from '../intercept/InterceptTab.js';
import { exportHarFile } from '../session-actions.js';
import { copyConnectionScript } from './connection-script.js';
import type { MainTab } from '../../model/view-store.js';
import { StatusBadge } from './ConnectionsList.js';
import { mockConnection } from '../mock/mocks-store.js';

export function ConnectionPanel() {
  const app = useApp();
  const { connections, view, intercept } = app;
  // Its identity and state, not its counts: the tabs below follow their own stores.
  useStore(connections.selection);
  useStore(view);
  useStore(intercept);
  const row = connections.get(connections.selectedId);
  const live = row !== undefined && (row.state === 'open' || row.state === 'closing');

  const reset = () => {
    if (!row) return;
    app.client.request('closeConnection', { connectionId: row.id, mode: 'abrupt', toward: 'both' })
      .then(() => view.notify(`Connection #${row.id} reset`), (e: Error) => view.notify(e.message, 'error'));
  };

  const tabs: { id: MainTab; label: ReactNode }[] = [
    { id: 'frames', label: 'Frames' },
    { id: 'handshake', label: 'Handshake' },
    { id: 'composer', label: 'Composer' },
    { id: 'intercept', label: <>Intercept{intercept.held.length > 0 ? <span className="count-badge">{intercept.held.length}</span> : null}</> },
  ];

  return (
    <section className="connection-panel" aria-label="Selected connection">
      <Tabs
        tabs={tabs}
        active={view.tab}
        onChange={(t) => view.setTab(t)}
        className="main-tabs"
        trailing={row ? (
          <div className="connection-heading">
            <span className="muted">#{row.id}</span>
            <StatusBadge row={row} />
            <span className="connection-url" title={row.url}>{row.url}</span>
            <Menu
              label="Actions"
              items={[
                { label: 'Export this connection as HAR', onSelect: () => void exportHarFile(app, [row.id]) },
                { label: 'Copy as JavaScript script (ws)', onSelect: () => void copyConnectionScript(app, row.id, 'javascript') },
                { label: 'Copy as Python script (websockets)', onSelect: () => void copyConnectionScript(app, row.id, 'python') },
                { label: 'Replay…', onSelect: () => view.open('replay'), disabled: row.state === 'failed' },
                { label: 'Compare with…', onSelect: () => compareWith(app, row.id) },
                { label: 'Mock this connection', onSelect: () => mockConnection(app, row.id), disabled: row.httpStatus !== 101 },
                { label: 'Close…', onSelect: () => view.open('close-connection'), disabled: !live, separator: true },
                { label: 'Reset (drop TCP)', onSelect: reset, disabled: !live },
              ]}
            />
          </div>
        ) : null}
      />
      <div className="tab-body">
        {view.tab === 'intercept' ? <InterceptTab /> : !row ? (
          <div className="empty-state"><Icon name="info" size={28} /><p>Select a connection to see its frames and handshake.</p></div>
        ) : view.tab === 'frames' ? <FramesTab key={row.id} /> : view.tab === 'handshake' ? <HandshakeTab /> : <ComposerTab />}
      </div>
    </section>
  );
}
