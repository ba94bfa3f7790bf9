// The frame timeline: one row per wire frame, virtualized and fetched by range, so it stays smooth
// at a million rows. Arrow keys move the selection, Enter opens the detail, the tail follows live
// traffic until the user scrolls away from it.
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { VirtualList, type VirtualListHandle } from '../common/VirtualList.js';
import { Icon } from '../common/Icon.js';
import { count } from '../format.js';
import { DirectionCell, FlagMarkers, OpcodeBadge, TimeCell } from './frame-cells.js';
import type { FrameRow } from '../../model/frame-row.js';

export const FRAME_ROW_HEIGHT = 22;

export function FrameTimeline() {
  const { frames, frameDetail, view, settings, connections } = useApp();
  useStore(frames);
  useStore(frameDetail);
  useStore(settings);
  useStore(view);
  const list = useRef<VirtualListHandle>(null);
  const [pending, setPending] = useState<number>();
  const connectionId = frames.connectionId!;
  const connection = connections.get(connectionId);
  const origin = connection?.startedAt ?? 0;

  const onRange = useCallback((first: number, last: number) => frames.ensureRange(first, last), [frames]);

  const selectIndex = useCallback((index: number) => {
    const row = frames.rowAt(index);
    if (!row) {
      // Not loaded yet: select it when it arrives.
      setPending(index);
      frames.ensureRange(index, index);
      return;
    }
    setPending(undefined);
    frameDetail.select(connectionId, row.number, index);
    if (!view.detailOpen) view.setDetailOpen(true);
  }, [frames, frameDetail, view, connectionId]);

  // A row asked for before it loaded.
  useEffect(() => {
    if (pending !== undefined && frames.rowAt(pending)) selectIndex(pending);
  });

  // The live tail: keep the newest row in view while following.
  useLayoutEffect(() => {
    if (frames.follow && frames.total > 0) list.current?.scrollToEnd();
  }, [frames.total, frames.follow]);

  // Keep the selected frame in view when the list changes under it (filter, end of a search).
  const filterKey = JSON.stringify(frames.filter);
  useEffect(() => {
    const number = frameDetail.number;
    if (number === undefined || frameDetail.connectionId !== connectionId) return;
    let cancelled = false;
    void frames.locate(number).then((index) => {
      if (cancelled) return;
      frameDetail.select(connectionId, number, index);
      list.current?.scrollToIndex(index, 'center');
    });
    return () => {
      cancelled = true;
    };
    // Only when the list itself changes, not on every selection.
  }, [filterKey]);

  // A frame to reveal (a click on the rate plot, a search hit).
  const revealSeq = view.reveal?.seq;
  useEffect(() => {
    if (view.reveal?.kind !== 'frame') return;
    const target = view.reveal.number;
    let cancelled = false;
    frames.setFollow(false);
    void frames.locate(target).then((index) => {
      if (cancelled) return;
      list.current?.scrollToIndex(index, 'center');
      selectIndex(index);
    });
    return () => {
      cancelled = true;
    };
  }, [revealSeq]);

  const selectedIndex = (() => {
    if (frameDetail.number === undefined || frameDetail.connectionId !== connectionId) return -1;
    if (frameDetail.index >= 0 && frames.rowAt(frameDetail.index)?.number === frameDetail.number) return frameDetail.index;
    return frames.filtered ? -1 : frameDetail.number;
  })();

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = list.current?.pageSize() ?? 10;
    const from = selectedIndex >= 0 ? selectedIndex : -1;
    let next: number | undefined;
    switch (e.key) {
      case 'ArrowDown': next = from + 1; break;
      case 'ArrowUp': next = from < 0 ? 0 : from - 1; break;
      case 'PageDown': next = from + page; break;
      case 'PageUp': next = from - page; break;
      case 'Home': next = 0; break;
      case 'End': next = frames.total - 1; break;
      case 'Enter':
        if (frameDetail.number !== undefined) view.focusDetail();
        e.preventDefault();
        return;
      case 'Escape':
        view.setDetailOpen(false);
        return;
      default:
        return;
    }
    e.preventDefault();
    next = Math.max(0, Math.min(frames.total - 1, next));
    if (next !== frames.total - 1) frames.setFollow(false);
    list.current?.scrollToIndex(next);
    selectIndex(next);
  };

  const renderRow = (index: number) => {
    const row = frames.rowAt(index);
    if (!row) return <div className="tr frame-row loading" aria-busy="true"><span className="td num muted">…</span><span className="skeleton" /></div>;
    return (
      <FrameRowView
        row={row}
        selected={row.number === frameDetail.number && frameDetail.connectionId === connectionId}
        origin={origin}
        format={settings.timeFormat}
        onSelect={() => selectIndex(index)}
      />
    );
  };

  return (
    <div className="table frames-table">
      <div className="thead" role="row">
        <span className="th num">#</span>
        <span className="th">{settings.timeFormat === 'absolute' ? 'Time' : 'Since start'}</span>
        <span className="th" title="Direction">Dir</span>
        <span className="th">Opcode</span>
        <span className="th" title="FIN, RSV1, RSV2, RSV3, MASK">Flags</span>
        <span className="th num">Length</span>
        <span className="th">Payload</span>
        <span className="th" title="Violations and proxy marks">Notes</span>
      </div>
      <VirtualList
        ref={list}
        count={frames.total}
        rowHeight={FRAME_ROW_HEIGHT}
        renderRow={renderRow}
        onRangeChange={onRange}
        onUserScroll={(atEnd) => frames.setFollow(atEnd)}
        onKeyDown={onKeyDown}
        ariaLabel="Frames"
        className="tbody"
        empty={<EmptyTimeline filtered={frames.filtered} />}
      />
      {frames.total > 0 && !frames.follow && connection?.status === 'open' ? (
        <button className="jump-latest" onClick={() => frames.setFollow(true)}>
          <Icon name="follow" size={13} /> Latest ({count(frames.total)})
        </button>
      ) : null}
    </div>
  );
}

