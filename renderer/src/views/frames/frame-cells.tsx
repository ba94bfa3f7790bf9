// Cells shared by the frame timeline and the search hits: time, direction, opcode badge, flags.
import type { Direction } from '../../api/wire.js';
import { clockTime, relativeTime } from '../format.js';
import type { TimeFormat } from '../../model/settings-store.js';

export function TimeCell({ time, origin, format }: { time: number; origin: number; format: TimeFormat }) {
  return <span className="td time">{format === 'absolute' ? clockTime(time) : relativeTime(time, origin)}</span>;
}

export function DirectionCell({ direction }: { direction: Direction }) {
  return (
    <span className={`td dir dir-${direction}`} title={direction === 'send' ? 'Client to server' : 'Server to client'}>
      {direction === 'send' ? '↑' : '↓'}
    </span>
  );
}

export function OpcodeBadge({ badge }: { badge: string }) {
  return <span className={`opcode op-${badge.startsWith('RSV') ? 'rsv' : badge.toLowerCase()}`}>{badge}</span>;
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
