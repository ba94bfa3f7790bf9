// Shown before an edited upgrade request goes upstream when it is malformed: what is wrong, and the
// choice to send it anyway (a server under test may need exactly that) or to keep editing.
import type { RequestLineProblem } from '../../protocol/request-line.js';

export function RequestWarnings({ problems, onSendAnyway, onKeepEditing }: { problems: RequestLineProblem[]; onSendAnyway: () => void; onKeepEditing: () => void }) {
  return (
    <div className="request-warnings" role="alert" data-testid="request-warnings">
      <p className="warn-text"><strong>This request is malformed.</strong> A server may refuse it or misread it:</p>
      <ul>
        {problems.map((p, i) => <li key={i}><code>{p.field}</code> {p.message} <span className="muted">({p.rfc})</span></li>)}
      </ul>
      <div className="held-actions">
        <button className="button danger" onClick={onSendAnyway}>Send anyway</button>
        <button className="button" onClick={onKeepEditing}>Keep editing</button>
      </div>
    </div>
  );
}
