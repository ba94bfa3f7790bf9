// The replays of a connection, oldest first, as Burp's Repeater keeps them: each with its counts; a
// click shows its comparison.
import type { ReplayRecord } from '../../api/wire.js';
import { clockTime } from '../format.js';

export function ReplayHistory({ history, selected, onSelect }: { history: ReplayRecord[]; selected?: number; onSelect: (replayId: number) => void }) {
  if (history.length === 0) return <p className="muted small" data-testid="replay-history-empty">No replays of this connection yet.</p>;
  return (
    <ol className="replay-history" aria-label="Replay history" data-testid="replay-history">
      {history.map((h) => {
        const c = h.comparison;
        return (
          <li key={h.replayId} className={h.replayId === selected ? 'selected' : ''}>
            <button className="link-button" onClick={() => onSelect(h.replayId)} data-replay={h.replayId}>
              #{h.replayId} · {clockTime(h.startedAt)} · {c.same} same · {c.different} different · {c.missing} missing · {c.extra} extra{h.state === 'open' || h.state === 'connecting' ? ' · running' : ''}
            </button>
            <span className="muted small" title={h.url}> {h.url}</span>
          </li>
        );
      })}
    </ol>
  );
}
