// The status bar: the link to the engine, the session's size, engine errors, the disk budget.
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { count } from '../format.js';
import { formatBytes } from '../../protocol/bytes.js';

export function StatusBar() {
  const { session, connections, view, errorLog } = useApp();
  useStore(session);
  useStore(errorLog);
  const errors = errorLog.total;
  const unseen = errorLog.unseen;
  useStore(connections);
  const link = session.link === 'open' ? 'Connected to the engine' : session.link === 'connecting' ? 'Connecting to the engine…' : 'The engine is not reachable; retrying…';
  const frames = connections.totalFrames;
  return (
    <footer className="statusbar">
      <span className={`status-link status-${session.link}`}><span className={`dot ${session.link === 'open' ? 'dot-ok' : 'dot-bad'}`} />{link}</span>
      {session.versionMismatch !== undefined ? <span className="status-warn">The engine speaks API version {session.versionMismatch}; this UI expects 1</span> : null}
      <span>{count(connections.size)} connection{connections.size === 1 ? '' : 's'}</span>
      <span>{count(frames)} frames</span>
      {session.session ? (
        <span className="status-size" data-session-size={session.session.size} title={`Session “${session.session.name}” on disk: ${count(session.session.size)} bytes${session.session.live ? ' (grows while it records)' : ''}`}>
          {formatBytes(session.session.size)} on disk
        </span>
      ) : null}
      {session.budget ? (
        <span className="status-warn">
          Disk budget {session.budget.level === 'reached' ? 'reached: payloads are no longer stored' : 'at 80%'} ({formatBytes(session.budget.usage)} of {formatBytes(session.budget.budget)})
        </span>
      ) : null}
      <span className="status-spacer" />
      <button
        className={`status-errors ${unseen > 0 ? 'has-errors' : ''}`}
        data-testid="error-badge"
        onClick={() => view.open('errors')}
        disabled={errors === 0 && errorLog.mutedGroups.length === 0}
        title={errorLog.mutedGroups.length > 0 ? `${count(errorLog.mutedGroups.length)} muted kind${errorLog.mutedGroups.length === 1 ? '' : 's'} of error not counted` : undefined}
      >
        {errors === 0 ? 'No errors' : `${count(errors)} error${errors === 1 ? '' : 's'}${unseen > 0 ? ` (${count(unseen)} new)` : ''}`}
      </button>
      <span className="status-keys">↑↓ frames · Enter detail · {navigator.platform.startsWith('Mac') ? '⌘' : 'Ctrl'}+F search</span>
    </footer>
  );
}
