// Replay a recorded connection: what the server received (by default) or what the client sent, fast or
// with the original timing, against its URL or another; the server's answers are compared with the
// original's, side by side, and every replay of the connection stays in its history.
import { useCallback, useEffect, useState } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { Modal } from '../common/Modal.js';
import { Segmented } from '../common/Tabs.js';
import type { ControlEvent, ReplayComparison, ReplayRecord } from '../../api/wire.js';
import { ComparisonTable } from './ComparisonTable.js';
import { ReplayHistory } from './ReplayHistory.js';

export function ReplayDialog({ onClose }: { onClose: () => void }) {
  const { client, connections, view } = useApp();
  useStore(connections);
  const row = connections.get(connections.selectedId);
  const [timing, setTiming] = useState<'fast' | 'original'>('fast');
  const [source, setSource] = useState<'received' | 'sent'>('received');
  const [speed, setSpeed] = useState('1');
  const [target, setTarget] = useState('');
  const [running, setRunning] = useState<number>();
  const [comparison, setComparison] = useState<ReplayComparison>();
  const [history, setHistory] = useState<ReplayRecord[]>([]);
  const [error, setError] = useState<string>();
  const rowId = row?.id;

  const loadHistory = useCallback(() => {
    if (rowId === undefined) return;
    client.request('listReplays', { connectionId: rowId }).then(setHistory, (e: Error) => setError(e.message));
  }, [client, rowId]);
  useEffect(loadHistory, [loadHistory]);

  useEffect(() => client.onEvents((events: ControlEvent[]) => {
    for (const e of events) {
      if (e.kind !== 'replay-done' || e.comparison.originalId !== rowId) continue;
      if (e.comparison.replayId === running) {
        setComparison(e.comparison);
        setRunning(undefined);
      }
      loadHistory();
    }
  }), [client, running, rowId, loadHistory]);

  if (!row) return null;
  const start = () => {
    setError(undefined);
    client.request('replay', { connectionId: row.id, timing, source, ...(timing === 'original' ? { speed: Number(speed) || 1 } : {}), ...(target ? { targetUrl: target } : {}) })
      .then(({ connectionId }) => {
        setRunning(connectionId);
        setComparison(undefined);
        loadHistory();
        view.notify(`Replaying #${row.id} as #${connectionId}`);
      }, (e: Error) => setError(e.message));
  };
  const show = (replayId: number) => {
    const found = history.find((h) => h.replayId === replayId);
    if (found) setComparison(found.comparison);
  };
  return (
    <Modal title={`Replay connection #${row.id}`} onClose={onClose} wide actions={<><button className="button" onClick={onClose}>Close</button><button className="button primary" disabled={running !== undefined} onClick={start}>Replay</button></>}>
      <p className="muted">Opens a new connection like <code>{row.url}</code> and sends its client messages again; the server's answers are compared with the original's (messages Framescope injected toward the client are not answers).</p>
      <div className="field-grid">
        <label>Send</label>
        <Segmented<'received' | 'sent'> label="Send" value={source} onChange={setSource} options={[{ value: 'received', label: 'What the server received' }, { value: 'sent', label: 'As the client sent' }]} />
        <span />
        <span className="muted small">{source === 'received' ? 'Messages dropped at a breakpoint are left out; edited ones go as edited.' : 'The client\'s messages before breakpoints changed them: dropped and replaced ones included.'}</span>
        <label>Timing</label>
        <Segmented<'fast' | 'original'> label="Timing" value={timing} onChange={setTiming} options={[{ value: 'fast', label: 'As fast as possible' }, { value: 'original', label: 'Original timing' }]} />
        {timing === 'original' ? <><label htmlFor="replay-speed">Speed</label><input id="replay-speed" value={speed} onChange={(e) => setSpeed(e.target.value)} inputMode="decimal" /></> : null}
        <label htmlFor="replay-target">Target URL</label>
        <input id="replay-target" value={target} onChange={(e) => setTarget(e.target.value)} placeholder={row.url} spellCheck={false} />
      </div>
      {error ? <p className="error-text small">{error}</p> : null}
      {running !== undefined ? <p className="muted">Replaying as #{running}… <button className="link-button" onClick={() => { connections.select(running); onClose(); }}>Show it</button></p> : null}
      <div className="replay-panes">
        <section className="replay-history-pane">
          <h3>History</h3>
          <ReplayHistory history={history} selected={comparison?.replayId} onSelect={show} />
        </section>
        <section className="replay-comparison-pane">
          {comparison ? (
            <>
              <div className="replay-result">
                <p data-testid="replay-summary">
                  <strong>{comparison.same}</strong> same · <strong>{comparison.different}</strong> different · <strong>{comparison.missing}</strong> missing · <strong>{comparison.extra}</strong> extra
                </p>
                <button className="link-button" onClick={() => { connections.select(comparison.replayId); onClose(); }}>Show #{comparison.replayId}</button>
              </div>
              <ComparisonTable key={comparison.replayId} comparison={comparison} />
            </>
          ) : <p className="muted small">Replay, or pick one from the history, to compare its answers.</p>}
        </section>
      </div>
    </Modal>
  );
}
