// The list of a connection's frames or of its messages, whichever it was recorded as: rows
// virtualized and fetched by range, so it stays smooth at a million rows. Arrow keys move the
// selection, Enter opens the detail, and the selection stays in view when the list changes under it;
// a live list's tail follows new rows until the user scrolls away. Each list brings its own columns.
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { VirtualList, type VirtualListHandle } from '../common/VirtualList.js';
import { useFocusRequest } from '../common/use-focus-request.js';
import type { Direction } from '../../api/wire.js';
import type { DetailSelection } from '../../model/detail-selection.js';
import type { Observable } from '../../model/observable.js';

export const FRAME_ROW_HEIGHT = 22;

/** What the list reads of a row. */
export interface TrafficRow {
  /** The frame's or message's number in its connection. */
  number: number;
  direction: Direction;
  violations: readonly string[];
  dropped: boolean;
}

/** The store of the rows, by position in the (filtered) list. */
export interface TrafficRows<Row extends TrafficRow> extends Observable {
  connectionId: number | undefined;
  filter: object;
  /** The column the list is sorted by, when the engine sorts it (positions are then not numbers). */
  readonly sort?: object;
  readonly total: number;
  /** Moves when the list becomes another one: its rows are asked for again even at the same length. */
  readonly generation: number;
  readonly filtered: boolean;
  /** The row at a position, or undefined while it loads. */
  rowAt(index: number): Row | undefined;
  /** The number at a position, or undefined until it is known. */
  numberAt(index: number): number | undefined;
  ensureRange(first: number, last: number): void;
  /** The position of a number, or of the first row after it that the list shows. */
  locate(number: number): number | Promise<number>;
}

/** A list that grows while it is shown and can follow its newest row. */
export interface LiveTail {
  follow: boolean;
  setFollow(on: boolean): void;
}

interface TrafficListProps<Row extends TrafficRow> {
  rows: TrafficRows<Row>;
  /** The selected row and its detail. */
  selection: DetailSelection<unknown>;
  /** The reveals (view.reveal) this list answers. */
  reveal: 'frame' | 'message';
  /** Where a selected number sits once the list has settled after a filter change. */
  locateAfterFilter(number: number): Promise<number>;
  /** Given for a live list. */
  tail?: LiveTail;
  /** The row element's data attribute that carries its number. */
  numberAttribute: 'data-frame' | 'data-message';
  /** The cells of a loaded row, at its position in the list. */
  renderCells(row: Row, index: number): ReactNode;
  ariaLabel: string;
  empty: ReactNode;
}

export function TrafficList<Row extends TrafficRow>({ rows, selection, reveal, locateAfterFilter, tail, numberAttribute, renderCells, ariaLabel, empty }: TrafficListProps<Row>) {
  const { view } = useApp();
  useStore(rows);
  useStore(selection);
  useStore(view);
  const list = useRef<VirtualListHandle>(null);
  const [pending, setPending] = useState<number>();
  const connectionId = rows.connectionId!;

  // A new callback for each list generation: the view asks for its rows again even when another
  // session's list has as many rows as this one (same range, same count).
  const generation = rows.generation;
  const onRange = useCallback((first: number, last: number) => rows.ensureRange(first, last), [rows, generation]);

  const selectIndex = useCallback((index: number) => {
    const number = rows.numberAt(index);
    if (number === undefined) {
      // Not loaded yet: select it when it arrives.
      setPending(index);
      rows.ensureRange(index, index);
      return;
    }
    setPending(undefined);
    selection.select(connectionId, number, index);
    if (!view.detailOpen) view.setDetailOpen(true);
  }, [rows, selection, view, connectionId]);

  useFocusRequest(view, 'list', list);

  // A row asked for before it loaded.
  useEffect(() => {
    if (pending !== undefined && rows.numberAt(pending) !== undefined) selectIndex(pending);
  });

  // Keep the selected row in view when the list changes under it (filter, end of a search).
  const filterKey = JSON.stringify([rows.filter, rows.sort ?? null]);
  useEffect(() => {
    const number = selection.number;
    if (number === undefined || selection.connectionId !== connectionId) return;
    let cancelled = false;
    void locateAfterFilter(number).then((index) => {
      if (cancelled) return;
      selection.select(connectionId, number, index);
      list.current?.scrollToIndex(index, 'center');
    });
    return () => {
      cancelled = true;
    };
    // Only when the list itself changes, not on every selection.
  }, [filterKey]);

  // A row to reveal (a click on the rate plot, a search hit).
  const revealSeq = view.reveal?.seq;
  useEffect(() => {
    if (view.reveal?.kind !== reveal) return;
    const target = view.reveal.number;
    let cancelled = false;
    const show = (index: number) => {
      if (cancelled) return;
      list.current?.scrollToIndex(index, 'center');
      selectIndex(index);
    };
    tail?.setFollow(false);
    const located = rows.locate(target);
    if (typeof located === 'number') show(located);
    else void located.then(show);
    return () => {
      cancelled = true;
    };
  }, [revealSeq]);

  const selectedIndex = (() => {
    if (selection.number === undefined || selection.connectionId !== connectionId) return -1;
    if (selection.index >= 0 && rows.numberAt(selection.index) === selection.number) return selection.index;
    return rows.filtered || rows.sort ? -1 : selection.number;
  })();

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = list.current?.pageSize() ?? 10;
    let next: number;
    switch (e.key) {
      case 'ArrowDown': next = selectedIndex + 1; break;
      case 'ArrowUp': next = selectedIndex < 0 ? 0 : selectedIndex - 1; break;
      case 'PageDown': next = selectedIndex + page; break;
      case 'PageUp': next = selectedIndex - page; break;
      case 'Home': next = 0; break;
      case 'End': next = rows.total - 1; break;
      case 'Enter':
        if (selection.number !== undefined) view.focusDetail();
        e.preventDefault();
        return;
      case 'Escape':
        view.setDetailOpen(false);
        return;
      default:
        return;
    }
    e.preventDefault();
    next = Math.max(0, Math.min(rows.total - 1, next));
    if (next !== rows.total - 1) tail?.setFollow(false);
    list.current?.scrollToIndex(next);
    selectIndex(next);
  };

  const renderRow = (index: number) => {
    const row = rows.rowAt(index);
    if (!row) return <div className="tr frame-row loading" aria-busy="true"><span className="td num muted">…</span><span className="skeleton" /></div>;
    const selected = row.number === selection.number && selection.connectionId === connectionId;
    return (
      <div
        className={`tr frame-row row-${row.direction} ${selected ? 'selected' : ''} ${row.violations.length > 0 ? 'has-violation' : ''} ${row.dropped ? 'dropped' : ''}`}
        role="row"
        aria-selected={selected}
        {...{ [numberAttribute]: row.number }}
        onMouseDown={() => selectIndex(index)}
      >
        {renderCells(row, index)}
      </div>
    );
  };

  return (
    <VirtualList
      ref={list}
      count={rows.total}
      rowHeight={FRAME_ROW_HEIGHT}
      renderRow={renderRow}
      onRangeChange={onRange}
      onUserScroll={tail ? (atEnd) => tail.setFollow(atEnd) : undefined}
      // The live tail: the newest row stays in view while following.
      stickToEnd={tail?.follow === true && rows.total > 0}
      onKeyDown={onKeyDown}
      ariaLabel={ariaLabel}
      className="tbody"
      empty={empty}
    />
  );
}
