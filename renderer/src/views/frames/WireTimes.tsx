// Two times for what waited at the proxy (held at a breakpoint, or queued behind a held message): when it
// arrived, and when it went on the wire. Lists show and order by the wire time, so they never go
// backwards; a small mark says the arrival was earlier.
import { dateTime, duration } from '../format.js';

/** The detail's line: arrived at the proxy, sent on the wire, and how long it waited. Nothing when they are the same. */
export function WireTimes({ time, arrivedAt }: { time: number; arrivedAt: number | undefined }) {
  if (arrivedAt === undefined) return null;
  return (
    <div className="info-line wire-times" data-arrived-at={arrivedAt} data-sent-at={time}>
      <span>Arrived at proxy <strong>{dateTime(arrivedAt)}</strong></span>
      <span>· sent on the wire <strong>{dateTime(time)}</strong></span>
      <span>(waited {duration(time - arrivedAt)} at the proxy)</span>
    </div>
  );
}

/** The list's mark beside a wire time whose arrival was earlier. */
export function ArrivedMark({ time, arrivedAt }: { time: number; arrivedAt: number | undefined }) {
  if (arrivedAt === undefined) return null;
  return (
    <span className="arrived-mark" data-arrived-at={arrivedAt} aria-label={`waited ${duration(time - arrivedAt)} at the proxy`}
      title={`Sent on the wire at ${dateTime(time)}; arrived at the proxy ${duration(time - arrivedAt)} earlier, at ${dateTime(arrivedAt)}`}>•</span>
  );
}
