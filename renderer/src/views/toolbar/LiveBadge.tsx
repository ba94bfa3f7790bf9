// While a saved or imported session is browsed, the live one keeps recording out of view: this badge
// says so, counts the connections it opened since, and goes back to it in one click.
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { count } from '../format.js';

export function LiveBadge() {
  const { session, view } = useApp();
  useStore(session);
  const browsingOther = session.session !== undefined && !session.session.live;
  const activity = session.liveActivity;
  if (!browsingOther || !activity) return null;
  const n = activity.newConnections;
  return (
    <button
      className={`button live-badge ${n > 0 ? 'has-new' : ''}`}
      data-testid="live-badge"
      onClick={() => void session.backToLive().catch((e: Error) => view.notify(e.message, 'error'))}
      title={`The live session “${activity.name}” keeps recording while you browse another: click to go back to it`}
    >
      <span className="dot dot-live" />
      Live{n > 0 ? <span className="count-badge">{count(n)} new</span> : null}
      <span className="link-text">Back to live</span>
    </button>
  );
}
