// Connections Framescope makes itself: a client connection to any URL (client mode), and a replay
// of a recorded connection whose server answers are compared with the original's.
import { useEffect, useState } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { Modal } from '../common/Modal.js';
import { Segmented } from '../common/Tabs.js';
import type { ControlEvent, ReplayComparison } from '../../api/wire.js';

export function OpenClientDialog({ onClose }: { onClose: () => void }) {
  const { client, connections, view } = useApp();
  const [url, setUrl] = useState('ws://');
  const [headers, setHeaders] = useState('');
  const [protocols, setProtocols] = useState('');
  const [error, setError] = useState<string>();
  const open = () => {
    let headerList: [string, string][];
    try {
      headerList = headers.split('\n').filter((l) => l.trim()).map((l) => {
        const colon = l.indexOf(':');
        if (colon <= 0) throw new Error(`not a header line: "${l}"`);
        return [l.slice(0, colon).trim(), l.slice(colon + 1).trim()];
      });
    } catch (e) {
      setError((e as Error).message);
      return;
    }
    const list = protocols.split(',').map((p) => p.trim()).filter(Boolean);
    client.request('openClient', { url, ...(headerList.length ? { headers: headerList } : {}), ...(list.length ? { protocols: list } : {}) }).then(({ connectionId }) => {
      connections.select(connectionId);
      view.setTab('composer');
      onClose();
    }, (e: Error) => setError(e.message));
  };
  return (
    <Modal title="Open a connection" onClose={onClose} actions={<><button className="button" onClick={onClose}>Cancel</button><button className="button primary" disabled={!/^wss?:\/\/./.test(url)} onClick={open}>Connect</button></>}>
      <p className="muted">Framescope connects as a client; the connection is recorded like proxied ones, and the composer sends into it.</p>
      <div className="field-grid">
        <label htmlFor="client-url">URL</label>
        <input id="client-url" className="wide-input" value={url} onChange={(e) => setUrl(e.target.value)} spellCheck={false} />
        <label htmlFor="client-protocols">Subprotocols</label>
        <input id="client-protocols" value={protocols} onChange={(e) => setProtocols(e.target.value)} placeholder="comma-separated, optional" />
        <label htmlFor="client-headers">Headers</label>
        <textarea id="client-headers" rows={3} value={headers} onChange={(e) => setHeaders(e.target.value)} placeholder="Name: value, one per line" spellCheck={false} />
      </div>
      {error ? <p className="error-text small">{error}</p> : null}
    </Modal>
  );
}

export function ReplayDialog({ onClose }: { onClose: () => void }) {
  const { client, connections, view } = useApp();
  useStore(connections);
  const row = connections.get(connections.selectedId);
  const [timing, setTiming] = useState<'fast' | 'original'>('fast');
  const [speed, setSpeed] = useState('1');
  const [target, setTarget] = useState('');
  const [replayId, setReplayId] = useState<number>();
  const [comparison, setComparison] = useState<ReplayComparison>();
  const [error, setError] = useState<string>();

  useEffect(() => client.onEvents((events: ControlEvent[]) => {
    for (const e of events) if (e.kind === 'replay-done' && e.comparison.replayId === replayId) setComparison(e.comparison);
  }), [client, replayId]);

  if (!row) return null;
  const start = () => {
    client.request('replay', { connectionId: row.id, timing, ...(timing === 'original' ? { speed: Number(speed) || 1 } : {}), ...(target ? { targetUrl: target } : {}) })
      .then(({ connectionId }) => {
        setReplayId(connectionId);
        view.notify(`Replaying #${row.id} as #${connectionId}`);
      }, (e: Error) => setError(e.message));
  };
  return (
    <Modal title={`Replay connection #${row.id}`} onClose={onClose} wide actions={<><button className="button" onClick={onClose}>Close</button><button className="button primary" disabled={replayId !== undefined} onClick={start}>Replay</button></>}>
      <p className="muted">Opens a new connection like <code>{row.url}</code> and sends its client messages again; the server's answers are compared with the original's.</p>
      <div className="field-grid">
        <label>Timing</label>
        <Segmented<'fast' | 'original'> label="Timing" value={timing} onChange={setTiming} options={[{ value: 'fast', label: 'As fast as possible' }, { value: 'original', label: 'Original timing' }]} />
        {timing === 'original' ? <><label htmlFor="replay-speed">Speed</label><input id="replay-speed" value={speed} onChange={(e) => setSpeed(e.target.value)} inputMode="decimal" /></> : null}
        <label htmlFor="replay-target">Target URL</label>
        <input id="replay-target" value={target} onChange={(e) => setTarget(e.target.value)} placeholder={row.url} spellCheck={false} />
      </div>
      {error ? <p className="error-text small">{error}</p> : null}
      {replayId !== undefined && !comparison ? <p className="muted">Replaying as #{replayId}… <button className="link-button" onClick={() => { connections.select(replayId); onClose(); }}>Show it</button></p> : null}
      {comparison ? (
        <>
          <p>
            <strong>{comparison.same}</strong> same · <strong>{comparison.different}</strong> different · <strong>{comparison.missing}</strong> missing · <strong>{comparison.extra}</strong> extra
          </p>
          <div className="comparison">
            <table className="kv-table">
              <thead><tr><th>#</th><th>Result</th><th>Original</th><th>Replayed</th></tr></thead>
              <tbody>
                {comparison.rows.map((r) => (
                  <tr key={r.index} className={`cmp-${r.status}`}><td>{r.index}</td><td>{r.status}</td><td><code>{r.original ?? ''}</code></td><td><code>{r.replayed ?? ''}</code></td></tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </Modal>
  );
}
