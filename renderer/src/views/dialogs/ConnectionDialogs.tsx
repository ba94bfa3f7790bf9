// Connections Framescope makes itself: a client connection to any URL (client mode; replays are in
// ../replay). And the end of a live one: close frames with the code and reason the user picks, toward
// either peer or both.
import { useState } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { Modal } from '../common/Modal.js';
import { Segmented } from '../common/Tabs.js';
import { SENDABLE_CLOSE_CODES, describeCloseCode } from '../../protocol/close-codes.js';
import { encodeUtf8 } from '../../protocol/bytes.js';

/** A close frame is a control frame: 125 payload bytes at most, 2 of them the code (RFC 6455 §5.5). */
const MAX_CLOSE_REASON_BYTES = 123;

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

export function CloseConnectionDialog({ onClose }: { onClose: () => void }) {
  const { client, connections, view } = useApp();
  useStore(connections);
  const row = connections.get(connections.selectedId);
  const [code, setCode] = useState(1000);
  const [reason, setReason] = useState('');
  const [toward, setToward] = useState<'both' | 'client' | 'server'>('both');
  const [error, setError] = useState<string>();
  if (!row) return null;
  const live = row.state === 'open' || row.state === 'closing';
  const reasonBytes = encodeUtf8(reason).length;
  const close = () => {
    client.request('closeConnection', { connectionId: row.id, mode: 'clean', toward, code, reason }).then(() => {
      view.notify(`Close frame ${code} sent ${toward === 'both' ? 'to both peers' : `to the ${toward}`} of #${row.id}`);
      onClose();
    }, (e: Error) => setError(e.message));
  };
  return (
    <Modal
      title={`Close connection #${row.id}`}
      onClose={onClose}
      actions={<><button className="button" onClick={onClose}>Cancel</button><button className="button primary" disabled={!live || reasonBytes > MAX_CLOSE_REASON_BYTES} onClick={close}>Send close</button></>}
    >
      <p className="muted">Framescope sends a close frame with this code and reason; each peer answers with its own close and the connection ends cleanly (RFC 6455 §7.1.2).</p>
      <div className="field-grid">
        <label htmlFor="close-dialog-code">Code</label>
        <select id="close-dialog-code" value={code} onChange={(e) => setCode(Number(e.target.value))}>
          {SENDABLE_CLOSE_CODES.map((c) => <option key={c} value={c}>{c} {describeCloseCode(c).name}</option>)}
        </select>
        <span />
        <span className="muted small">{describeCloseCode(code).meaning}</span>
        <label htmlFor="close-dialog-reason">Reason</label>
        <input id="close-dialog-reason" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="optional" spellCheck={false} />
        <span />
        <span className={`small ${reasonBytes > MAX_CLOSE_REASON_BYTES ? 'error-text' : 'muted'}`}>{reasonBytes} of {MAX_CLOSE_REASON_BYTES} bytes</span>
        <label>Send to</label>
        <Segmented<'both' | 'client' | 'server'> label="Send to" value={toward} onChange={setToward} options={[{ value: 'both', label: 'Both peers' }, { value: 'client', label: '↓ Client' }, { value: 'server', label: '↑ Server' }]} />
      </div>
      {!live ? <p className="muted small">Connection #{row.id} is {row.state}.</p> : null}
      {error ? <p className="error-text small">{error}</p> : null}
    </Modal>
  );
}
