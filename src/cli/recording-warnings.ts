// What `framescope proxy` and `framescope ui` say on stderr when writes to the live session fail:
// recording paused (the traffic goes on, unrecorded), recording resumed (and how much was not
// recorded), and what is left unwritten at the stop.
import type { ControlEvent } from '../control/api-types.js';
import type { Engine } from '../engine.js';

/** The stderr line for a recording-write event. */
export function describeRecordingWrite(event: Extract<ControlEvent, { kind: 'recording-write' }>, session: string): string {
  if (event.pause) {
    return `framescope: warning: recording paused: writes to session ${session} fail (${event.pause.reason}); ` +
      'traffic still passes, unrecorded; retrying every second\n';
  }
  const gap = event.gap;
  if (!gap) return `framescope: recording of session ${session} resumed\n`;
  const seconds = ((gap.to - gap.from) / 1000).toFixed(1);
  return `framescope: recording of session ${session} resumed: ${gap.frames} frames (${gap.bytes} bytes) in ${seconds} s were not recorded (${gap.code})\n`;
}

/** Writes the recording-write lines to stderr as they happen. */
export function reportRecordingWrites(engine: Engine): void {
  engine.on('event', (event) => {
    if (event.kind === 'recording-write') process.stderr.write(describeRecordingWrite(event, engine.liveName));
  });
}

/** Stops the engine (open connections do not hold the stop longer than 2 s) and writes its warnings to stderr. */
export async function stopEngine(engine: Engine): Promise<void> {
  const warnings = await Promise.race([engine.stop(), new Promise<string[]>((resolve) => setTimeout(() => resolve([]), 2_000).unref())]);
  for (const warning of warnings) process.stderr.write(`framescope: warning: ${warning}\n`);
}
