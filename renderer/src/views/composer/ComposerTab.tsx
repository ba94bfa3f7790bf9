// The composer: write a message (text, JSON validated, binary as hex or base64) in Monaco, pick the
// direction, or hand-craft a raw frame field by field (malformed ones too), and send it into the
// selected live connection. Resends from a captured message; snippets are kept in localStorage.
import { useState } from 'react';
import { ProtocolComposer } from '../protocol/ProtocolComposer.js';
import '../protocol/protocol.css';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { MonacoEditor } from '../common/MonacoEditor.js';
import { Segmented } from '../common/Tabs.js';
import { Icon } from '../common/Icon.js';
import { formatBytes } from '../../protocol/bytes.js';
import { SENDABLE_CLOSE_CODES, describeCloseCode } from '../../protocol/close-codes.js';
import { opcodeName } from '../../protocol/opcodes.js';
import { looksLikeJson, rawProblem, type ComposerKind, type ContentFormat } from '../../model/composer-store.js';
import type { Direction } from '../../api/wire.js';

export function ComposerTab() {
  const { composer, connections } = useApp();
  useStore(composer);
  useStore(connections);
  const [markers, setMarkers] = useState<string[]>([]);
  const [snippetName, setSnippetName] = useState('');
  const row = connections.get(connections.selectedId);
  const live = row !== undefined && (row.state === 'open' || row.state === 'closing');
  const payload = composer.payload();
  const usesContent = composer.kind !== 'close';
  const problem = composer.kind === 'raw' ? rawProblem(composer.raw) : undefined;
  const canSend = live && !composer.sending && (!usesContent || payload.error === undefined) && problem === undefined;

  return (
    <div className="composer">
      <div className="composer-main">
        {row ? <ProtocolComposer key={row.id} connectionId={row.id} /> : null}
        {composer.resendOf ? (
          <div className="info-line resend-banner">
            <Icon name="replay" size={14} />
            Resending message #{composer.resendOf.messageNumber} of connection #{composer.resendOf.connectionId}{composer.resendOf.connectionId !== row?.id ? ' (select that connection to resend it; sending here injects a new message)' : ''}: edits are sent as the edited version.
            <button className="link-button" onClick={() => composer.detachResend()}>Send as a new message instead</button>
          </div>
        ) : null}
        <div className="sub-bar">
          <Segmented<ContentFormat>
            label="Content format"
            value={composer.format}
            onChange={(format) => composer.update({ format })}
            options={[{ value: 'text', label: 'Text' }, { value: 'json', label: 'JSON' }, { value: 'hex', label: 'Hex' }, { value: 'base64', label: 'Base64' }]}
          />
          <span className="muted">{usesContent ? (payload.bytes ? `${formatBytes(payload.bytes.length)} payload` : '') : 'a close frame carries the code and reason set on the right'}</span>
          <span className="toolbar-spacer" />
          {composer.format === 'text' || composer.format === 'json' ? (
            <button className="button" disabled={!looksLikeJson(composer.content)} onClick={() => composer.formatContent()} title="Pretty-print the JSON (this changes the bytes sent)">
              <Icon name="snippet" size={14} /> Format
            </button>
          ) : null}
        </div>
        <MonacoEditor
          value={composer.content}
          revision={composer.contentRevision}
          language={composer.format === 'json' ? 'json' : 'plaintext'}
          onChange={(content) => composer.update({ content })}
          onMarkers={setMarkers}
          ariaLabel="Message to send"
          className="composer-editor"
        />
        <div className={`composer-check ${usesContent && payload.error ? 'invalid' : 'valid'}`} data-testid="composer-check">
          {usesContent && payload.error ? <><Icon name="warning" size={14} /> {payload.error}</> : composer.format === 'json' && usesContent ? <><Icon name="check" size={14} /> Valid JSON</> : null}
          {composer.format === 'json' && markers.length > 0 && !payload.error ? <span className="muted"> · {markers[0]}</span> : null}
        </div>
      </div>

      <aside className="composer-side">
        <label className="field-label">Send as</label>
        <Segmented<ComposerKind>
          label="Send as"
          value={composer.kind}
          onChange={(kind) => composer.update({ kind })}
          options={[{ value: 'message', label: 'Message' }, { value: 'ping', label: 'Ping' }, { value: 'pong', label: 'Pong' }, { value: 'close', label: 'Close' }, { value: 'raw', label: 'Raw frame' }]}
        />
        <label className="field-label">Direction</label>
        <Segmented<Direction>
          label="Direction"
          value={composer.direction}
          onChange={(direction) => composer.update({ direction })}
          options={[{ value: 'send', label: '↑ To the server' }, { value: 'receive', label: '↓ To the client' }]}
        />

        {composer.kind === 'close' ? (
          <div className="field-grid">
            <label htmlFor="close-code">Code</label>
            <select id="close-code" value={composer.closeCode} onChange={(e) => composer.update({ closeCode: e.target.value })}>
              <option value="">(no code: empty payload)</option>
              {SENDABLE_CLOSE_CODES.map((c) => <option key={c} value={c}>{c} {describeCloseCode(c).name}</option>)}
            </select>
            <label htmlFor="close-reason">Reason</label>
            <input id="close-reason" value={composer.closeReason} onChange={(e) => composer.update({ closeReason: e.target.value })} placeholder="optional" disabled={composer.closeCode === ''} />
          </div>
        ) : null}

        {composer.kind === 'raw' ? <RawFields /> : null}

        <button className="button primary send-button" disabled={!canSend} onClick={() => row && void composer.send(row.id)} title={live ? undefined : 'Select an open connection to send into'}>
          <Icon name="send" size={14} /> {composer.resendOf && composer.kind === 'message' && composer.resendOf.connectionId === row?.id ? 'Resend' : 'Send'}
        </button>
        {!live ? <p className="muted small">{row ? `Connection #${row.id} is ${row.state}: only open connections take new frames.` : 'Select an open connection.'}</p> : null}
        {problem ? <p className="error-text small">{problem}</p> : null}
        {composer.result ? <p className={`small ${composer.result.ok ? 'ok-text' : 'error-text'}`} role="status" data-testid="composer-result">{composer.result.message}</p> : null}

        <div className="snippets">
          <label className="field-label">Snippets</label>
          <div className="snippet-save">
            <input value={snippetName} onChange={(e) => setSnippetName(e.target.value)} placeholder="Name" aria-label="Snippet name" />
            <button className="button" disabled={snippetName.trim() === ''} onClick={() => { composer.saveSnippet(snippetName.trim()); setSnippetName(''); }}>Save</button>
          </div>
          {composer.snippets.length === 0 ? <p className="muted small">Saved snippets appear here.</p> : (
            <ul className="snippet-list">
              {composer.snippets.map((s) => (
                <li key={s.name}>
                  <button className="link-button" onClick={() => composer.loadSnippet(s.name)} title="Load into the editor">{s.name}</button>
                  <span className="muted small">{s.kind === 'message' ? s.format : s.kind}</span>
                  <button className="icon-button" onClick={() => composer.deleteSnippet(s.name)} aria-label={`Delete ${s.name}`}><Icon name="trash" size={13} /></button>
                </li>
              ))}
            </ul>
          )}
        </div>
      </aside>
    </div>
  );
}

