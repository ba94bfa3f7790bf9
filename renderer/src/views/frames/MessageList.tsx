// The message list of a connection recorded without wire frames (a HAR from Chrome, HTTP Toolkit,
// mitmproxy or Playwright keeps data messages only): one row per message, virtualized and fetched by
// range like the frame timeline, with the same keys (arrows move, Enter opens the detail).
import { useCallback, useEffect, useRef, type KeyboardEvent } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { VirtualList, type VirtualListHandle } from '../common/VirtualList.js';
import { count } from '../format.js';
import { DirectionCell, OpcodeBadge, TimeCell } from './frame-cells.js';
import { FRAME_ROW_HEIGHT } from './FrameTimeline.js';
import type { MessageRow } from '../../model/message-row.js';

export function MessageList() {
  const { messages, messageDetail, view, settings, connections } = useApp();
  useStore(messages);
  useStore(messageDetail);
  useStore(settings);
  useStore(view);
  const list = useRef<VirtualListHandle>(null);
  const connectionId = messages.connectionId!;
  const connection = connections.get(connectionId);
  const origin = connection?.startedAt ?? 0;

  const onRange = useCallback((first: number, last: number) => messages.ensureRange(first, last), [messages]);

  const selectIndex = useCallback((index: number) => {
    const number = messages.numberAt(index);
    if (number === undefined) return;
    messageDetail.select(connectionId, number, index);
    if (!view.detailOpen) view.setDetailOpen(true);
  }, [messages, messageDetail, view, connectionId]);

  // Keep the selected message in view when the filter changes the list under it.
  const filterKey = JSON.stringify(messages.filter);
  useEffect(() => {
    const number = messageDetail.number;
    if (number === undefined || messageDetail.connectionId !== connectionId) return;
    void messages.initialized.then(() => {
      const index = messages.locate(number);
      messageDetail.select(connectionId, number, index);
      list.current?.scrollToIndex(index, 'center');
    });
    // Only when the list itself changes, not on every selection.
  }, [filterKey]);

  // A message to reveal (a double-clicked search hit).
  const revealSeq = view.reveal?.seq;
  useEffect(() => {
    if (view.reveal?.kind !== 'message') return;
    const index = messages.locate(view.reveal.number);
    list.current?.scrollToIndex(index, 'center');
    selectIndex(index);
  }, [revealSeq]);

  const selectedIndex = (() => {
    if (messageDetail.number === undefined || messageDetail.connectionId !== connectionId) return -1;
    if (messageDetail.index >= 0 && messages.numberAt(messageDetail.index) === messageDetail.number) return messageDetail.index;
    return messages.filtered ? -1 : messageDetail.number;
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
      case 'End': next = messages.total - 1; break;
      case 'Enter':
        if (messageDetail.number !== undefined) view.focusDetail();
        e.preventDefault();
        return;
      case 'Escape':
        view.setDetailOpen(false);
        return;
      default:
        return;
    }
    e.preventDefault();
    next = Math.max(0, Math.min(messages.total - 1, next));
    list.current?.scrollToIndex(next);
    selectIndex(next);
  };

  const renderRow = (index: number) => {
    const row = messages.rowAt(index);
    if (!row) return <div className="tr frame-row loading" aria-busy="true"><span className="td num muted">…</span><span className="skeleton" /></div>;
    return (
      <MessageRowView
        row={row}
        selected={row.number === messageDetail.number && messageDetail.connectionId === connectionId}
        origin={origin}
        format={settings.timeFormat}
        onSelect={() => selectIndex(index)}
      />
    );
  };

  return (
    <div className="message-list">
      <div className="info-line messages-banner" data-testid="messages-only">
        Recorded without wire frames (its HAR keeps data messages only): listed by message. Header bits, masking and fragmentation are unknown.
      </div>
      <div className="table frames-table messages-table">
        <div className="thead" role="row">
          <span className="th num">#</span>
          <span className="th">{settings.timeFormat === 'absolute' ? 'Time' : 'Since start'}</span>
          <span className="th" title="Direction">Dir</span>
          <span className="th">Opcode</span>
          <span className="th num" title="Size of the (decompressed) data">Size</span>
          <span className="th">Data</span>
          <span className="th" title="Compression, truncation, violations and proxy marks">Flags</span>
        </div>
        <VirtualList
          ref={list}
          count={messages.total}
          rowHeight={FRAME_ROW_HEIGHT}
          renderRow={renderRow}
          onRangeChange={onRange}
          onKeyDown={onKeyDown}
          ariaLabel="Messages"
          className="tbody"
          empty={<div className="empty-state"><p>{messages.filtering ? 'Filtering…' : messages.filtered ? 'No message matches the filter.' : 'No messages.'}</p></div>}
        />
      </div>
    </div>
  );
}

function MessageRowView({ row, selected, origin, format, onSelect }: { row: MessageRow; selected: boolean; origin: number; format: 'absolute' | 'relative'; onSelect: () => void }) {
  return (
    <div
      className={`tr frame-row row-${row.direction} ${selected ? 'selected' : ''} ${row.violations.length > 0 ? 'has-violation' : ''} ${row.dropped ? 'dropped' : ''}`}
      role="row"
      aria-selected={selected}
      data-message={row.number}
      onMouseDown={onSelect}
    >
      <span className="td num muted">{row.number}</span>
      <TimeCell time={row.time} origin={origin} format={format} />
      <DirectionCell direction={row.direction} />
      <span className="td"><OpcodeBadge badge={row.badge} /></span>
      <span className="td num">{count(row.size)}</span>
      <span className={`td preview ${row.previewIsHex ? 'hex' : ''}`}>{row.preview}{row.truncated || row.size > 64 ? <span className="muted"> …</span> : null}</span>
      <span className="td notes">
        {row.compressed ? <span className="mark mark-inflated" title="Sent compressed (permessage-deflate, RFC 7692); size and data are inflated">deflate</span> : null}
        {row.truncated ? <span className="mark mark-truncated" title="Only the start of the data was stored">truncated</span> : null}
        {row.violations.length > 0 ? <span className="violation-mark" title={row.violations.join(', ')}>⚠ {row.violations.length > 1 ? row.violations.length : row.violations[0]}</span> : null}
        {row.injected ? <span className="mark mark-injected">injected</span> : null}
        {row.edited ? <span className="mark mark-edited">edited</span> : null}
        {row.dropped ? <span className="mark mark-dropped">dropped</span> : null}
      </span>
    </div>
  );
}
