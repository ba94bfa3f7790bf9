// The engine's error log, grouped by kind and host: how many, when last, the latest lines, and what
// the user can do. A group can be muted (kept across runs): a browser's background TLS traffic, say.
// Opening the log clears the status bar's badge; errors that arrive while it is open are seen.
import { useEffect } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { Modal } from '../common/Modal.js';
import { Icon } from '../common/Icon.js';
import { clockTime, count, dateTime } from '../format.js';
import { KIND_ADVICE, KIND_LABELS, isBackgroundHost } from '../../model/error-kinds.js';
import type { ErrorGroup } from '../../model/error-log-store.js';
import './errors-dialog.css';

export function ErrorsDialog({ onClose }: { onClose: () => void }) {
  const { errorLog } = useApp();
  useStore(errorLog);
  useEffect(() => {
    errorLog.setViewing(true);
    return () => errorLog.setViewing(false);
  }, [errorLog]);
  const shown = errorLog.shown;
  const muted = errorLog.mutedGroups;
  return (
    <Modal title="Engine errors" onClose={onClose} wide>
      {shown.length === 0 ? <p className="muted">{muted.length > 0 ? 'No errors, apart from the muted ones below.' : 'No errors.'}</p> : (
        <div className="error-groups">
          {shown.map((g) => <ErrorGroupView key={g.key} group={g} onClose={onClose} />)}
        </div>
      )}
      {muted.length > 0 ? (
        <details className="muted-errors" data-testid="muted-errors">
          <summary>{count(muted.length)} muted ({count(muted.reduce((n, g) => n + g.count, 0))} errors)</summary>
          {muted.map((g) => (
            <div className="muted-error" key={g.key} data-error-group={g.key}>
              <span>{KIND_LABELS[g.kind]}{g.host ? <> · <code>{g.host}</code></> : null} · {count(g.count)}×</span>
              <button className="link-button" onClick={() => errorLog.unmute(g.key)}>Unmute</button>
            </div>
          ))}
        </details>
      ) : null}
    </Modal>
  );
}

function ErrorGroupView({ group: g, onClose }: { group: ErrorGroup; onClose: () => void }) {
  const { errorLog, connections } = useApp();
  const latest = g.samples[0]!;
  const background = g.host !== '' && isBackgroundHost(g.host);
  return (
    <section className={`error-group kind-${g.kind}`} data-error-group={g.key}>
      <div className="error-group-head">
        <Icon name="warning" size={14} />
        <strong>{KIND_LABELS[g.kind]}</strong>
        {g.host ? <code className="error-host">{g.host}</code> : null}
        <span className="error-count" title={`${count(g.count)} since Framescope started`}>{count(g.count)}×</span>
        <span className="muted" title={dateTime(g.last)}>last {clockTime(g.last)}</span>
        <span className="toolbar-spacer" />
        <button className="button" onClick={() => errorLog.mute(g.key)} title={`Hide ${g.host ? `this kind of error for ${g.host}` : 'this kind of error'} from the log and the badge (kept across runs)`}>
          Mute{g.host ? ' host' : ''}
        </button>
      </div>
      {KIND_ADVICE[g.kind] ? <p className="error-advice">{KIND_ADVICE[g.kind]}</p> : null}
      {background ? <p className="error-advice muted">{g.host} is a host browsers reach on their own (updates, safe browsing): probably background traffic, not your app.</p> : null}
      <div className="error-line">
        {latest.connectionId !== undefined ? <button className="link-button" onClick={() => { connections.select(latest.connectionId); onClose(); }}>#{latest.connectionId}</button> : null} <span className="error-message">{latest.message}</span>
      </div>
      {g.samples.length > 1 ? (
        <details className="error-samples">
          <summary>Latest {g.samples.length}</summary>
          {g.samples.map((s, i) => <div key={i} className="error-line"><span className="muted">{clockTime(s.time)}</span> {s.message}</div>)}
        </details>
      ) : null}
    </section>
  );
}