/** The raw frame's header fields, each settable regardless of what the RFC allows. */
function RawFields() {
  const { composer } = useApp();
  const raw = composer.raw;
  const bit = (name: 'fin' | 'rsv1' | 'rsv2' | 'rsv3' | 'mask', label: string) => (
    <label className="check"><input type="checkbox" checked={raw[name]} onChange={(e) => composer.updateRaw({ [name]: e.target.checked })} /> {label}</label>
  );
  return (
    <div className="raw-fields">
      <div className="raw-bits">{bit('fin', 'FIN')}{bit('rsv1', 'RSV1')}{bit('rsv2', 'RSV2')}{bit('rsv3', 'RSV3')}{bit('mask', 'MASK')}</div>
      <div className="field-grid">
        <label htmlFor="raw-opcode">Opcode</label>
        <select id="raw-opcode" value={raw.opcode} onChange={(e) => composer.updateRaw({ opcode: Number(e.target.value) })}>
          {Array.from({ length: 16 }, (_, i) => <option key={i} value={i}>0x{i.toString(16).toUpperCase()} {opcodeName(i)}</option>)}
        </select>
        <label htmlFor="raw-key">Masking key</label>
        <input id="raw-key" value={raw.maskKey} disabled={!raw.mask} placeholder="random" maxLength={8} spellCheck={false} onChange={(e) => composer.updateRaw({ maskKey: e.target.value.trim() })} />
        <label htmlFor="raw-length">Length field</label>
        <input id="raw-length" value={raw.payloadLength} placeholder="the payload's length" inputMode="numeric" onChange={(e) => composer.updateRaw({ payloadLength: e.target.value.trim() })} />
        <label htmlFor="raw-form">Length form</label>
        <select id="raw-form" value={String(raw.lengthForm)} onChange={(e) => composer.updateRaw({ lengthForm: e.target.value === 'auto' ? 'auto' : (Number(e.target.value) as 7 | 16 | 64) })}>
          <option value="auto">minimal</option>
          <option value="7">7-bit</option>
          <option value="16">16-bit (126)</option>
          <option value="64">64-bit (127)</option>
        </select>
      </div>
      <p className="muted small">Sent exactly as set: a false length or a reserved opcode makes a malformed frame on purpose.</p>
    </div>
  );
}
