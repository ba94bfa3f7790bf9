// The payload (or, for a data frame, its whole message: reassembled and decompressed) as text or
// pretty JSON in a read-only Monaco editor; binary content as a hex dump.
import { useMemo, useState } from 'react';
import { Segmented } from '../common/Tabs.js';
import { MonacoEditor } from '../common/MonacoEditor.js';
import { HexLines } from './HexView.js';
import type { FrameDetailView } from '../../model/frame-detail-store.js';
import { decodeUtf8, formatBytes } from '../../protocol/bytes.js';
import { looksLikeJson, prettyJson } from '../../model/composer-store.js';
import { count } from '../format.js';

type Source = 'message' | 'frame';
type Shape = 'text' | 'json';

/** Past this size the editor shows the start only (the hex view and copy keep everything). */
const MAX_EDITOR_CHARS = 4 * 1024 * 1024;

export function PayloadView({ detail }: { detail: FrameDetailView }) {
  const f = detail.frame;
  const message = detail.message;
  const [source, setSource] = useState<Source>('message');
  const useMessage = source === 'message' && detail.messageData !== undefined;
  const bytes = useMessage ? detail.messageData! : detail.payload;
  const decoded = useMemo(() => decodeUtf8(bytes), [bytes]);
  const binary = (useMessage ? message!.opcode === 2 : f.opcode === 2) || !decoded.valid;
  const isJson = useMemo(() => !binary && looksLikeJson(decoded.text), [binary, decoded]);
  const [shape, setShape] = useState<Shape | undefined>();
  const effectiveShape: Shape = shape ?? (isJson ? 'json' : 'text');
  const text = effectiveShape === 'json' && isJson ? prettyJson(decoded.text) : decoded.text;
  const shown = text.length > MAX_EDITOR_CHARS ? text.slice(0, MAX_EDITOR_CHARS) : text;

  return (
    <div className="payload-view">
      <div className="sub-bar">
        {message && (message.frames.length > 1 || message.compressed) ? (
          <Segmented<Source>
            label="Content"
            value={source}
            onChange={setSource}
            options={[
              { value: 'message', label: `Message #${message.number}${message.compressed ? ' (inflated)' : ''}` },
              { value: 'frame', label: 'This frame' },
            ]}
          />
        ) : null}
        {!binary ? (
          <Segmented<Shape> label="Show as" value={effectiveShape} onChange={setShape} options={[{ value: 'text', label: 'Text' }, { value: 'json', label: 'JSON', title: isJson ? 'Pretty-printed' : 'Not valid JSON' }]} />
        ) : null}
        <span className="muted">
          {formatBytes(bytes.length)}
          {useMessage && message ? ` · ${message.frames.length} frame${message.frames.length === 1 ? '' : 's'}${message.compressed ? ` · ${formatBytes(message.size)} inflated` : ''}${message.truncated ? ' · truncated' : ''}` : ''}
          {!useMessage && f.truncated ? ` · truncated (${count(f.storedLength)} of ${count(f.payloadLength)} bytes stored)` : ''}
          {!decoded.valid && (useMessage ? message!.opcode === 1 : f.opcode === 1) ? ' · not valid UTF-8' : ''}
        </span>
      </div>
      {detail.unfinished ? <div className="info-line">This fragment's message has not finished (yet): showing this frame's payload.</div> : null}
      {binary ? (
        <HexLines bytes={bytes} />
      ) : bytes.length === 0 ? (
        <div className="empty-state"><p>Empty payload.</p></div>
      ) : (
        <MonacoEditor value={shown} language={effectiveShape === 'json' && isJson ? 'json' : 'plaintext'} readOnly ariaLabel="Payload" className="payload-editor" />
      )}
    </div>
  );
}
