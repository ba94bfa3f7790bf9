// Where the traffic list has a hole: frames that passed the proxy while writes to the session's file
// failed were not recorded. A line across the first row after the gap says what is missing.
import type { RecordingGap } from '../../api/wire.js';
import { clockTime, count } from '../format.js';

/** The gap in words: when, how much, why. */
export function describeGap(gap: RecordingGap): string {
  return `Not recorded from ${clockTime(gap.from)} to ${clockTime(gap.to)}: ${count(gap.frames)} frames, ${count(gap.messages)} messages ` +
    `(${count(gap.bytes)} bytes) on ${gap.connectionIds.length === 1 ? 'this connection' : `${gap.connectionIds.length} connections`} — ` +
    `writes to the session failed (${gap.reason})`;
}

export function GapMarker({ gap }: { gap: RecordingGap }) {
  return (
    <span className="gap-marker" role="note" title={describeGap(gap)}>
      <span className="gap-label">gap: {count(gap.frames)} frames not recorded ({gap.code})</span>
    </span>
  );
}
