// Sessions: start a new one, open a saved one (or delete it), save the live one under a name.
import { useEffect, useState } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { Modal } from '../common/Modal.js';
import { count, dateTime } from '../format.js';
import { formatBytes } from '../../protocol/bytes.js';
import type { SessionInfo } from '../../api/wire.js';
import { newSession } from '../session-actions.js';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}$/;

export function OpenSessionDialog({ onClose }: { onClose: () => void }) {
  const { session, view } = useApp();
  const [list, setList] = useState<SessionInfo[]>();
  const [error, setError] = useState<string>();
  const reload = () => session.listSessions().then((l) => setList(l.sort((a, b) => b.modifiedAt - a.modifiedAt)), (e: Error) => setError(e.message));
  useEffect(() => void reload(), []);
  const open = (name: string) => session.openSession(name).then(() => {
    view.notify(`Opened ${name}`);
    onClose();
  }, (e: Error) => setError(e.message));
  return (
    <Modal title="Open session" onClose={onClose} wide>
      {error ? <p className="error-text">{error}</p> : null}
      {!list ? <p className="muted">Reading sessions…</p> : list.length === 0 ? <p className="muted">No saved sessions.</p> : (
        <table className="sessions-table">
          <thead><tr><th>Name</th><th className="num">Connections</th><th className="num">Frames</th><th className="num">Size</th><th>Changed</th><th /></tr></thead>
          <tbody>
            {list.map((s) => (
              <tr key={s.name} className={s.name === session.session?.name ? 'current' : ''}>
                <td><button className="link-button" onClick={() => void open(s.name)}>{s.name}</button>{s.live ? <span className="tag">recording</span> : null}</td>
                <td className="num">{count(s.connections)}</td>
                <td className="num">{count(s.frames)}</td>
                <td className="num">{formatBytes(s.size)}</td>
                <td>{dateTime(s.modifiedAt)}</td>
                <td className="row-actions">
                  <button className="button" onClick={() => void open(s.name)}>Open</button>
                  <button className="button danger" disabled={s.live} title={s.live ? 'The session being recorded cannot be deleted' : undefined} onClick={() => {
                    if (window.confirm(`Delete the session "${s.name}"? Its capture file is removed.`)) void session.deleteSession(s.name).then(reload, (e: Error) => setError(e.message));
                  }}>Delete</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Modal>
  );
}

export function SaveSessionDialog({ onClose }: { onClose: () => void }) {
  const { session, view } = useApp();
  useStore(session);
  const [name, setName] = useState(session.session?.name ?? '');
  const [error, setError] = useState<string>();
  const valid = NAME_PATTERN.test(name) && !name.endsWith('.');
  const save = () => session.saveSession(name).then(() => {
    view.notify(`Saved as ${name}; recording continues into it`);
    onClose();
  }, (e: Error) => setError(e.message));
  return (
    <Modal title="Save session as" onClose={onClose} actions={<><button className="button" onClick={onClose}>Cancel</button><button className="button primary" disabled={!valid} onClick={() => void save()}>Save</button></>}>
      <p className="muted">The live session gets this name and keeps recording under it.</p>
      <input className="wide-input" value={name} onChange={(e) => setName(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && valid && void save()} aria-label="Session name" />
      {!valid && name !== '' ? <p className="error-text small">Letters, digits, space, dot, dash and underscore; starting with a letter or digit.</p> : null}
      {error ? <p className="error-text small">{error}</p> : null}
    </Modal>
  );
}

export function NewSessionDialog({ onClose }: { onClose: () => void }) {
  const app = useApp();
  const [name, setName] = useState('');
  const valid = name === '' || (NAME_PATTERN.test(name) && !name.endsWith('.'));
  const start = () => void newSession(app, name || undefined).then(onClose);
  return (
    <Modal title="New session" onClose={onClose} actions={<><button className="button" onClick={onClose}>Cancel</button><button className="button primary" disabled={!valid} onClick={start}>Start</button></>}>
      <p className="muted">Recording continues into a fresh session; the current one stays saved.</p>
      <input className="wide-input" value={name} placeholder="Name (default: the date and time)" onChange={(e) => setName(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && valid && start()} aria-label="Session name" />
      {!valid ? <p className="error-text small">Letters, digits, space, dot, dash and underscore; starting with a letter or digit.</p> : null}
    </Modal>
  );
}