function EmptyTimeline({ filtered }: { filtered: boolean }) {
  if (filtered) return <div className="empty-state"><p>No frame matches the filter.</p></div>;
  return <div className="empty-state"><p>No frames on this connection yet.</p></div>;
}

function FrameRowView({ row, selected, origin, format, onSelect }: { row: FrameRow; selected: boolean; origin: number; format: 'absolute' | 'relative'; onSelect: () => void }) {
  return (
    <div
      className={`tr frame-row row-${row.direction} ${selected ? 'selected' : ''} ${row.violations.length > 0 ? 'has-violation' : ''} ${row.dropped ? 'dropped' : ''}`}
      role="row"
      aria-selected={selected}
      data-frame={row.number}
      onMouseDown={onSelect}
    >
      <span className="td num muted">{row.number}</span>
      <TimeCell time={row.time} origin={origin} format={format} />
      <DirectionCell direction={row.direction} />
      <span className="td"><OpcodeBadge badge={row.badge} /></span>
      <FlagMarkers fin={row.fin} rsv1={row.rsv1} rsv2={row.rsv2} rsv3={row.rsv3} masked={row.masked} />
      <span className="td num">{count(row.payloadLength)}</span>
      <span className={`td preview ${row.previewIsHex ? 'hex' : ''}`}>
        {row.previewInflated ? <span className="mark mark-inflated" title="Preview of the decompressed message this frame completes (permessage-deflate, RFC 7692); the length is the compressed payload's">inflated</span> : null}
        {row.preview}{row.truncated ? <span className="muted"> …</span> : null}
      </span>
      <span className="td notes">
        {row.violations.length > 0 ? <span className="violation-mark" title={row.violations.join(', ')}>⚠ {row.violations.length > 1 ? row.violations.length : row.violations[0]}</span> : null}
        {row.injected ? <span className="mark mark-injected">injected</span> : null}
        {row.edited ? <span className="mark mark-edited">edited</span> : null}
        {row.dropped ? <span className="mark mark-dropped">dropped</span> : null}
      </span>
    </div>
  );
}
