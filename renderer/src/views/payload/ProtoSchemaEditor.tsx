// The .proto schema of a connection: paste or load the text, pick the message type its payloads are,
// apply (the engine checks it with protobufjs and keeps it for the connection) or remove.
import { useState, type ChangeEvent } from 'react';
import { parseProtoSchema } from '../../../../src/protocol/payload/protobuf-schema.js';
import type { PayloadDecodingStore } from './payload-decoding-store.js';

export function ProtoSchemaEditor({ store, connectionId, onDone }: { store: PayloadDecodingStore; connectionId: number; onDone: () => void }) {
  const current = store.state(connectionId).proto;
  const [text, setText] = useState(current?.text ?? '');
  const [type, setType] = useState(current?.messageType ?? '');
  const parsed = (() => {
    if (!text.trim()) return { types: [] as string[], error: undefined };
    try {
      return { types: parseProtoSchema(text).types, error: undefined };
    } catch (error) {
      return { types: [] as string[], error: (error as Error).message };
    }
  })();
  const chosen = parsed.types.includes(type) ? type : parsed.types[0] ?? '';
  const load = (e: ChangeEvent<HTMLInputElement>) => {
    const files = [...(e.target.files ?? [])];
    Promise.all(files.map((f) => f.text())).then((texts) => setText(texts.join('\n')), () => {});
  };
  const apply = () => {
    store.setProto(connectionId, { text, messageType: chosen }).then((ok) => { if (ok) onDone(); }, () => {});
  };
  const remove = () => {
    store.setProto(connectionId, null).then(() => onDone(), () => {});
  };
  const refused = store.errors.get(connectionId);
  return (
    <div className="proto-editor" aria-label="Protobuf schema">
      <div className="sub-bar">
        <label className="button">
          Load .proto files…
          <input type="file" accept=".proto,text/plain" multiple hidden onChange={load} aria-label="Load .proto files" />
        </label>
        <label>
          Message type{' '}
          <select value={chosen} onChange={(e) => setType(e.target.value)} disabled={parsed.types.length === 0} aria-label="Message type">
            {parsed.types.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
        <button className="button primary" onClick={apply} disabled={!chosen}>Apply to this connection</button>
        {current ? <button className="button" onClick={remove}>Remove schema</button> : null}
        <button className="button" onClick={onDone}>Cancel</button>
      </div>
      <textarea
        className="proto-text"
        value={text}
        onChange={(e) => setText(e.target.value)}
        spellCheck={false}
        placeholder={'syntax = "proto3";\nmessage Event { string name = 1; }'}
        aria-label=".proto text"
      />
      {parsed.error ? <div className="info-line error-text">Does not parse: {parsed.error}</div> : null}
      {refused ? <div className="info-line error-text">{refused}</div> : null}
    </div>
  );
}
