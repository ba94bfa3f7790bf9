// The window: toolbar, connections list over the selected connection's tabs, status bar, dialogs.
import { useEffect } from 'react';
import { useApp } from './app-context.js';
import { Toolbar } from './toolbar/Toolbar.js';
import { StatusBar } from './toolbar/StatusBar.js';
import { ConnectionsList } from './connections/ConnectionsList.js';
import { ConnectionPanel } from './connections/ConnectionPanel.js';
import { Dialogs } from './dialogs/Dialogs.js';
import { Notices } from './toolbar/Notices.js';
import { RecordingBanner } from './toolbar/RecordingBanner.js';
import { HarJobBar } from './har/HarJobBar.js';
import { MocksBar } from './mock/MocksBar.js';
import { Splitter } from './common/Splitter.js';
import { runMenuCommand } from './session-actions.js';
import { useStore } from './use-store.js';
import { WorkspaceBody } from './workspace/WorkspaceBody.js';

export function App() {
  const app = useApp();
  const { view } = app;
  useStore(app.workspace);

  useEffect(() => window.framescopeDesktop?.onMenu((command) => runMenuCommand(app, command)), [app]);

  useEffect(() => {
    // Ctrl/Cmd+F searches the frames, not the page.
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'f') {
        e.preventDefault();
        view.focusSearch();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [view]);

  return (
    <div className="app">
      <Toolbar />
      <RecordingBanner />
      <MocksBar />
      <div className="main">
        {app.workspace.current === 'traffic'
          ? <Splitter id="connections" direction="column" initial={210} min={96} minSecond={240} first={<ConnectionsList />} second={<ConnectionPanel />} />
          : <WorkspaceBody />}
      </div>
      <StatusBar />
      <Dialogs />
      <Notices />
      <HarJobBar />
    </div>
  );
}
