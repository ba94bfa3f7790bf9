// The column chooser of the frame list: which columns it shows, kept between runs.
import { useCallback, useState } from 'react';
import { useDismiss } from '../common/use-dismiss.js';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { FRAME_COLUMNS } from '../../model/columns-store.js';

export function ColumnChooser() {
  const { columns, messages } = useApp();
  useStore(columns);
  useStore(messages);
  const [open, setOpen] = useState(false);
  const root = useDismiss<HTMLDivElement>(open, useCallback(() => setOpen(false), []));
  // Imported connections without frames list messages, whose columns are fixed.
  if (messages.connectionId !== undefined) return null;
  return (
    <div ref={root} className="menu column-chooser">
      <button className="button" aria-haspopup="true" aria-expanded={open} onClick={() => setOpen(!open)} title="Choose the frame list's columns">Columns</button>
      {open ? (
        <div className="menu-list" role="group" aria-label="Columns">
          {FRAME_COLUMNS.filter((c) => !c.fixed).map((c) => (
            <label key={c.id} className="menu-item column-choice">
              <input type="checkbox" checked={columns.shown(c.id)} onChange={(e) => columns.setShown(c.id, e.target.checked)} /> {c.label}
            </label>
          ))}
        </div>
      ) : null}
    </div>
  );
}
