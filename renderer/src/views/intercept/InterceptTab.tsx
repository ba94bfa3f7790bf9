// The intercept queue: messages and handshakes held by breakpoints, each forwarded as it is, edited
// (in Monaco) or dropped; and the breakpoint rules that hold them.
import { useState } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { Icon } from '../common/Icon.js';
import { MonacoEditor } from '../common/MonacoEditor.js';
import { Segmented } from '../common/Tabs.js';
import { Splitter } from '../common/Splitter.js';
import { clockTime } from '../format.js';
import { base64ToBytes, bytesToBase64, bytesToHex, decodeUtf8, encodeUtf8, formatBytes, hexToBytes } from '../../protocol/bytes.js';
import { opcodeBadge } from '../../protocol/opcodes.js';
import { looksLikeJson, prettyJson } from '../../model/composer-store.js';
import type { BreakpointRule, HeldItem } from '../../api/wire.js';
import { OpcodeBadge } from '../frames/frame-cells.js';
import { checkRequestHead, type RequestLineProblem } from '../../protocol/request-line.js';
import { RequestWarnings } from './RequestWarnings.js';

export function InterceptTab() {
  const { intercept } = useApp();
  useStore(intercept);
  if (intercept.unavailable) {
    return <div className="empty-state"><Icon name="breakpoint" size={28} /><p>Breakpoints are not available from this engine.</p><p className="muted">{intercept.unavailable}</p></div>;
  }
  return (
    <div className="intercept">
      <Splitter id="intercept" direction="row" sized="second" initial={420} min={360} minSecond={320} first={<HeldQueue />} second={<RulesPanel />} />
    </div>
  );
}

function HeldQueue() {
  const { intercept } = useApp();
  const [editing, setEditing] = useState<number>();
  const held = intercept.held;
  return (
    <section className="held-queue" aria-label="Held messages">
      <div className="pane-bar">
        <h2 className="pane-title">Held</h2>
        <span className="pane-count">{held.length}</span>
        <span className="toolbar-spacer" />
        <button className="button" disabled={held.length === 0} onClick={() => void intercept.resolveAll('forward')}><Icon name="forward" size={14} /> Forward all</button>
        <button className="button danger" disabled={held.length === 0} onClick={() => void intercept.resolveAll('drop')}><Icon name="trash" size={14} /> Drop all</button>
      </div>
      {intercept.lastError ? <div className="info-line error-text">{intercept.lastError}</div> : null}
      <div className="held-list">
        {held.length === 0 ? (
          <div className="empty-state">
            <p>{intercept.enabled ? 'Nothing is held. Traffic that matches a rule stops here.' : 'Breakpoints are off: switch them on in the toolbar to hold matching traffic.'}</p>
          </div>
        ) : held.map((item) => (
          <HeldCard key={item.id} item={item} editing={editing === item.id} onEdit={() => setEditing(item.id)} onDone={() => setEditing(undefined)} />
        ))}
      </div>
    </section>
  );
}

function HeldCard({ item, editing, onEdit, onDone }: { item: HeldItem; editing: boolean; onEdit: () => void; onDone: () => void }) {
  const { intercept } = useApp();
  const bytes = item.dataBase64 !== undefined ? base64ToBytes(item.dataBase64) : new Uint8Array();
  const text = decodeUtf8(bytes);
  const preview = item.kind === 'handshake'
    ? `${item.request?.method ?? 'GET'} ${item.request?.target ?? ''}`
    : item.opcode === 1 && text.valid ? text.text.slice(0, 300) : bytesToHex(bytes.subarray(0, 96), ' ');
  return (
    <div className={`held-card ${editing ? 'editing' : ''}`} data-held={item.id}>
      <div className="held-head">
        <span className={`badge kind-${item.kind}`}>{item.kind}</span>
        <span className={`dir-label dir-${item.direction}`}>{item.direction === 'send' ? '↑ to server' : '↓ to client'}</span>
        {item.opcode !== undefined ? <OpcodeBadge badge={opcodeBadge(item.opcode)} /> : null}
        <span className="muted">#{item.connectionId} · {clockTime(item.heldAt)} · rule {item.ruleId}</span>
        {item.kind === 'message' ? <span className="muted">{formatBytes(bytes.length)}</span> : null}
        {item.queuedCount > 0 ? <span className="queued-count" data-testid="held-queued" title="Frames waiting behind it in the same direction">{item.queuedCount} queued</span> : null}
      </div>
      <div className="held-url muted" title={item.url}>{item.url}</div>
      {editing ? <HeldEditor item={item} onDone={onDone} /> : (
        <>
          <pre className="held-preview">{preview}</pre>
          <div className="held-actions">
            <button className="button primary" onClick={() => void intercept.resolve(item.id, 'forward')}><Icon name="forward" size={14} /> Forward</button>
            <button className="button" onClick={onEdit}><Icon name="edit" size={14} /> Edit</button>
            <button className="button danger" onClick={() => void intercept.resolve(item.id, 'drop')}><Icon name="trash" size={14} /> Drop</button>
          </div>
        </>
      )}
    </div>
  );
}

