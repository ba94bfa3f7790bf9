// One answer of a replay next to the original's: a side-by-side line diff, JSON pretty-printed. Long
// lines wrap inside their column, so a long payload never pushes the replayed side out of the dialog.
import { lineDiff } from './line-diff.js';

export function AnswerDiff({ original, replayed }: { original?: string; replayed?: string }) {
  const rows = lineDiff(original, replayed);
  return (
    <div className="answer-diff" data-testid="answer-diff">
      <div className="answer-diff-head"><span>Original</span><span>Replayed</span></div>
      {rows.map((r, i) => (
        <div key={i} className={`diff-line diff-${r.kind}`} data-diff={r.kind}>
          <pre className="diff-left">{r.left ?? ''}</pre>
          <pre className="diff-right">{r.right ?? ''}</pre>
        </div>
      ))}
    </div>
  );
}
