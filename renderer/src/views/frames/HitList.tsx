// The search hits, listed as they stream in (the first ones show at once). Selecting one shows the
// frame; clearing the search returns to the timeline at that frame.
import { useRef, type KeyboardEvent } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { VirtualList, type VirtualListHandle } from '../common/VirtualList.js';
import { DirectionCell, OpcodeBadge, TimeCell } from './frame-cells.js';
import { FRAME_ROW_HEIGHT } from './FrameTimeline.js';

export function HitList() {
  const { search, frameDetail, frames, settings, view, connections } = useApp();
  useStore(search);
  useStore(frameDetail);
  useStore(settings);
  const list = useRef<VirtualListHandle>(null);
  const connectionId = frames.connectionId!;
  const origin = connections.get(connectionId)?.startedAt ?? 0;
  const selectedIndex = frameDetail.index >= 0 && search.hits[frameDetail.index]?.frame === frameDetail.number ? frameDetail.index : -1;

  const select = (index: number) => {
    const hit = search.hits[index];
    if (!hit || hit.frame < 0) return;
    frameDetail.select(connectionId, hit.frame, index);
    if (!view.detailOpen) view.setDetailOpen(true);
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
  return (
    <div className="table frames-table hits-table">
      <div className="thead" role="row">
        <span className="th num">#</span>
        <span className="th">{settings.timeFormat === 'absolute' ? 'Time' : 'Since start'}</span>
        <span className="th">Dir</span>
        <span className="th">Opcode</span>
        <span className="th">Match</span>
        <span className="th num">Message</span>
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
          return (
            <div className={`tr frame-row hit-row ${i === selectedIndex ? 'selected' : ''} ${hit.frame < 0 ? 'no-frame' : ''}`} role="row" data-hit={hit.frame} title={hit.frame < 0 ? 'A message without recorded frames (imported)' : 'Double-click to show it in the timeline'} onMouseDown={() => select(i)} onDoubleClick={() => {
              if (hit.frame < 0) return;
              search.clear();
              view.revealFrame(hit.frame);
            }}>
              <span className="td num muted">{hit.frame < 0 ? '—' : hit.frame}</span>
              <TimeCell time={hit.time} origin={origin} format={settings.timeFormat} />
              <DirectionCell direction={hit.direction} />
              <span className="td"><OpcodeBadge badge={hit.badge} /></span>
              <span className="td preview"><Highlighted text={hit.snippet} query={words} regex={search.query.regex} caseSensitive={search.query.caseSensitive} /></span>
              <span className="td num muted">{hit.message ?? ''}</span>
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