/** Edits a held message (text or hex) or a held handshake request (target and header lines). */
function HeldEditor({ item, onDone }: { item: HeldItem; onDone: () => void }) {
  const { intercept } = useApp();
  const bytes = item.dataBase64 !== undefined ? base64ToBytes(item.dataBase64) : new Uint8Array();
  const text = decodeUtf8(bytes);
  const initialFormat: 'text' | 'hex' = item.kind === 'handshake' || (item.opcode === 1 && text.valid) ? 'text' : 'hex';
  const [format, setFormat] = useState(initialFormat);
  const initial = item.kind === 'handshake'
    ? [item.request?.target ?? '/', ...pairs(item.request?.rawHeaders ?? []).map(([n, v]) => `${n}: ${v}`)].join('\n')
    : initialFormat === 'text' ? text.text : bytesToHex(bytes, ' ');
  // The exact text held: what is not touched is sent as it came (Format pretty-prints on request).
  const [value, setValue] = useState(initial);
  /** Bumped when the text is replaced from outside the editor (a format switch, Format). */
  const [revision, setRevision] = useState(0);
  const [error, setError] = useState<string>();
  const replace = (next: string) => {
    setValue(next);
    setRevision((r) => r + 1);
  };

  const [problems, setProblems] = useState<RequestLineProblem[]>([]);

  const forward = (anyway = false) => {
    try {
      if (item.kind === 'handshake') {
        const [target = '/', ...lines] = value.split('\n');
        const rawHeaders = lines.filter((l) => l.trim() !== '').flatMap((l) => {
          const colon = l.indexOf(':');
          if (colon <= 0) throw new Error(`not a header line: "${l}"`);
          return [l.slice(0, colon).trim(), l.slice(colon + 1).trim()];
        });
        // A malformed request is the user's call: warn first, send when they confirm.
        const found = anyway ? [] : checkRequestHead({ method: item.request?.method ?? 'GET', target: target.trim(), rawHeaders });
        if (found.length > 0) {
          setProblems(found);
          return;
        }
        void intercept.resolve(item.id, 'forward', { target: target.trim(), rawHeaders }).then(onDone);
      } else {
        const data = format === 'text' ? encodeUtf8(value) : hexToBytes(value);
        void intercept.resolve(item.id, 'forward', { opcode: format === 'text' ? 1 : 2, dataBase64: bytesToBase64(data) }).then(onDone);
      }
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <div className="held-editor">
      {item.kind === 'message' ? (
        <div className="sub-bar">
          <Segmented<'text' | 'hex'> label="Edit as" value={format} onChange={(f) => {
            setFormat(f);
            try {
              replace(f === 'hex' ? bytesToHex(encodeUtf8(value), ' ') : decodeUtf8(hexToBytes(value)).text);
            } catch {
              // Leave the text as it is when it does not convert.
            }
          }} options={[{ value: 'text', label: 'Text (opcode 1)' }, { value: 'hex', label: 'Binary as hex (opcode 2)' }]} />
          <span className="toolbar-spacer" />
          {format === 'text' ? (
            <button className="button" disabled={!looksLikeJson(value)} onClick={() => replace(prettyJson(value))} title="Pretty-print the JSON (this changes the bytes sent)">
              <Icon name="snippet" size={14} /> Format
            </button>
          ) : null}
        </div>
      ) : <p className="muted small">First line: the request target; then one header per line, in order.</p>}
      <MonacoEditor value={value} revision={revision} onChange={(v) => { setValue(v); setError(undefined); setProblems([]); }} language={format === 'text' && looksLikeJson(value) ? 'json' : 'plaintext'} ariaLabel="Edit held message" className="held-monaco" />
      {error ? <p className="error-text small">{error}</p> : null}
      {problems.length > 0 ? <RequestWarnings problems={problems} onSendAnyway={() => forward(true)} onKeepEditing={() => setProblems([])} /> : null}
      <div className="held-actions">
        <button className="button primary" onClick={() => forward()}><Icon name="forward" size={14} /> Forward edited</button>
        <button className="button" onClick={onDone}>Cancel</button>
      </div>
    </div>
  );
}

const EMPTY_RULE: BreakpointRule = { id: 0, enabled: true, phase: 'message', direction: 'both' };

function RulesPanel() {
  const { intercept } = useApp();
  const [draft, setDraft] = useState<BreakpointRule>(EMPTY_RULE);
  const [matchKind, setMatchKind] = useState<'text' | 'regex'>('text');
  const match = draft.regex ?? draft.text ?? '';
  const set = (changes: Partial<BreakpointRule>) => setDraft({ ...draft, ...changes });

  const save = () => {
    const rule: BreakpointRule = {
      id: draft.id, enabled: draft.enabled, phase: draft.phase, direction: draft.direction,
      ...(draft.urlPattern ? { urlPattern: draft.urlPattern } : {}),
      ...(draft.phase === 'message' && draft.opcode ? { opcode: draft.opcode } : {}),
      ...(draft.phase === 'message' && match ? (matchKind === 'regex' ? { regex: match } : { text: match }) : {}),
    };
    void intercept.saveRule(rule).then(() => setDraft(EMPTY_RULE));
  };

  return (
    <section className="rules" aria-label="Breakpoint rules">
      <div className="pane-bar">
        <h2 className="pane-title">Breakpoint rules</h2>
        <span className="toolbar-spacer" />
        <label className="switch">
          <input type="checkbox" checked={intercept.enabled} onChange={(e) => void intercept.setEnabled(e.target.checked)} />
          <span>{intercept.enabled ? 'On' : 'Off'}</span>
        </label>
      </div>
      <div className="rule-list">
        {intercept.rules.length === 0 ? <p className="muted small">No rules yet. A rule holds the traffic that matches every field it sets.</p> : intercept.rules.map((r) => (
          <div key={r.id} className={`rule ${r.enabled ? '' : 'disabled'} ${draft.id === r.id ? 'editing' : ''}`} data-rule={r.id}>
            <input type="checkbox" checked={r.enabled} aria-label="Enabled" onChange={(e) => void intercept.saveRule({ ...r, enabled: e.target.checked })} />
            <button className="rule-text link-button" onClick={() => { setDraft(r); setMatchKind(r.regex !== undefined ? 'regex' : 'text'); }} title="Edit">{describeRule(r)}</button>
            <button className="icon-button" aria-label="Delete rule" onClick={() => void intercept.deleteRule(r.id)}><Icon name="trash" size={13} /></button>
          </div>
        ))}
      </div>
      <div className="rule-form">
        <h3>{draft.id === 0 ? 'New rule' : `Rule ${draft.id}`}</h3>
        <div className="field-grid">
          <label>Hold</label>
          <Segmented<'message' | 'handshake'> label="Hold" value={draft.phase} onChange={(phase) => set({ phase })} options={[{ value: 'message', label: 'Messages' }, { value: 'handshake', label: 'Handshakes' }]} />
          <label>Direction</label>
          <Segmented<string> label="Direction" value={draft.direction} onChange={(d) => set({ direction: d as BreakpointRule['direction'] })} options={[{ value: 'both', label: 'Both' }, { value: 'send', label: '↑ Sent' }, { value: 'receive', label: '↓ Received' }]} />
          <label htmlFor="rule-url">URL</label>
          <input id="rule-url" value={draft.urlPattern ?? ''} onChange={(e) => set({ urlPattern: e.target.value || undefined })} placeholder="substring, or /regex/" spellCheck={false} />
          {draft.phase === 'message' ? (
            <>
              <label htmlFor="rule-opcode">Type</label>
              <select id="rule-opcode" value={draft.opcode ?? ''} onChange={(e) => set({ opcode: e.target.value ? (Number(e.target.value) as 1 | 2) : undefined })}>
                <option value="">Text and binary</option>
                <option value="1">Text only</option>
                <option value="2">Binary only</option>
              </select>
              <label htmlFor="rule-match">Content</label>
              <div className="rule-match">
                <input id="rule-match" value={match} spellCheck={false} placeholder={matchKind === 'regex' ? 'regular expression' : 'contains'} onChange={(e) => {
                  const v = e.target.value || undefined;
                  set(matchKind === 'regex' ? { regex: v, text: undefined } : { text: v, regex: undefined });
                }} />
                <button className={`search-flag ${matchKind === 'regex' ? 'on' : ''}`} title="Regular expression" aria-pressed={matchKind === 'regex'} onClick={() => {
                  const next = matchKind === 'regex' ? 'text' : 'regex';
                  setMatchKind(next);
                  set(next === 'regex' ? { regex: match || undefined, text: undefined } : { text: match || undefined, regex: undefined });
                }}>.*</button>
              </div>
            </>
          ) : null}
        </div>
        <div className="held-actions">
          <button className="button primary" onClick={save}><Icon name={draft.id === 0 ? 'plus' : 'check'} size={14} /> {draft.id === 0 ? 'Add rule' : 'Save rule'}</button>
          {draft.id !== 0 ? <button className="button" onClick={() => setDraft(EMPTY_RULE)}>Cancel</button> : null}
        </div>
      </div>
    </section>
  );
}

function describeRule(r: BreakpointRule): string {
  const parts = [r.phase === 'handshake' ? 'Handshakes' : r.opcode === 1 ? 'Text messages' : r.opcode === 2 ? 'Binary messages' : 'Messages'];
  parts.push(r.direction === 'both' ? 'both ways' : r.direction === 'send' ? 'to the server' : 'to the client');
  if (r.urlPattern) parts.push(`URL ${r.urlPattern}`);
  if (r.text) parts.push(`containing “${r.text}”`);
  if (r.regex) parts.push(`matching /${r.regex}/`);
  return parts.join(' · ');
}

function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}
