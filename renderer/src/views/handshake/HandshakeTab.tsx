// The opening handshake (RFC 6455 §4): request and response as they crossed the wire, each check as
// a clear pass or fail, and what was negotiated: Accept against its expected value, subprotocol,
// extensions with their parameters.
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { Icon } from '../common/Icon.js';
import { copyText } from '../clipboard.js';
import { dateTime, duration } from '../format.js';
import { headerValues, splitExtensions, splitProtocols } from '../../protocol/extensions.js';
import { base64ToBytes, decodeUtf8 } from '../../protocol/bytes.js';
import type { ConnectionDetail } from '../../api/wire.js';
import { StatusBadge } from '../connections/ConnectionsList.js';
import { AnnotationEditor } from '../frames/AnnotationEditor.js';

export function HandshakeTab() {
  const { connectionDetail, view } = useApp();
  useStore(connectionDetail);
  const d = connectionDetail.detail;
  if (!d) return <div className="empty-state"><p>{connectionDetail.error ?? 'Loading the handshake…'}</p></div>;

  const requestText = requestHead(d.editedRequest ?? d.request);
  const originalText = d.editedRequest ? requestHead(d.request) : undefined;
  const responseText = responseHead(d);
  const copy = (text: string, what: string) => void copyText(text).then(() => view.notify(`Copied the ${what}`));

  return (
    <div className="handshake">
      <section className="hs-summary">
        <div className="hs-url"><StatusBadge row={{ state: d.state, httpStatus: d.status }} /> <code>{d.url}</code></div>
        <AnnotationEditor connectionId={d.id} target="connection" number={0} />
        <dl className="facts">
          <dt>Client</dt><dd><code>{d.clientAddress}</code></dd>
          <dt>Server</dt><dd><code>{d.serverAddress ?? '—'}</code></dd>
          <dt>Requested</dt><dd>{dateTime(d.request.time)}</dd>
          <dt>Answered</dt><dd>{d.response ? `${dateTime(d.response.time)} (${duration(d.response.time - d.request.time)})` : '—'}</dd>
          {d.tls ? <><dt>Upstream TLS</dt><dd>{d.tls.verified ? 'certificate verified' : `not verified${d.tls.error ? `: ${d.tls.error}` : ''}`}{d.tls.insecure ? ' (verification off)' : ''}</dd></> : null}
          {d.error ? <><dt>Error</dt><dd className="error-text">{d.error}</dd></> : null}
        </dl>
      </section>

      <div className="hs-heads">
        <section className="hs-head">
          <div className="section-bar">
            <h3>Request{originalText !== undefined ? ' sent upstream' : ''}</h3>
            {originalText !== undefined ? <span className="mark mark-edited" data-testid="handshake-edited" title="Edited at a handshake breakpoint">edited</span> : null}
            <button className="icon-button" title="Copy the request" onClick={() => copy(requestText, 'request')}><Icon name="copy" size={14} /></button>
          </div>
          <pre className="wire-text" data-testid="handshake-request">{requestText}</pre>
          {originalText !== undefined ? (
            <>
              <div className="section-bar"><h3>Original request from the client</h3><button className="icon-button" title="Copy the original request" onClick={() => copy(originalText, 'original request')}><Icon name="copy" size={14} /></button></div>
              <pre className="wire-text" data-testid="handshake-original-request">{originalText}</pre>
            </>
          ) : null}
        </section>
        <section className="hs-head">
          <div className="section-bar"><h3>Response</h3>{d.response ? <button className="icon-button" title="Copy the response" onClick={() => copy(responseText, 'response')}><Icon name="copy" size={14} /></button> : null}</div>
          {d.response ? <pre className="wire-text" data-testid="handshake-response">{responseText}</pre> : <p className="muted">No response{d.error ? `: ${d.error}` : ' yet'}.</p>}
        </section>
      </div>

      <section>
        <div className="section-bar"><h3>Negotiation</h3></div>
        <Negotiation d={d} />
      </section>

      <section>
        <div className="section-bar"><h3>Checks</h3><span className="muted">{d.checks.filter((c) => c.ok).length} of {d.checks.length} passed</span></div>
        <table className="checks">
          <tbody>
            {d.checks.map((c) => (
              <tr key={c.id} className={c.ok ? 'pass' : 'fail'} data-check={c.id} data-ok={c.ok}>
                <td className="check-icon">{c.ok ? <Icon name="check" size={14} title="pass" /> : <Icon name="cross" size={14} title="fail" />}</td>
                <td className="check-result">{c.ok ? 'Pass' : 'Fail'}</td>
                <td><code>{c.id}</code></td>
                <td>{c.message}</td>
                <td className="rfc">{c.rfc}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

function Negotiation({ d }: { d: ConnectionDetail }) {
  const req = d.request.rawHeaders;
  const res = d.response?.rawHeaders ?? [];
  const accept = headerValues(res, 'sec-websocket-accept');
  const offeredProtocols = headerValues(req, 'sec-websocket-protocol').flatMap(splitProtocols);
  const chosenProtocol = headerValues(res, 'sec-websocket-protocol').join(', ');
  const offeredExtensions = headerValues(req, 'sec-websocket-extensions').flatMap(splitExtensions);
  const acceptedExtensions = headerValues(res, 'sec-websocket-extensions').flatMap(splitExtensions);
  const acceptOk = d.expectedAccept !== undefined && accept.length === 1 && accept[0] === d.expectedAccept;
  return (
    <table className="kv-table negotiation">
      <tbody>
        <tr data-negotiation="accept">
          <th>Sec-WebSocket-Accept</th>
          <td>
            <div><span className="muted">expected</span> <code>{d.expectedAccept ?? '(no single Sec-WebSocket-Key sent)'}</code></div>
            <div><span className="muted">received</span> <code>{accept.length ? accept.join(', ') : '—'}</code> {d.response ? <Verdict ok={acceptOk} /> : null}</div>
          </td>
        </tr>
        <tr data-negotiation="protocol">
          <th>Subprotocol</th>
          <td>
            <div><span className="muted">offered</span> {offeredProtocols.length ? offeredProtocols.map((p) => <code key={p} className="chip">{p}</code>) : <span className="muted">none</span>}</div>
            <div><span className="muted">chosen</span> {chosenProtocol ? <code className="chip">{chosenProtocol}</code> : <span className="muted">none</span>}{d.response ? <> <Verdict ok={d.checks.find((c) => c.id === 'protocol-offered')?.ok ?? true} /></> : null}</div>
          </td>
        </tr>
        <tr data-negotiation="extensions">
          <th>Extensions</th>
          <td>
            <ExtensionList label="offered" list={offeredExtensions} />
            <ExtensionList label="accepted" list={acceptedExtensions} verdict={d.response ? d.checks.find((c) => c.id === 'extensions-offered')?.ok ?? true : undefined} />
          </td>
        </tr>
      </tbody>
    </table>
  );
}

function ExtensionList({ label, list, verdict }: { label: string; list: ReturnType<typeof splitExtensions>; verdict?: boolean }) {
  return (
    <div className="extension-list">
      <span className="muted">{label}</span>{' '}
      {list.length === 0 ? <span className="muted">none</span> : list.map((e, i) => (
        <span key={i} className="extension">
          <code className="chip">{e.name}</code>
          {e.params.map((p) => <code key={p.name} className="param">{p.name}{p.value !== null ? `=${p.value}` : ''}</code>)}
        </span>
      ))}
      {verdict !== undefined ? <> <Verdict ok={verdict} /></> : null}
    </div>
  );
}

function Verdict({ ok }: { ok: boolean }) {
  return <span className={`verdict ${ok ? 'pass' : 'fail'}`}>{ok ? '✓ pass' : '✗ fail'}</span>;
}

function requestHead(r: ConnectionDetail['request']): string {
  const lines = [`${r.method} ${r.target} HTTP/${r.httpVersion}`];
  for (let i = 0; i + 1 < r.rawHeaders.length; i += 2) lines.push(`${r.rawHeaders[i]}: ${r.rawHeaders[i + 1]}`);
  return lines.join('\n');
}

function responseHead(d: ConnectionDetail): string {
  const r = d.response;
  if (!r) return '';
  const lines = [`HTTP/${r.httpVersion} ${r.statusCode} ${r.statusMessage}`];
  for (let i = 0; i + 1 < r.rawHeaders.length; i += 2) lines.push(`${r.rawHeaders[i]}: ${r.rawHeaders[i + 1]}`);
  let text = lines.join('\n');
  if (r.bodyBase64) text += `\n\n${decodeUtf8(base64ToBytes(r.bodyBase64)).text}`;
  return text;
}
