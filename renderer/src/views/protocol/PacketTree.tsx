// A protocol packet as a tree of its fields: objects and arrays open and close, leaves show their
// JSON value; bytes (`{_binary: base64}`) say so.
import { useState } from 'react';

export function PacketTree({ name, value, depth = 0 }: { name: string; value: unknown; depth?: number }) {
  const [open, setOpen] = useState(depth < 4);
  const isBinary = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && typeof (value as { _binary?: unknown })._binary === 'string';
  if (value === null || typeof value !== 'object' || isBinary) {
    const text = isBinary ? `bytes (base64) ${(value as { _binary: string })._binary}` : JSON.stringify(value) ?? String(value);
    return <div className="tree-leaf" role="treeitem" style={{ paddingLeft: depth * 14 }}><span className="tree-key">{name}</span> <span className={`tree-value tree-${value === null ? 'null' : isBinary ? 'bytes' : typeof value}`}>{text}</span></div>;
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return (
    <div role="treeitem" aria-expanded={open}>
      <button className="tree-branch" style={{ paddingLeft: depth * 14 }} onClick={() => setOpen(!open)}>
        <span className="tree-toggle">{open ? '▾' : '▸'}</span> <span className="tree-key">{name}</span> <span className="muted">{Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`}</span>
      </button>
      {open ? entries.map(([key, v]) => <PacketTree key={key} name={key} value={v} depth={depth + 1} />) : null}
    </div>
  );
}
