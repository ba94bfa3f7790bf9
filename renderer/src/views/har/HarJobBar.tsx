// The HAR export or import under way: what it is doing, how far it is, and a button that cancels it.
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';

export function HarJobBar() {
  const { harJobs } = useApp();
  useStore(harJobs);
  const progress = harJobs.progress;
  if (!progress) return null;
  const fraction = progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0;
  const percent = Math.floor(fraction * 100);
  return (
    <div className="har-job notice" role="status" aria-label={progress.label}>
      <span className="har-job-label">{progress.label}{progress.total > 0 ? ` ${percent}%` : '…'}</span>
      <progress className="har-job-progress" max={1} value={progress.total > 0 ? fraction : undefined} aria-label={`${progress.label} progress`} />
      <button className="button" onClick={() => harJobs.cancel()}>Cancel</button>
    </div>
  );
}
