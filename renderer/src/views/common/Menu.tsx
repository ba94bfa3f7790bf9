// A dropdown menu on a button: items with an optional shortcut hint; closes on choice, Escape or outside click.
import { useCallback, useState, type ReactNode } from 'react';
import { useDismiss } from './use-dismiss.js';
import { Icon } from './Icon.js';

export interface MenuItem {
  label: string;
  onSelect: () => void;
  hint?: string;
  disabled?: boolean;
  /** A separator before this item. */
  separator?: boolean;
}

export function Menu({ label, items, className, title, ariaLabel }: { label: ReactNode; items: MenuItem[]; className?: string; title?: string; ariaLabel?: string }) {
  const [open, setOpen] = useState(false);
  const root = useDismiss<HTMLDivElement>(open, useCallback(() => setOpen(false), []));
  return (
    <div ref={root} className={`menu ${className ?? ''}`}>
      <button className="button" aria-haspopup="menu" aria-expanded={open} aria-label={ariaLabel} title={title} onClick={() => setOpen(!open)}>
        {label}
        <Icon name="chevron" size={12} />
      </button>
      {open ? (
        <div className="menu-list" role="menu">
          {items.map((item) => (
            <div key={item.label}>
              {item.separator ? <div className="menu-separator" /> : null}
              <button
                role="menuitem"
                className="menu-item"
                disabled={item.disabled}
                onClick={() => {
                  setOpen(false);
                  item.onSelect();
                }}
              >
                <span>{item.label}</span>
                {item.hint ? <span className="menu-hint">{item.hint}</span> : null}
              </button>
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
