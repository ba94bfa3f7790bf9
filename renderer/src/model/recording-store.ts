// Recording against a failing disk: whether the live session's recording is paused because writes
// fail (the engine keeps passing traffic, unrecorded), and the gaps the browsed session holds, so
// the traffic list can mark where frames are missing.
import type { ControlClient } from '../api/control-client.js';
import type { ControlEvent, RecordingGap, RecordingPause } from '../api/wire.js';
import { Observable } from './observable.js';

export class RecordingStore extends Observable {
  /** Set while writes to the live session fail. */
  pause: RecordingPause | null = null;
  /** The browsed session's gaps, in order. */
  gaps: RecordingGap[] = [];
  initialized: Promise<void>;

  constructor(private readonly client: ControlClient) {
    super();
    this.initialized = this.load();
  }

  /** Re-reads the pause and the browsed session's gaps (at start, after a lost link, on a session switch). */
  load(): Promise<void> {
    this.initialized = Promise.all([this.client.request('hello', {}), this.client.request('listGaps', {})]).then(([hello, gaps]) => {
      this.pause = hello.recordingPaused ?? null;
      this.gaps = gaps;
      this.changed();
    });
    return this.initialized;
  }

  /** browsingLive: whether the browsed session is the live one (a gap the live session records belongs to its list). */
  apply(events: readonly ControlEvent[], browsingLive: boolean): void {
    let changed = false;
    for (const event of events) {
      if (event.kind !== 'recording-write') continue;
      this.pause = event.pause;
      if (event.gap && browsingLive) this.gaps = [...this.gaps, event.gap];
      changed = true;
    }
    if (changed) this.changed();
  }

  /**
   * The gap just before a connection's frame at `time` whose previous frame (in the list) was at
   * `previousTime` (undefined for the first row): frames recorded after a gap are the first at or
   * after its end.
   */
  gapBefore(connectionId: number, time: number, previousTime: number | undefined): RecordingGap | undefined {
    return this.gaps.find((gap) => gap.connectionIds.includes(connectionId) && time >= gap.to && (previousTime === undefined || previousTime < gap.to));
  }
}
