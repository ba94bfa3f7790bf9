// The banner across the window while recording is paused because writes to the session fail (a full
// disk, an I/O error): the proxy keeps passing traffic, which is not recorded until writes succeed.
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { clockTime } from '../format.js';

export function RecordingBanner() {
  const { recording } = useApp();
  useStore(recording);
  const pause = recording.pause;
  if (!pause) return null;
  return (
    <div className="recording-banner" role="alert">
      <strong>Recording paused</strong> since {clockTime(pause.since)}: writes to the session fail ({pause.reason}).
      {' '}Traffic still passes through the proxy but is not recorded; Framescope retries every second and resumes on its own.
    </div>
  );
}
