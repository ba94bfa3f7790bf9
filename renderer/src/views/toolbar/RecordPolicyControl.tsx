// What the live session keeps of the traffic: every payload (full), header fields and the first bytes
// of each payload (headers), or connections and handshakes only (off). Changing it is recorded in the
// session, so the session says later which parts were kept how.
import type { RecordMode } from '../../api/wire.js';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';

const LABELS: Record<RecordMode, string> = { full: 'Full', headers: 'Headers', off: 'Off' };

export function RecordPolicyControl() {
  const { recording, view } = useApp();
  useStore(recording);
  const policy = recording.policy;
  return (
    <label className="record-policy" title={policyTitle(policy.mode, policy.prefixBytes)}>
      <span className="muted">Keep</span>
      <select
        data-testid="record-policy"
        aria-label="What the live session records"
        value={policy.mode}
        onChange={(e) => void recording.setPolicy(e.target.value as RecordMode).catch((error: Error) => view.notify(error.message, 'error'))}
      >
        {(Object.keys(LABELS) as RecordMode[]).map((mode) => (
          <option key={mode} value={mode}>{mode === 'headers' ? `Headers + ${policy.prefixBytes} B` : LABELS[mode]}</option>
        ))}
      </select>
    </label>
  );
}

/** The policy in words, for tooltips and the session's badge. */
export function policyTitle(mode: RecordMode, prefixBytes: number): string {
  if (mode === 'full') return 'Full: every frame and message with its payload';
  if (mode === 'headers') return `Headers: every frame's header fields and violations, and the first ${prefixBytes} bytes of each payload`;
  return 'Off: connections and handshakes only, no frames or messages';
}
