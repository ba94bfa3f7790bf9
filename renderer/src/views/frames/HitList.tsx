// The search hits, listed as they stream in (the first ones show at once). Selecting one shows the
// frame (or, for a connection listed by message, the message); double-clicking returns to the list at
// that row.
import { timeHeading } from '../time-format.js';
import { useRef, type KeyboardEvent } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { VirtualList, type VirtualListHandle } from '../common/VirtualList.js';
import { DirectionCell, OpcodeBadge, TimeCell } from './frame-cells.js';
import { FRAME_ROW_HEIGHT } from './TrafficList.js';
import type { HitRow } from '../../model/search-store.js';

export function HitList() {
  const { search, frameDetail, messageDetail, frames, messages, settings, view, connections } = useApp();
  useStore(search);
  useStore(frameDetail);
  useStore(messageDetail);
  useStore(settings);
  const list = useRef<VirtualListHandle>(null);
  // A connection recorded without frames: its hits are messages, shown in the message detail.
  const byMessage = messages.connectionId !== undefined;
  const connectionId = frames.connectionId!;
  const origin = connections.get(connectionId)?.startedAt ?? 0;
  const detail = byMessage ? messageDetail : frameDetail;
  const target = (hit: HitRow | undefined) => (hit === undefined ? undefined : byMessage ? hit.message : hit.frame >= 0 ? hit.frame : undefined);
  const selectedIndex = detail.index >= 0 && target(search.hits[detail.index]) === detail.number ? detail.index : -1;

  const select = (index: number) => {
    const number = target(search.hits[index]);
    if (number === undefined) return;
    detail.select(connectionId, number, index);
    if (!view.detailOpen) view.setDetailOpen(true);
  };

  const reveal = (hit: HitRow) => {
    const number = target(hit);
    if (number === undefined) return;
    search.clear();
    if (byMessage) view.revealMessage(number);
    else view.revealFrame(number);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    let next: number | undefined;
    if (e.key === 'ArrowDown') next = selectedIndex + 1;
    else if (e.key === 'ArrowUp') next = Math.max(0, selectedIndex - 1);
    else if (e.key === 'Enter') {
      view.focusDetail();
      return;
    } else return;
    e.preventDefault();
    next = Math.max(0, Math.min(search.hits.length - 1, next));
    list.current?.scrollToIndex(next);
    select(next);
  };

  const words = search.query.text;
  const unit = byMessage ? 'message' : 'frame';
  return (
    <div className={`table frames-table hits-table ${byMessage ? 'by-message' : ''}`}>
      <div className="thead" role="row">
        <span className="th num" title={byMessage ? 'Message number' : 'Frame number'}>#</span>
        <span className="th">{timeHeading(settings.timeFormat)}</span>
        <span className="th">Dir</span>
        <span className="th">Opcode</span>
        <span className="th">Match</span>
        {byMessage ? null : <span className="th num">Message</span>}
      </div>
      <VirtualList
        ref={list}
        count={search.hits.length}
        rowHeight={FRAME_ROW_HEIGHT}
        onKeyDown={onKeyDown}
        ariaLabel="Search hits"
        className="tbody"
        renderRow={(i) => {
          const hit = search.hits[i]!;
          const number = target(hit);
          return (
            <div
              className={`tr frame-row hit-row ${i === selectedIndex ? 'selected' : ''} ${number === undefined ? 'no-frame' : ''}`}
              role="row"
              data-hit={number ?? -1}
              title={number === undefined ? 'A message without recorded frames (imported)' : `Double-click to show this ${unit} in the list`}
              onMouseDown={() => select(i)}
              onDoubleClick={() => reveal(hit)}
            >
              <span className="td num muted">{number ?? '—'}</span>
              <TimeCell time={hit.time} origin={origin} format={settings.timeFormat} />
              <DirectionCell direction={hit.direction} />
              <span className="td"><OpcodeBadge badge={hit.badge} /></span>
              <span className="td preview"><Highlighted text={hit.snippet} query={words} regex={search.query.regex} caseSensitive={search.query.caseSensitive} /></span>
              {byMessage ? null : <span className="td num muted">{hit.message ?? ''}</span>}
            </div>
          );
        }}
        empty={<div className="empty-state"><p>{search.running ? 'Searching…' : search.error ? search.error : 'No payload matches.'}</p></div>}
      />
    </div>
  );
}

/** The snippet with its first match marked. */
function Highlighted({ text, query, regex, caseSensitive }: { text: string; query: string; regex: boolean; caseSensitive: boolean }) {
  let match: { index: number; length: number } | undefined;
  try {
    const pattern = new RegExp(regex ? query : query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), caseSensitive ? '' : 'i');
    const m = pattern.exec(text);
    if (m && m[0].length > 0) match = { index: m.index, length: m[0].length };
  } catch {
    // The engine accepted the pattern; this is only the marking.
  }
  if (!match) return <>{text}</>;
  return <>{text.slice(0, match.index)}<mark>{text.slice(match.index, match.index + match.length)}</mark>{text.slice(match.index + match.length)}</>;
}
