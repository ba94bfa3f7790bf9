// The frames tab: the filter and search bar, the rate plot, the timeline (or the search hits) and the
// selected frame's detail beside it. A connection recorded without frames (an imported HAR that keeps
// messages only) lists its messages instead, with the message detail.
import { useApp } from '../app-context.js';
import { useStore, useStoreValue } from '../use-store.js';
import { Splitter } from '../common/Splitter.js';
import { FrameFilterBar } from './FrameFilterBar.js';
import { FrameTimeline } from './FrameTimeline.js';
import { HitList } from './HitList.js';
import { RatePlot } from './RatePlot.js';
import { FrameDetailPanel } from './FrameDetailPanel.js';
import { MessageList } from './MessageList.js';
import { MessageDetailPanel } from './MessageDetailPanel.js';
import { ProtocolFilterBar } from '../protocol/ProtocolFilterBar.js';
import '../protocol/protocol.css';

export function FramesTab() {
  const { settings, view, frameDetail, messageDetail, messages, search, frames } = useApp();
  // Which connection, not its rows: a live batch re-renders the timeline, not the tab (and its detail).
  const frameConnection = useStoreValue(frames, (f) => f.connectionId);
  useStore(settings);
  useStore(view);
  useStore(frameDetail);
  useStore(messageDetail);
  useStore(messages);
  useStore(search);
  const byMessage = messages.connectionId !== undefined;
  const detailShown = view.detailOpen && (byMessage ? messageDetail.number !== undefined : frameDetail.number !== undefined);
  return (
    <div className="frames-tab">
      <FrameFilterBar />
      {!byMessage && frameConnection !== undefined ? <ProtocolFilterBar key={frameConnection} connectionId={frameConnection} /> : null}
      {settings.ratePlot && !byMessage ? <RatePlot /> : null}
      <div className="frames-body">
        <Splitter
          id="frame-detail"
          direction="row"
          sized="second"
          initial={600}
          min={320}
          minSecond={360}
          collapsed={!detailShown}
          first={search.active ? <HitList /> : byMessage ? <MessageList /> : <FrameTimeline />}
          second={byMessage ? <MessageDetailPanel /> : <FrameDetailPanel />}
        />
      </div>
    </div>
  );
}
