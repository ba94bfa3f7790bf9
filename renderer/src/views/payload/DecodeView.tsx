// The Decode tab of a frame or message: its payload read as JSON, MessagePack, CBOR or protobuf (raw,
// or with the connection's .proto schema), or picked automatically, shown as a tree. The choice and the
// schema are kept per connection by the engine; the decoding runs here (src/protocol/payload is pure).
import { useMemo, useState } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { Segmented } from '../common/Tabs.js';
import { decodePayload, type DecodeAs } from '../../../../src/protocol/payload/payload-decode.js';
import { payloadDecodingStore } from './payload-decoding-store.js';
import { PayloadTree } from './PayloadTree.js';
import { ProtoSchemaEditor } from './ProtoSchemaEditor.js';
import './payload.css';

const FORMAT_NAMES: Record<DecodeAs, string> = { auto: 'Auto', json: 'JSON', msgpack: 'MessagePack', cbor: 'CBOR', protobuf: 'Protobuf' };

export function DecodeView({ bytes, opcode, connectionId }: { bytes: Uint8Array; opcode: number; connectionId: number }) {
  const app = useApp();
  const store = useStore(payloadDecodingStore(app.client));
  const [editing, setEditing] = useState(false);
  const state = store.state(connectionId);
  const schema = store.schema(connectionId);
  const decoded = useMemo(() => decodePayload(bytes, state.decodeAs, { schema, binary: opcode === 2 }), [bytes, state.decodeAs, schema, opcode]);

  return (
    <div className="payload-view decode-view" data-decode-as={state.decodeAs}>
      <div className="sub-bar">
        <Segmented<DecodeAs>
          label="Decode as"
          value={state.decodeAs}
          onChange={(as) => { store.setDecodeAs(connectionId, as).catch(() => {}); }}
          options={(Object.keys(FORMAT_NAMES) as DecodeAs[]).map((as) => ({ value: as, label: FORMAT_NAMES[as] }))}
        />
        <button className="button" onClick={() => setEditing(!editing)} aria-expanded={editing} title="The .proto schema this connection's payloads are read with">
          {state.proto ? `Schema: ${state.proto.messageType}` : 'Protobuf schema…'}
        </button>
        <span className="muted decode-result" data-format={decoded.ok ? decoded.format : ''}>
          {decoded.ok ? `${FORMAT_NAMES[decoded.format]}${decoded.note ? ` · ${decoded.note}` : ''}` : ''}
        </span>
      </div>
      {editing ? <ProtoSchemaEditor store={store} connectionId={connectionId} onDone={() => setEditing(false)} /> : null}
      {decoded.ok ? (
        <div className="decode-tree"><PayloadTree node={decoded.tree} /></div>
      ) : (
        <div className="empty-state decode-error"><p>{state.decodeAs === 'auto' ? 'Not decoded' : `Not ${FORMAT_NAMES[state.decodeAs]}`}: {decoded.error}</p></div>
      )}
    </div>
  );
}
