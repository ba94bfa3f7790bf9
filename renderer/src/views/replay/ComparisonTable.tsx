// A replay's comparison: one row per answer pair (equal answers matched wherever they are), and the
// selected row's answers side by side below the table.
import { useState } from 'react';
import type { ReplayComparison } from '../../api/wire.js';
import { AnswerDiff } from './AnswerDiff.js';

/** How each result is marked: an answer that changed or went missing is what to look at. */
const VERDICT: Record<ReplayComparison['rows'][number]['status'], string> = { same: 'pass', different: 'fail', missing: 'fail', extra: 'warn' };

export function ComparisonTable({ comparison }: { comparison: ReplayComparison }) {
  const firstChange = comparison.rows.find((r) => r.status !== 'same')?.index ?? 0;
  const [selected, setSelected] = useState(firstChange);
  const row = comparison.rows[selected];
  return (
    <>
      <div className="comparison">
        <table className="kv-table comparison-table">
          <colgroup><col className="cmp-index" /><col className="cmp-status" /><col /><col /></colgroup>
          <thead><tr><th>#</th><th>Result</th><th>Original</th><th>Replayed</th></tr></thead>
          <tbody>
            {comparison.rows.map((r) => (
              <tr key={r.index} className={`cmp-${r.status} ${r.index === selected ? 'selected' : ''}`} onClick={() => setSelected(r.index)} aria-selected={r.index === selected}>
                <td>{r.index}</td><td><span className={`verdict ${VERDICT[r.status]}`}>{r.status}</span></td><td><code>{r.original ?? ''}</code></td><td><code>{r.replayed ?? ''}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {row ? <AnswerDiff key={`${comparison.replayId}:${row.index}`} original={row.original} replayed={row.replayed} /> : null}
    </>
  );
}
