// Short notices in the corner: what an action did, or why it failed.
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { Icon } from '../common/Icon.js';

export function Notices() {
  const { view } = useApp();
  useStore(view);
  return (
    <div className="notices" role="status" aria-live="polite">
      {view.notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.kind}`}>
          <span>{n.text}</span>
          <button className="icon-button" onClick={() => view.dismiss(n.id)} aria-label="Dismiss"><Icon name="close" size={12} /></button>
        </div>
      ))}
    </div>
  );
}
