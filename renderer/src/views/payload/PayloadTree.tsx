// A decoded payload as a tree: keys, type labels in the encoding's terms, scalar values, other
// readings as notes. Containers fold; the first levels start open.
import { useState } from 'react';
import type { PayloadNode } from '../../../../src/protocol/payload/payload-tree.js';

/** Levels open at first; deeper ones open on a click. */
const OPEN_LEVELS = 3;
/** Children drawn per container before a "show more" (a 100,000-item array must not freeze the UI). */
const CHILDREN_PAGE = 500;

export function PayloadTree({ node }: { node: PayloadNode }) {
  return (
    <ul className="payload-tree" role="tree" aria-label="Decoded payload">
      <TreeNode node={node} depth={0} />
    </ul>
  );
}

function TreeNode({ node, depth }: { node: PayloadNode; depth: number }) {
  const [open, setOpen] = useState(depth < OPEN_LEVELS);
  const [shown, setShown] = useState(CHILDREN_PAGE);
  const children = node.children;
  const label = (
    <>
      {node.key !== undefined ? <span className="tree-key">{node.key}</span> : null}
      <span className="tree-type">{node.type}</span>
      {node.value !== undefined ? <span className="tree-value">{node.value}</span> : null}
      {children ? <span className="tree-count muted">{children.length} {children.length === 1 ? 'item' : 'items'}</span> : null}
      {node.note ? <span className="tree-note muted">{node.note}</span> : null}
    </>
  );
  if (!children) return <li role="treeitem" className="tree-leaf" data-key={node.key}>{label}</li>;
  return (
    <li role="treeitem" aria-expanded={open} data-key={node.key}>
      <button className="tree-toggle" onClick={() => setOpen(!open)} aria-label={open ? 'Fold' : 'Unfold'}>{open ? '▾' : '▸'}</button>
      {label}
      {open ? (
        <ul role="group">
          {children.slice(0, shown).map((child, i) => <TreeNode key={i} node={child} depth={depth + 1} />)}
          {children.length > shown ? (
            <li><button className="link-button" onClick={() => setShown(shown + CHILDREN_PAGE)}>Show {Math.min(CHILDREN_PAGE, children.length - shown)} more of {children.length - shown}</button></li>
          ) : null}
        </ul>
      ) : null}
    </li>
  );
}
