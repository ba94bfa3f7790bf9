// A list that renders only the rows in view (plus a few), for lists of any length. Row elements are
// recycled by slot, so scrolling updates a fixed set of DOM nodes. Past about ten million pixels
// browsers cannot make an element taller, so a longer list maps its scroll range onto the rows
// proportionally (a million 22 px rows still scroll from first to last).
import { useCallback, useEffect, useImperativeHandle, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode, type Ref } from 'react';

export interface VirtualListHandle {
  /** Scrolls the row into view: 'nearest' moves as little as it can. */
  scrollToIndex(index: number, align?: 'nearest' | 'start' | 'center'): void;
  scrollToEnd(): void;
  /** The view shows the last row. */
  isAtEnd(): boolean;
  focus(): void;
  /** Rows that fit in the view (for Page Up / Page Down). */
  pageSize(): number;
}

interface VirtualListProps {
  count: number;
  rowHeight: number;
  renderRow: (index: number) => ReactNode;
  /** Told the rows in view whenever they change. */
  onRangeChange?: (first: number, last: number) => void;
  /** The user (not the list itself) scrolled; atEnd says whether the last row is in view. */
  onUserScroll?: (atEnd: boolean) => void;
  onKeyDown?: (event: KeyboardEvent<HTMLDivElement>) => void;
  className?: string;
  /** Extra rows rendered above and below the view. */
  overscan?: number;
  ariaLabel?: string;
  ref?: Ref<VirtualListHandle>;
  /** Shown when count is 0. */
  empty?: ReactNode;
  /** Keep the last row in view as the list grows (a followed live tail): rendered there at once, not scrolled after. */
  stickToEnd?: boolean;
}

/** The tallest scroll area used; longer lists scroll proportionally. */
const MAX_SCROLL_PX = 8_000_000;

export function VirtualList({ count, rowHeight, renderRow, onRangeChange, onUserScroll, onKeyDown, className, overscan = 6, ariaLabel, ref, empty, stickToEnd = false }: VirtualListProps) {
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(0);
  // Told apart by position, not by timing: the browser fires one scroll event per frame for every move
  // in it, the list's own and the user's alike. `own` is where the list last put the view (until a scroll
  // event reports it), `known` the last position the list saw or set. A scroll event at `own` is the
  // list's; anywhere else the user moved the view, even in the same frame as the list's own move.
  const own = useRef<number | undefined>(undefined);
  const known = useRef(0);

  const contentHeight = count * rowHeight;
  const scrollHeight = Math.min(contentHeight, MAX_SCROLL_PX);
  const maxScroll = Math.max(0, scrollHeight - height);
  const maxContent = Math.max(0, contentHeight - height);
  const ratio = maxScroll > 0 ? maxContent / maxScroll : 1;
  const top = stickToEnd ? maxScroll : Math.min(scrollTop, maxScroll);
  const contentTop = top * ratio;
  // A followed tail renders no rows above the view: they change on every batch and nobody sees them.
  const first = Math.max(0, Math.floor(contentTop / rowHeight) - (stickToEnd ? 0 : overscan));
  const last = Math.min(count - 1, Math.ceil((contentTop + height) / rowHeight) + overscan);

  // The observer reports the first size after the browser's own layout: no forced layout on mount.
  useEffect(() => {
    const el = viewport.current!;
    const observer = new ResizeObserver((entries) => setHeight(Math.round(entries[0]!.contentRect.height)));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (count > 0 && height > 0) onRangeChange?.(Math.max(0, first), Math.max(0, last));
  }, [first, last, count, height, onRangeChange]);

  // Following: the rows were rendered at the end; the scroll position catches up before paint.
  useLayoutEffect(() => {
    const el = viewport.current;
    if (!stickToEnd || !el || Math.abs(el.scrollTop - maxScroll) < 1) return;
    // The user moved the view since the list last saw it, and that scroll event is still to come:
    // leave the view where the user put it, and let the event stop following.
    if (Math.abs(el.scrollTop - known.current) >= 1) return;
    el.scrollTop = maxScroll;
    own.current = known.current = el.scrollTop;
  }, [stickToEnd, maxScroll]);

  const scrollTo = useCallback((px: number) => {
    const el = viewport.current!;
    const target = Math.max(0, Math.min(px, el.scrollHeight - el.clientHeight));
    if (Math.abs(el.scrollTop - target) < 1) return;
    el.scrollTop = target;
    own.current = known.current = el.scrollTop;
    setScrollTop(target);
  }, []);

  useImperativeHandle(ref, () => ({
    scrollToIndex(index, align = 'nearest') {
      const rowTop = index * rowHeight;
      let content = contentTop;
      if (align === 'start') content = rowTop;
      else if (align === 'center') content = rowTop - (height - rowHeight) / 2;
      else if (rowTop < contentTop) content = rowTop;
      else if (rowTop + rowHeight > contentTop + height) content = rowTop + rowHeight - height;
      else return;
      scrollTo(content / ratio);
    },
    scrollToEnd() {
      scrollTo(Number.MAX_SAFE_INTEGER);
    },
    isAtEnd() {
      const el = viewport.current!;
      return el.scrollTop + el.clientHeight >= el.scrollHeight - 2;
    },
    focus() {
      viewport.current?.focus({ preventScroll: true });
    },
    pageSize() {
      return Math.max(1, Math.floor(height / rowHeight) - 1);
    },
  }), [rowHeight, contentTop, height, ratio, scrollTo]);

  // A fixed set of slots, each showing the one row in view whose index is its slot number modulo the
  // pool: as the view moves, a slot's row changes in place, and DOM nodes are neither created nor moved.
  const pool = Math.ceil(height / rowHeight) + 2 * overscan + 2;
  const rows: ReactNode[] = [];
  if (count > 0 && height > 0) {
    for (let slot = 0; slot < pool; slot++) {
      const i = first + ((slot - (first % pool) + pool) % pool);
      rows.push(i <= last ? (
        <div key={slot} className="vrow" style={{ transform: `translateY(${top + i * rowHeight - contentTop}px)`, height: rowHeight }}>
          {renderRow(i)}
        </div>
      ) : <div key={slot} className="vrow vrow-idle" />);
    }
  }

  return (
    <div
      ref={viewport}
      className={`vlist ${className ?? ''}`}
      tabIndex={0}
      role="grid"
      aria-label={ariaLabel}
      aria-rowcount={count}
      onKeyDown={onKeyDown}
      onScroll={(e) => {
        // Only scrollTop is read: the heights are known, so the handler never forces a layout.
        const at = e.currentTarget.scrollTop;
        setScrollTop(at);
        known.current = at;
        const mine = own.current !== undefined && Math.abs(at - own.current) < 1;
        own.current = undefined;
        if (!mine) onUserScroll?.(at + height >= scrollHeight - 2);
      }}
    >
      <div className="vlist-spacer" style={{ height: scrollHeight }}>
        {rows}
      </div>
      {count === 0 && empty ? <div className="vlist-empty">{empty}</div> : null}
    </div>
  );
}
