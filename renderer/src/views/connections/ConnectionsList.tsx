// The connections list: URL, status, start, duration, frames and bytes each way, close code with its
// name, violations. Sortable by any column, filterable by text and status, virtualized.
import { memo, useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { VirtualList, type VirtualListHandle } from '../common/VirtualList.js';
import { Segmented } from '../common/Tabs.js';
import { Icon } from '../common/Icon.js';
import { clockTime, count, duration } from '../format.js';
import { formatBytes } from '../../protocol/bytes.js';
import { durationOf, type ConnectionRow, type ConnectionSortKey } from '../../model/connection-row.js';
import type { StatusFilter } from '../../model/connections-store.js';

const ROW_HEIGHT = 24;

const COLUMNS: { key: ConnectionSortKey; label: string; title?: string; numeric?: boolean }[] = [
  { key: 'id', label: '#', numeric: true },
  { key: 'url', label: 'URL' },
  { key: 'status', label: 'Status' },
  { key: 'start', label: 'Start' },
  { key: 'duration', label: 'Duration', numeric: true },
  { key: 'framesSent', label: '↑ Frames', title: 'Frames client to server', numeric: true },
  { key: 'framesReceived', label: '↓ Frames', title: 'Frames server to client', numeric: true },
  { key: 'bytesSent', label: '↑ Bytes', title: 'Wire bytes client to server', numeric: true },
  { key: 'bytesReceived', label: '↓ Bytes', title: 'Wire bytes server to client', numeric: true },
  { key: 'close', label: 'Close' },
  { key: 'violations', label: 'Violations', numeric: true },
];

export function ConnectionsList() {
  const { connections } = useApp();
  useStore(connections);
  const list = useRef<VirtualListHandle>(null);
  // Durations of open connections tick once a second.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const rows = connections.visibleRows(now);
  const selectedIndex = rows.findIndex((r) => r.id === connections.selectedId);

  const onKeyDown = useCallback((e: KeyboardEvent<HTMLDivElement>) => {
    const move = e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : 0;
    if (!move || rows.length === 0) return;
    e.preventDefault();
    const next = Math.max(0, Math.min(rows.length - 1, (selectedIndex < 0 ? -1 : selectedIndex) + move));
    connections.select(rows[next]!.id);
    list.current?.scrollToIndex(next);
  }, [connections, rows, selectedIndex]);

  const select = useCallback((id: number) => connections.select(id), [connections]);
  const renderRow = (i: number) => <ConnectionRowView row={rows[i]!} now={now} selected={rows[i]!.id === connections.selectedId} select={select} />;

  return (
    <section className="connections" aria-label="Connections">
      <div className="pane-bar">
        <h2 className="pane-title">Connections</h2>
        <div className="search-input">
          <Icon name="search" size={14} />
          <input
            type="search"
            placeholder="Filter by URL, id or close name"
            value={connections.filterText}
            onChange={(e) => connections.setFilterText(e.target.value)}
            aria-label="Filter connections"
          />
        </div>
        <Segmented<StatusFilter>
          label="Status"
          value={connections.statusFilter}
          onChange={(v) => connections.setStatusFilter(v)}
          options={[{ value: 'all', label: 'All' }, { value: 'open', label: 'Open' }, { value: 'closed', label: 'Closed' }, { value: 'failed', label: 'Failed' }]}
        />
        <span className="pane-count">{rows.length === connections.size ? count(rows.length) : `${count(rows.length)} of ${count(connections.size)}`}</span>
      </div>
      <div className="table connections-table">
        <div className="thead" role="row">
          {COLUMNS.map((c) => (
            <button
              key={c.key}
              role="columnheader"
              className={`th ${c.numeric ? 'num' : ''} ${connections.sortKey === c.key ? 'sorted' : ''}`}
              title={c.title ? `${c.title}: sort` : `Sort by ${c.label}`}
              aria-sort={connections.sortKey === c.key ? (connections.sortDescending ? 'descending' : 'ascending') : 'none'}
              onClick={() => connections.sortBy(c.key)}
            >
              {c.label}
              {connections.sortKey === c.key ? <Icon name={connections.sortDescending ? 'down' : 'up'} size={11} /> : null}
            </button>
          ))}
        </div>
        <VirtualList
          ref={list}
          count={rows.length}
          rowHeight={ROW_HEIGHT}
          renderRow={renderRow}
          onKeyDown={onKeyDown}
          ariaLabel="Connections"
          className="tbody"
          empty={
            connections.size === 0
              ? <div className="empty-state"><Icon name="plug" size={28} /><p>No WebSocket connections yet.</p><p className="muted">Point a client at the proxy: see “How to connect” in the toolbar.</p></div>
              : <div className="empty-state"><p>No connection matches the filter.</p></div>
          }
        />
      </div>
    </section>
  );
}

interface ConnectionRowProps {
  row: ConnectionRow;
  now: number;
  selected: boolean;
  select: (id: number) => void;
}

/**
 * One connection's row; rendered again only when its row (its counts), its selection or, while it is
 * open, the clock changed: a batch of counts re-renders the busy connections' rows, not the whole list.
 */
const ConnectionRowView = memo(function ConnectionRowView({ row, now, selected, select }: ConnectionRowProps) {
  return (
    <div className={`tr ${selected ? 'selected' : ''} state-${row.state}`} role="row" aria-selected={selected} onMouseDown={() => select(row.id)} data-connection-id={row.id}>
      <span className="td num muted">{row.id}</span>
      <span className="td url" title={row.url}><span className="url-host">{row.url.replace(/^(wss?:\/\/[^/]+).*$/, '$1')}</span><span className="url-path">{row.path}</span></span>
      <span className="td"><StatusBadge row={row} /></span>
      <span className="td muted">{clockTime(row.startedAt)}</span>
      <span className="td num">{row.status !== 'open' && row.endedAt === undefined ? <span className="muted">—</span> : duration(durationOf(row, now))}</span>
      {row.messagesOnly ? (
        // Imported without frames: its messages are what is known; wire bytes are not.
        <>
          <span className="td num" title="Messages client to server (no frames were recorded)">{count(row.messagesSent)} <span className="muted">msg</span></span>
          <span className="td num" title="Messages server to client (no frames were recorded)">{count(row.messagesReceived)} <span className="muted">msg</span></span>
          <span className="td num muted" title="Unknown: no frames were recorded">—</span>
          <span className="td num muted" title="Unknown: no frames were recorded">—</span>
        </>
      ) : (
        <>
          <span className="td num">{count(row.framesSent)}</span>
          <span className="td num">{count(row.framesReceived)}</span>
          <span className="td num">{formatBytes(row.bytesSent)}</span>
          <span className="td num">{formatBytes(row.bytesReceived)}</span>
        </>
      )}
      <span className="td" title={row.closeCode !== undefined ? `${row.closeCode} ${row.closeName}${row.closeReason ? `: ${row.closeReason}` : ''}${row.closedBy ? ` (closed by the ${row.closedBy})` : ''}` : row.error ?? ''}>
        {row.closeCode !== undefined ? <><code>{row.closeCode}</code> {row.closeName}</> : row.error ? <span className="error-text">{row.error}</span> : ''}
      </span>
      <span className="td num">{row.violations > 0 ? <span className="violation-count"><Icon name="warning" size={12} />{count(row.violations)}</span> : <span className="muted">0</span>}</span>
    </div>
  );
}, (a, b) => a.row === b.row && a.selected === b.selected && a.select === b.select && (a.now === b.now || !ticks(b.row)));

/** The row's duration runs with the clock (it shows nothing else that does). */
function ticks(row: ConnectionRow): boolean {
  return row.endedAt === undefined && row.status === 'open';
}

export function StatusBadge({ row }: { row: Pick<ConnectionRow, 'state' | 'httpStatus'> }) {
  const label = row.state === 'failed' && row.httpStatus !== undefined && row.httpStatus !== 101 ? `failed ${row.httpStatus}` : row.state;
  return <span className={`badge status-badge status-${row.state}`}>{label}</span>;
}
