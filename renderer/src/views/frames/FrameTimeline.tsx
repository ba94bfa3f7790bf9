// The frame timeline: one row per wire frame, in the traffic list, so it stays smooth at a million
// rows; the tail follows live traffic until the user scrolls away from it.
import { memo, type CSSProperties } from 'react';
import type { TimeFormat } from '../../model/settings-store.js';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { Icon } from '../common/Icon.js';
import { count } from '../format.js';
import { FlagMarkers, RowLead, RowNotes } from './frame-cells.js';
import { FrameSortHeads } from './FrameSortHeads.js';
import { TrafficList } from './TrafficList.js';
import { RowMarks } from './AnnotationEditor.js';
import type { FrameRow } from '../../model/frame-row.js';
import type { RecordingGap } from '../../api/wire.js';
import { GapMarker, describeGap } from './GapMarker.js';
import { LiveRateBadge } from './LiveRateBadge.js';
import { ProtocolCell } from '../protocol/ProtocolCell.js';

export function FrameTimeline() {
  const { columns, frames, frameDetail, view, settings, connections, recording } = useApp();
  useStore(frames);
  useStore(connections.selection);
  useStore(recording);
  useStore(frameDetail);
  useStore(settings);
  useStore(columns);
  useStore(view);
  const connection = connections.get(frames.connectionId!);
  const origin = connection?.startedAt ?? 0;

  return (
    <div className={`table frames-table ${columns.hiddenClasses}`} style={{ '--frame-columns': columns.gridTemplate } as CSSProperties}>
      <div className="thead" role="row">
        <FrameSortHeads frames={frames} format={settings.timeFormat} />
      </div>
      <TrafficList<FrameRow>
        rows={frames}
        selection={frameDetail}
        reveal="frame"
        locateAfterFilter={(number) => frames.locate(number)}
        tail={frames.sort ? undefined : frames}
        numberAttribute="data-frame"
        renderCells={(row, index) => (
          <FrameCells row={row} origin={origin} format={settings.timeFormat} connectionId={frames.connectionId!}
            gap={recording.gapBefore(frames.connectionId!, row.time, index === 0 ? undefined : frames.rowAt(index - 1)?.time ?? row.time)} />
        )}
        ariaLabel="Frames"
        empty={<EmptyTimeline filtered={frames.filtered} />}
      />
      {frames.total > 0 && !frames.follow && !frames.sort && connection?.status === 'open' ? (
        <button className="jump-latest" onClick={() => frames.setFollow(true)}>
          <Icon name="follow" size={13} /> Latest ({count(frames.total)})
        </button>
      ) : null}
      {connection?.status === 'open' ? <LiveRateBadge frames={frames} /> : null}
    </div>
  );
}

function EmptyTimeline({ filtered }: { filtered: boolean }) {
  if (filtered) return <div className="empty-state"><p>No frame matches the filter.</p></div>;
  return <div className="empty-state"><p>No frames on this connection yet.</p></div>;
}

/**
 * A frame row's cells, rendered again only when the row itself (or how times are written) changed: a
 * selection, a protocol line or a list that grew re-renders the list, not the cells of every row.
 */
const FrameCells = memo(function FrameCells({ row, origin, format, gap, connectionId }: { row: FrameRow; origin: number; format: TimeFormat; gap: RecordingGap | undefined; connectionId: number }) {
  return (
    <>
      {gap ? <GapMarker gap={gap} /> : null}
      <RowLead row={row} origin={origin} format={format} />
      <FlagMarkers fin={row.fin} rsv1={row.rsv1} rsv2={row.rsv2} rsv3={row.rsv3} masked={row.masked} />
      {row.inflatedLength !== undefined ? (
        <span className="td num" title={`${count(row.payloadLength)} bytes on the wire (compressed), ${count(row.inflatedLength)} bytes inflated`}>{count(row.payloadLength)} / {count(row.inflatedLength)}</span>
      ) : <span className="td num">{count(row.payloadLength)}</span>}
      <span className={`td preview ${row.previewIsHex ? 'hex' : ''}`}>
        {row.previewInflated ? <span className="mark mark-inflated" title="Preview of the decompressed message this frame completes (permessage-deflate, RFC 7692); the length is wire / inflated">inflated</span> : null}
        {row.preview}{row.truncated ? <span className="muted"> …</span> : null}
      </span>
      <ProtocolCell connectionId={connectionId} frame={row.number} />
      <RowNotes row={row}>{gap ? <span className="mark mark-gap" title={describeGap(gap)}>after a gap</span> : null}<RowMarks connectionId={connectionId} target="frame" number={row.number} /></RowNotes>
    </>
  );
});
