// The selected pair of a comparison: both messages' text side by side and what differs, by JSON
// path when both are JSON, by line otherwise.
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import type { MessageComparison } from '../../api/wire.js';

/** Characters of each message shown; the diff itself covers up to 1 MiB. */
const SHOWN_CHARS = 20_000;

export function PairDiff() {
  const { compare } = useApp();
  useStore(compare);
  const row = compare.selectedRow !== undefined ? compare.result?.rows[compare.selectedRow] : undefined;
  if (!row) return <div className="compare-pair empty-state">Select a row to see the two messages and what differs.</div>;
  if (!row.left || !row.right) {
    const only = (row.left ?? row.right)!;
    return (
      <div className="compare-pair" aria-label="Pair diff">
        <div className="pair-verdict">Only in the {row.left ? 'left' : 'right'} connection: message #{only.number}, {only.size} B.</div>
        <pre className="pair-text">{only.preview}</pre>
      </div>
    );
  }
  const pair = compare.pair;
  if (!pair) return <div className="compare-pair muted">Reading the two messages…</div>;
  return (
    <div className="compare-pair" aria-label="Pair diff">
      <Verdict pair={pair} />
      <div className="pair-texts">
        <pre className="pair-text" aria-label="Left message">{clip(pair.left.text)}</pre>
        <pre className="pair-text" aria-label="Right message">{clip(pair.right.text)}</pre>
      </div>
    </div>
  );
}

function Verdict({ pair }: { pair: MessageComparison }) {
  const diff = pair.diff;
  if (diff.kind === 'equal') return <div className="pair-verdict">The two messages are identical.</div>;
  if (diff.kind === 'json') {
    if (diff.entries.length === 0) return <div className="pair-verdict">Same JSON values, written differently (spacing or key order).</div>;
    return (
      <table className="json-diff" aria-label="JSON differences">
        <thead><tr><th>Path</th><th>Change</th><th>Left</th><th>Right</th></tr></thead>
        <tbody>
          {diff.entries.map((e) => (
            <tr key={`${e.kind} ${e.path}`} className={`kind-${e.kind}`} data-path={e.path}>
              <td><code>{e.path}</code></td><td>{e.kind}</td><td><code>{e.left ?? ''}</code></td><td><code>{e.right ?? ''}</code></td>
            </tr>
          ))}
        </tbody>
        {diff.truncated ? <caption className="muted">More differences are not listed.</caption> : null}
      </table>
    );
  }
  return (
    <div className="line-diff" aria-label="Line differences">
      <div className="pair-verdict">{diff.counts.changed} lines changed, {diff.counts.added} added, {diff.counts.removed} removed{diff.truncated ? ' (long messages: only their first lines are compared)' : ''}.</div>
      {diff.rows.filter((r) => r.kind !== 'same').slice(0, 200).map((r, i) => (
        <div key={i} className={`line-row kind-${r.kind}`}>
          <code>{r.left ?? ''}</code><code>{r.right ?? ''}</code>
        </div>
      ))}
    </div>
  );
}

function clip(text: string): string {
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}\n… (${text.length - SHOWN_CHARS} more characters)` : text;
}
