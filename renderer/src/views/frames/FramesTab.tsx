// The frames tab: the filter and search bar, the rate plot, the timeline (or the search hits) and the
// selected frame's detail beside it.
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { Splitter } from '../common/Splitter.js';
import { FrameFilterBar } from './FrameFilterBar.js';
import { FrameTimeline } from './FrameTimeline.js';
import { HitList } from './HitList.js';
import { RatePlot } from './RatePlot.js';
import { FrameDetailPanel } from './FrameDetailPanel.js';

export function FramesTab() {
  const { settings, view, frameDetail, search } = useApp();
  useStore(settings);
  useStore(view);
  useStore(frameDetail);
  useStore(search);
  const detailShown = view.detailOpen && frameDetail.number !== undefined;
  return (
    <div className="frames-tab">
      <FrameFilterBar />
      {settings.ratePlot ? <RatePlot /> : null}
      <div className="frames-body">
        <Splitter
          id="frame-detail"
          direction="row"
          sized="second"
          initial={520}
          min={320}
          minSecond={360}
          collapsed={!detailShown}
          first={search.active ? <HitList /> : <FrameTimeline />}
          second={<FrameDetailPanel />}
        />
      </div>
    </div>
  );
}
