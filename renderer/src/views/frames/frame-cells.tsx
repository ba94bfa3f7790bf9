// Cells shared by the frame timeline, the message list and the search hits: time, direction, opcode
// badge, flags, notes.
import type { ReactNode } from 'react';
import type { Direction } from '../../api/wire.js';
import { formatTime, timeHeading } from '../time-format.js';
import type { TimeFormat } from '../../model/settings-store.js';
import { proxyMarks } from './proxy-action.js';
import { ArrivedMark } from './WireTimes.js';

/** The wire time; arrivedAt (earlier: it waited at the proxy) adds a mark. */
export function TimeCell({ time, arrivedAt, origin, format }: { time: number; arrivedAt?: number; origin: number; format: TimeFormat }) {
  return <span className="td time">{formatTime(time, origin, format)}<ArrivedMark time={time} arrivedAt={arrivedAt} /></span>;
}

export function DirectionCell({ direction }: { direction: Direction }) {
  return (
    <span className={`td dir dir-${direction}`} title={direction === 'send' ? 'Client to server' : 'Server to client'}>
      {direction === 'send' ? '↑' : '↓'}
    </span>
  );
}

export function OpcodeBadge({ badge }: { badge: string }) {
  return <span className={`opcode op-${badge.startsWith('reserved') ? 'rsv' : badge.toLowerCase()}`}>{badge}</span>;
}

/** FIN, RSV1-3 and MASK as five lit or dim markers. */
export function FlagMarkers({ fin, rsv1, rsv2, rsv3, masked }: { fin: boolean; rsv1: boolean; rsv2: boolean; rsv3: boolean; masked: boolean }) {
  return (
    <span className="td flags" aria-label={`FIN ${+fin}, RSV1 ${+rsv1}, RSV2 ${+rsv2}, RSV3 ${+rsv3}, MASK ${+masked}`}>
      <i className={fin ? 'on' : ''} title="FIN">F</i>
      <i className={rsv1 ? 'on rsv' : ''} title="RSV1">1</i>
      <i className={rsv2 ? 'on rsv' : ''} title="RSV2">2</i>
      <i className={rsv3 ? 'on rsv' : ''} title="RSV3">3</i>
      <i className={masked ? 'on mask' : ''} title="MASK">M</i>
    </span>
  );
}

/** The column heads over RowLead's cells. */
export function LeadHeads({ format }: { format: TimeFormat }) {
  return (
    <>
      <span className="th num">#</span>
      <span className="th">{timeHeading(format)}</span>
      <span className="th" title="Direction">Dir</span>
      <span className="th">Opcode</span>
    </>
  );
}

/** The cells a frame row and a message row start with: number, time, direction, opcode. */
export function RowLead({ row, origin, format }: { row: { number: number; time: number; arrivedAt?: number; direction: Direction; badge: string }; origin: number; format: TimeFormat }) {
  return (
    <>
      <span className="td num muted">{row.number}</span>
      <TimeCell time={row.time} arrivedAt={row.arrivedAt} origin={origin} format={format} />
      <DirectionCell direction={row.direction} />
      <span className="td"><OpcodeBadge badge={row.badge} /></span>
    </>
  );
}

/** The notes cell: the list's own marks (children), then violations and what the proxy did. */
export function RowNotes({ row, children }: { row: { violations: readonly string[]; injected: boolean; edited: boolean; dropped: boolean; rule?: string }; children?: ReactNode }) {
  return (
    <span className="td notes">
      {children}
      {row.violations.length > 0 ? <span className="violation-mark" title={row.violations.join(', ')}>⚠ {row.violations.length > 1 ? row.violations.length : row.violations[0]}</span> : null}
      {proxyMarks(row).map((mark) => <span key={mark} className={`mark mark-${mark}`}>{mark}</span>)}
      {row.rule ? <span className="mark mark-rule" title={`Rule: ${row.rule}`}>rule: {row.rule}</span> : null}
    </span>
  );
}
