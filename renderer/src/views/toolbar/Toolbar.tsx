// The toolbar: proxy status with how to connect, recording, breakpoints, the session menu, the theme.
import iconUrl from '../../../../build/icon.svg';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { Icon } from '../common/Icon.js';
import { Menu } from '../common/Menu.js';
import { exportHarFile, exportPcapngFile, importCaptureFile, importHarFile } from '../session-actions.js';
import { WorkspaceNav } from '../workspace/WorkspaceNav.js';
import { LiveBadge } from './LiveBadge.js';
import { RecordPolicyBadge } from './RecordPolicyBadge.js';
import { RecordPolicyControl } from './RecordPolicyControl.js';

export function Toolbar() {
  const app = useApp();
  const { session, intercept, settings, view } = app;
  useStore(session);
  useStore(intercept);
  useStore(settings);
  const proxy = session.proxy;
  const held = intercept.held.length;

  return (
    <header className="toolbar">
      <div className="brand">
        <img className="brand-mark" src={iconUrl} alt="" />
        <span>Framescope</span>
      </div>

      <button className="proxy-status button" onClick={() => view.open('connect-help')} title="How to connect clients to the proxy">
        <span className={`dot ${session.link === 'open' ? 'dot-ok' : 'dot-bad'}`} />
        <span className="proxy-label">Proxy</span>
        <code>{proxy?.address ?? '…'}</code>
        <span className="tag">{proxy?.mode === 'reverse' ? `reverse → ${proxy.upstream ?? ''}` : 'explicit'}</span>
        <span className="link-text">How to connect</span>
      </button>

      <div className="toolbar-group">
        <button
          className={`button toggle ${session.recording ? 'toggle-rec' : ''}`}
          aria-pressed={session.recording}
          onClick={() => void session.setRecording(!session.recording).catch((e: Error) => view.notify(e.message, 'error'))}
          title={session.recording ? 'Recording: click to pause' : 'Paused: click to record'}
        >
          <Icon name={session.recording ? 'record' : 'pause'} size={14} />
          {session.recording ? 'Recording' : 'Paused'}
        </button>
        <RecordPolicyControl />
        <button
          className={`button toggle ${intercept.enabled && intercept.rules.some((r) => r.enabled) ? 'toggle-on' : ''}`}
          aria-pressed={intercept.enabled}
          disabled={intercept.unavailable !== undefined}
          onClick={() => void intercept.setEnabled(!intercept.enabled)}
          title={intercept.unavailable ? `Breakpoints are not available: ${intercept.unavailable}` : intercept.enabled ? 'Breakpoints on: click to let everything through' : 'Breakpoints off: click to hold matching traffic'}
        >
          <Icon name="breakpoint" size={14} />
          Breakpoints {intercept.enabled ? 'on' : 'off'}
        </button>
        {held > 0 ? (
          <button className="button held-badge" onClick={() => view.setTab('intercept')} title="Messages held by breakpoints">
            {held} held
          </button>
        ) : null}
      </div>

      <div className="toolbar-group">
        <Menu
          label={<><Icon name="folder" size={14} /> <span className="session-name">{session.session?.name ?? 'Session'}</span>{session.session && !session.session.live ? <span className="tag">saved</span> : null}</>}
          title="Session"
          ariaLabel={`Session ${session.session?.name ?? ''}`.trim()}
          items={[
            { label: 'New session…', onSelect: () => view.open('new-session') },
            { label: 'Open session…', onSelect: () => view.open('open-session') },
            { label: 'Save session as…', onSelect: () => view.open('save-session'), disabled: !session.session?.live },
            { label: 'Import HAR…', onSelect: () => void importHarFile(app), separator: true },
            { label: 'Export HAR', onSelect: () => void exportHarFile(app) },
            { label: 'Open capture (pcap, pcapng)…', onSelect: () => void importCaptureFile(app), separator: true },
            { label: 'Export pcapng', onSelect: () => void exportPcapngFile(app) },
            { label: 'Export pcapng, both legs', onSelect: () => void exportPcapngFile(app, 'both') },
          ]}
        />
        <RecordPolicyBadge />
        <LiveBadge />
      </div>

      <div className="toolbar-spacer" />
      <WorkspaceNav />
      <button className="button" onClick={() => view.open('open-client')} title="Open a WebSocket connection from Framescope (client mode)">
        <Icon name="plus" size={14} /> New connection
      </button>
      <button
        className="icon-button"
        onClick={() => settings.setTheme(settings.theme === 'dark' ? 'light' : 'dark')}
        title={settings.theme === 'dark' ? 'Light theme' : 'Dark theme'}
        aria-label="Toggle theme"
      >
        <Icon name={settings.theme === 'dark' ? 'sun' : 'moon'} />
      </button>
    </header>
  );
}
