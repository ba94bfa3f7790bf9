// Content as a reader wants it: text or pretty JSON in a read-only Monaco editor, binary (or text
// that is not UTF-8) as a hex dump. Shared by the frame detail (payload or message) and the message
// detail of connections listed by message.
import { useMemo, useState, type ReactNode } from 'react';
import { Segmented } from '../common/Tabs.js';
import { MonacoEditor } from '../common/MonacoEditor.js';
import { HexLines } from './HexView.js';
import { decodeUtf8, formatBytes } from '../../protocol/bytes.js';
import { looksLikeJson, prettyJson } from '../../model/composer-store.js';

type Shape = 'text' | 'json';

/** Past this size the editor shows the start only (the hex view and copy keep everything). */
const MAX_EDITOR_CHARS = 4 * 1024 * 1024;

interface ContentViewProps {
  bytes: Uint8Array;
  /** The opcode that says what the bytes are: 2 is binary; 1 must be UTF-8. */
  opcode: number;
  /** Controls at the start of the bar (what to show). */
  controls?: ReactNode;
  /** Facts after the size, each starting with ' · '. */
  details?: string;
  /** A line between the bar and the content. */
  notice?: ReactNode;
}

export function ContentView({ bytes, opcode, controls, details = '', notice }: ContentViewProps) {
  const decoded = useMemo(() => decodeUtf8(bytes), [bytes]);
  const binary = opcode === 2 || !decoded.valid;
  const isJson = useMemo(() => !binary && looksLikeJson(decoded.text), [binary, decoded]);
  const [shape, setShape] = useState<Shape | undefined>();
  const effectiveShape: Shape = shape ?? (isJson ? 'json' : 'text');
  const text = effectiveShape === 'json' && isJson ? prettyJson(decoded.text) : decoded.text;
  const shown = text.length > MAX_EDITOR_CHARS ? text.slice(0, MAX_EDITOR_CHARS) : text;

  return (
    <div className="payload-view">
      <div className="sub-bar">
        {controls}
        {!binary ? (
          <Segmented<Shape> label="Show as" value={effectiveShape} onChange={setShape} options={[{ value: 'text', label: 'Text' }, { value: 'json', label: 'JSON', title: isJson ? 'Pretty-printed' : 'Not valid JSON' }]} />
        ) : null}
        <span className="muted">
          {formatBytes(bytes.length)}{details}{!decoded.valid && opcode === 1 ? ' · not valid UTF-8' : ''}
        </span>
      </div>
      {notice}
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
