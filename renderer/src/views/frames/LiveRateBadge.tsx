// "N frames/s" beside a followed live tail: at high rates the list shows the newest rows a few times
// a second, not every row, and says how fast they come.
import type { FramesStore } from '../../model/frames-store.js';
import { count } from '../format.js';

export function LiveRateBadge({ frames }: { frames: FramesStore }) {
  const perSecond = frames.rate.perSecond();
  if (!frames.follow || perSecond <= 0) return null;
  return <span className="live-rate" role="status" aria-label="Live rate" title="Frames arriving on this connection; the list shows the newest as they come">{count(perSecond)} frames/s</span>;
}
