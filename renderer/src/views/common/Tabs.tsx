// A tab bar: the caller keeps which tab is active.
import type { ReactNode } from 'react';

export interface TabSpec<T extends string> {
  id: T;
  label: ReactNode;
  disabled?: boolean;
}

export function Tabs<T extends string>({ tabs, active, onChange, className, trailing }: { tabs: TabSpec<T>[]; active: T; onChange: (id: T) => void; className?: string; trailing?: ReactNode }) {
  return (
    <div className={`tabs ${className ?? ''}`} role="tablist">
      {tabs.map((tab) => (
        <button
          key={tab.id}
          role="tab"
          aria-selected={tab.id === active}
          className={`tab ${tab.id === active ? 'tab-active' : ''}`}
          disabled={tab.disabled}
          onClick={() => onChange(tab.id)}
        >
          {tab.label}
        </button>
      ))}
      {trailing ? <div className="tabs-trailing">{trailing}</div> : null}
    </div>
  );
}

/** A group of mutually exclusive buttons. */
export function Segmented<T extends string | number>({ options, value, onChange, label }: { options: { value: T; label: ReactNode; title?: string }[]; value: T; onChange: (v: T) => void; label: string }) {
  return (
    <div className="segmented" role="radiogroup" aria-label={label}>
      {options.map((o) => (
        <button key={String(o.value)} role="radio" aria-checked={o.value === value} title={o.title} className={o.value === value ? 'on' : ''} onClick={() => onChange(o.value)}>
          {o.label}
        </button>
      ))}
    </div>
  );
}
