// Recording against a failing disk: whether the live session's recording is paused because writes
// fail (the engine keeps passing traffic, unrecorded), and the gaps the browsed session holds, so
// the traffic list can mark where frames are missing.
import type { ControlClient } from '../api/control-client.js';
import type { ControlEvent, RecordMode, RecordPolicy, RecordingGap, RecordingPause } from '../api/wire.js';
import { Observable } from './observable.js';

export class RecordingStore extends Observable {
  /** Set while writes to the live session fail. */
  pause: RecordingPause | null = null;
  /** The browsed session's gaps, in order. */
  gaps: RecordingGap[] = [];
  /** What the live session records from now on (full, headers, off). */
  policy: RecordPolicy = { mode: 'full', prefixBytes: 256 };
  initialized: Promise<void>;

  constructor(private readonly client: ControlClient) {
    super();
    this.initialized = this.load();
  }

  /** Re-reads the pause and the browsed session's gaps (at start, after a lost link, on a session switch). */
  load(): Promise<void> {
    this.initialized = Promise.all([this.client.request('hello', {}), this.client.request('listGaps', {})]).then(([hello, gaps]) => {
      this.pause = hello.recordingPaused ?? null;
      if (hello.recordPolicy) this.policy = hello.recordPolicy;
      this.gaps = gaps;
      this.changed();
    });
    return this.initialized;
  }

  /** Changes what the live session records from now on (the prefix kept under headers stays as it is). */
  async setPolicy(mode: RecordMode): Promise<void> {
    this.policy = await this.client.request('setRecordPolicy', { mode });
    this.changed();
  }

  /** browsingLive: whether the browsed session is the live one (a gap the live session records belongs to its list). */
  apply(events: readonly ControlEvent[], browsingLive: boolean): void {
    let changed = false;
    for (const event of events) {
      // Another window changed the live policy: the live session's last change says it.
      const latest = event.kind === 'session' && event.session.live ? event.session.recordPolicies?.at(-1) : undefined;
      if (latest && (latest.mode !== this.policy.mode || latest.prefixBytes !== this.policy.prefixBytes)) {
        this.policy = { mode: latest.mode, prefixBytes: latest.prefixBytes };
        changed = true;
      }
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
