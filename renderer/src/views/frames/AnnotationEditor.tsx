// A note, a pin and a highlight colour on a connection, frame or message: saved in the session (the
// engine's capture file) and exported in HAR as _notes.
import { useEffect, useState } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { Icon } from '../common/Icon.js';
import { HIGHLIGHT_COLOURS } from '../../model/annotations-store.js';
import type { AnnotationTarget, Highlight } from '../../api/wire.js';

export function AnnotationEditor({ connectionId, target, number }: { connectionId: number; target: AnnotationTarget; number: number }) {
  const { annotations, view } = useApp();
  useStore(annotations);
  const mark = annotations.get(connectionId, target, number);
  const saved = mark?.note ?? '';
  const [draft, setDraft] = useState(saved);
  // Another row, or the note changed elsewhere (another window): show what is saved.
  useEffect(() => setDraft(saved), [connectionId, target, number, saved]);

  const update = (change: { note?: string; pinned?: boolean; highlight?: Highlight | null }) =>
    annotations.update(connectionId, target, number, change).catch((e: Error) => view.notify(`Could not save: ${e.message}`, 'error'));
  const what = target === 'connection' ? 'connection' : target;

  return (
    <div className="annotation-editor" data-annotation={`${target}-${number}`}>
      <div className="annotation-tools">
        <button className={`button pin-toggle ${mark?.pinned ? 'on' : ''}`} aria-pressed={mark?.pinned ?? false} onClick={() => void update({ pinned: !mark?.pinned })} title={`Pin this ${what}: pinned ones are listed under Pinned`}>
          <Icon name="pin" size={14} /> {mark?.pinned ? 'Pinned' : 'Pin'}
        </button>
        <span className="highlight-swatches" role="group" aria-label="Highlight">
          {HIGHLIGHT_COLOURS.map((colour) => (
            <button key={colour} className={`swatch hl-${colour} ${mark?.highlight === colour ? 'on' : ''}`} aria-label={`Highlight ${colour}`} aria-pressed={mark?.highlight === colour} onClick={() => void update({ highlight: mark?.highlight === colour ? null : colour })} />
          ))}
        </span>
      </div>
      <textarea
        className="annotation-note"
        aria-label={`Note on this ${what}`}
        placeholder={`A note on this ${what} (saved with the session, exported in HAR)`}
        value={draft}
        rows={2}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void update({ note: draft });
          e.stopPropagation();
        }}
      />
      {draft !== saved ? (
        <div className="annotation-actions">
          <button className="button primary" onClick={() => void update({ note: draft })}>Save note</button>
          <button className="button" onClick={() => setDraft(saved)}>Discard</button>
        </div>
      ) : null}
    </div>
  );
}

/** The marks in a list row: its highlight (colours the row), its pin and its note. */
export function RowMarks({ connectionId, target, number }: { connectionId: number; target: AnnotationTarget; number: number }) {
  const { annotations } = useApp();
  useStore(annotations);
  const mark = annotations.get(connectionId, target, number);
  if (!mark) return null;
  return (
    <>
      {mark.highlight ? <span className={`row-highlight hl-${mark.highlight}`} aria-label={`highlighted ${mark.highlight}`} /> : null}
      {mark.pinned ? <span className="row-pin" title="Pinned" aria-label="pinned"><Icon name="pin" size={12} /></span> : null}
      {mark.note ? <span className="row-note" title={mark.note}>{mark.note.split('\n')[0]}</span> : null}
    </>
  );
}
