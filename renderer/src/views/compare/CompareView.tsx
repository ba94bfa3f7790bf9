// Compare: two connections side by side (from the same session or two sessions), their data
// messages aligned by content and direction, and a selected pair's JSON-aware diff.
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { VirtualList, type VirtualListHandle } from '../common/VirtualList.js';
import type { ComparisonRow, MessageSummary } from '../../api/wire.js';
import type { SidePick } from '../../model/compare-store.js';
import { PairDiff } from './PairDiff.js';
import './compare.css';

const KIND_LABEL: Record<ComparisonRow['kind'], string> = { same: '=', changed: '≠', added: '+', removed: '−' };

export function CompareView() {
  const { compare, session, view } = useApp();
  useStore(compare);
  const browsed = session.session?.name;
  useEffect(() => {
    if (browsed) compare.open(browsed).catch((e: Error) => view.notify(e.message, 'error'));
  }, [compare, browsed, view]);
  const result = compare.result;
  const list = useRef<VirtualListHandle>(null);
  // Arrow keys walk the rows, each showing its pair.
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!result || (e.key !== 'ArrowDown' && e.key !== 'ArrowUp')) return;
    e.preventDefault();
    const at = compare.selectedRow ?? -1;
    const next = Math.max(0, Math.min(result.rows.length - 1, e.key === 'ArrowDown' ? at + 1 : at - 1));
    list.current?.scrollToIndex(next);
    void compare.selectRow(next);
  };

  return (
    <div className="workspace-page compare-view" data-view="compare">
      <div className="page-head">
        <h2>Compare</h2>
        <span className="muted">Two connections' messages aligned by content and direction. A replay is compared like any other connection.</span>
      </div>
      <div className="compare-pickers">
        <SidePicker which="left" />
        <button className="button" aria-label="Swap sides" title="Swap left and right" onClick={() => void compare.swap()}>⇄</button>
        <SidePicker which="right" />
      </div>
      {compare.error ? <div className="error-text" role="alert">{compare.error}</div> : null}
      {compare.loading ? <div className="muted">Comparing…</div> : null}
      {result ? (
        <div className="compare-summary" aria-label="Comparison summary">
          <span className="kind-same">{result.counts.same} same</span>
          <span className="kind-changed">{result.counts.changed} changed</span>
          <span className="kind-added">{result.counts.added} added</span>
          <span className="kind-removed">{result.counts.removed} removed</span>
          {!result.exact ? <span className="muted">(too many differences for an exact alignment: the middle is paired by position)</span> : null}
          {result.omitted.left + result.omitted.right > 0 ? <span className="muted">({result.omitted.left} left and {result.omitted.right} right messages past the limit are not compared)</span> : null}
        </div>
      ) : !compare.loading ? <div className="muted">Choose a connection on each side.</div> : null}
      {result ? (
        <div className="compare-body">
          <div className="compare-table" role="grid" aria-label="Aligned messages">
            <div className="compare-head" role="row">
              <span /><span>#</span><span /><span>{`#${result.left.connection.id} ${result.left.session}`}</span><span>#</span><span /><span>{`#${result.right.connection.id} ${result.right.session}`}</span>
            </div>
            <VirtualList
              count={result.rows.length}
              rowHeight={24}
              ref={list}
              onKeyDown={onKeyDown}
              ariaLabel="Aligned message rows"
              empty={<span className="muted">Neither connection has data messages.</span>}
              renderRow={(i) => <CompareRow index={i} row={result.rows[i]!} selected={compare.selectedRow === i} onSelect={() => void compare.selectRow(i)} />}
            />
          </div>
          <PairDiff />
        </div>
      ) : null}
    </div>
  );
}

function SidePicker({ which }: { which: 'left' | 'right' }) {
  const { compare } = useApp();
  const side: SidePick | undefined = compare[which];
  const label = which === 'left' ? 'Left' : 'Right';
  return (
    <div className={`compare-side compare-side-${which}`}>
      <span className="compare-side-label">{label}</span>
      <select aria-label={`${label} session`} value={side?.session ?? ''} onChange={(e) => void compare.setSession(which, e.target.value)}>
        {compare.sessions.map((s) => <option key={s.name} value={s.name}>{s.name}{s.live ? ' (live)' : ''}</option>)}
        {side && !compare.sessions.some((s) => s.name === side.session) ? <option value={side.session}>{side.session}</option> : null}
      </select>
      <select aria-label={`${label} connection`} className="compare-connection" value={side?.connectionId ?? ''} onChange={(e) => void compare.setConnection(which, e.target.value === '' ? undefined : Number(e.target.value))}>
        <option value="">Choose a connection…</option>
        {side?.connections.map((c) => <option key={c.id} value={c.id}>{`#${c.id} ${c.url} (${c.messageCount} msg)`}</option>)}
      </select>
    </div>
  );
}

function CompareRow({ index, row, selected, onSelect }: { index: number; row: ComparisonRow; selected: boolean; onSelect: () => void }) {
  const direction = (row.left ?? row.right)!.direction;
  return (
    <div
      className={`compare-row kind-${row.kind} ${selected ? 'selected' : ''}`}
      role="row"
      aria-selected={selected}
      data-compare-row={index}
      data-kind={row.kind}
      onMouseDown={onSelect}
    >
      <span className="compare-kind" title={row.kind}>{KIND_LABEL[row.kind]}</span>
      <span className="compare-num">{row.left?.number ?? ''}</span>
      <span className={`dir-${direction}`}>{direction === 'send' ? '↑' : '↓'}</span>
      <Preview message={row.left} />
      <span className="compare-num">{row.right?.number ?? ''}</span>
      <span className={`dir-${direction}`}>{direction === 'send' ? '↑' : '↓'}</span>
      <Preview message={row.right} />
    </div>
  );
}

function Preview({ message }: { message: MessageSummary | undefined }) {
  if (!message) return <span className="compare-preview muted">—</span>;
  return <span className={`compare-preview ${message.previewKind === 'hex' ? 'muted' : ''}`} title={message.preview}>{message.preview}</span>;
}
