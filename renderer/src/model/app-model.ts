// The composition root: the control client, the event queue and every store, built once. Event
// batches from the engine are queued and applied once per animation frame, routed by domain.
import { ControlClient } from '../api/control-client.js';
import { AckPace } from './ack-pace.js';
import { AnimationFrameQueue } from '../api/event-queue.js';
import { CONTROL_API_VERSION, type ControlEvent } from '../api/wire.js';
import { AnnotationsStore } from './annotations-store.js';
import { ColumnsStore } from './columns-store.js';
import { ComposerStore } from './composer-store.js';
import { ConnectionDetailStore } from './connection-detail-store.js';
import { ConnectionsStore } from './connections-store.js';
import { ErrorLogStore } from './error-log-store.js';
import { FrameDetailStore } from './frame-detail-store.js';
import { FramesStore } from './frames-store.js';
import { HarJobStore } from './har-job-store.js';
import { InterceptStore } from './intercept-store.js';
import { MessageDetailStore } from './message-detail-store.js';
import { MessagesStore } from './messages-store.js';
import { RateStore } from './rate-store.js';
import { RecordingStore } from './recording-store.js';
import { SearchStore } from './search-store.js';
import { SessionStore } from './session-store.js';
import { SettingsStore } from './settings-store.js';
import { ViewStore } from './view-store.js';
import { WorkspaceStore } from './workspace-store.js';
import { EngineSettingsStore } from './engine-settings-store.js';
import { CompareStore } from './compare-store.js';
import { SessionsSearchStore } from './sessions-search-store.js';

export class AppModel {
  readonly client: ControlClient;
  readonly settings: SettingsStore;
  readonly session: SessionStore;
  readonly connections: ConnectionsStore;
  readonly connectionDetail: ConnectionDetailStore;
  readonly frames: FramesStore;
  readonly frameDetail: FrameDetailStore;
  /** The message list, for connections with messages but no frames (imported). */
  readonly messages: MessagesStore;
  readonly messageDetail: MessageDetailStore;
  readonly search: SearchStore;
  readonly rates: RateStore;
  /** A recording paused by failed writes, and the session's gaps. */
  readonly recording: RecordingStore;
  readonly intercept: InterceptStore;
  readonly composer: ComposerStore;
  /** The engine's errors, grouped by kind and host, some muted. */
  readonly errorLog: ErrorLogStore;
  readonly view: ViewStore;
  /** Notes, pins and highlights of the browsed session. */
  readonly annotations: AnnotationsStore;
  /** The frame list's shown columns. */
  readonly columns: ColumnsStore;
  /** Which workspace the window shows. */
  readonly workspace: WorkspaceStore;
  /** The engine's runtime settings (settings.json). */
  readonly engineSettings: EngineSettingsStore;
  /** Two connections compared. */
  readonly compare: CompareStore;
  /** Search across the connections of sessions. */
  readonly sessionsSearch: SessionsSearchStore;
  /** HAR export and import jobs, with their progress. */
  readonly harJobs: HarJobStore;
  /** Resolves once the first state has been read from the engine. */
  readonly initialized: Promise<void>;
  private readonly queue: AnimationFrameQueue<ControlEvent>;
  /** Acknowledges applied batches, at a bounded rate: that sets how often the engine sends live traffic. */
  private readonly ackPace: AckPace;
  /** The newest batch received and not yet applied: acknowledged once applied. */
  private unappliedBatch: number | undefined;

  constructor(client: ControlClient, storage: Storage | undefined, prefersDark: boolean) {
    this.client = client;
    this.settings = new SettingsStore(storage, prefersDark);
    this.session = new SessionStore(client, CONTROL_API_VERSION);
    this.connections = new ConnectionsStore(client);
    this.connectionDetail = new ConnectionDetailStore(client);
    this.frames = new FramesStore(client);
    this.frameDetail = new FrameDetailStore(client);
    this.messages = new MessagesStore(client);
    this.messageDetail = new MessageDetailStore(client);
    this.search = new SearchStore(client);
    this.rates = new RateStore(client);
    this.recording = new RecordingStore(client);
    this.intercept = new InterceptStore(client);
    this.composer = new ComposerStore(client, storage);
    this.errorLog = new ErrorLogStore(storage);
    this.view = new ViewStore();
    this.harJobs = new HarJobStore(client);
    this.annotations = new AnnotationsStore(client);
    this.columns = new ColumnsStore(storage);
    this.workspace = new WorkspaceStore();
    this.engineSettings = new EngineSettingsStore(client);
    this.compare = new CompareStore(client);
    this.sessionsSearch = new SessionsSearchStore(client);
    this.ackPace = new AckPace((batch) => this.client.acknowledge(batch));
    this.queue = new AnimationFrameQueue((events) => {
      const started = performance.now();
      this.apply(events);
      const batch = this.unappliedBatch;
      this.unappliedBatch = undefined;
      // Applied, and rendered: React renders what the stores changed in a microtask queued before this
      // one. Then the engine may send the next batch (it holds it back until then), sooner or later
      // after this one as rendering was quick or slow.
      if (batch !== undefined) queueMicrotask(() => this.ackPace.applied(batch, performance.now() - started));
    });

    client.onEvents((events, batch) => {
      this.unappliedBatch = batch;
      this.queue.push(events);
    });
    let wasOpen = false;
    client.onState((state) => {
      this.session.setLink(state);
      // A new link starts unpaced: a batch of the old one is not acknowledged on it.
      if (state !== 'open') this.ackPace.reset();
      // Back after a lost link: whatever happened meanwhile is read again.
      if (state === 'open' && wasOpen) void this.reload();
      if (state === 'open' && wasOpen) void this.engineSettings.load();
      // A new link has no subscription yet.
      if (state === 'open' && wasOpen) this.frames.subscribeAgain();
      if (state === 'open') wasOpen = true;
    });
    this.session.onSessionChanged(() => void this.reload());
    this.connections.subscribe(() => this.followSelection());
    this.initialized = Promise.all([this.session.initialized, this.connections.initialized, this.intercept.initialized, this.recording.initialized]).then(() => this.followSelection());
  }

  /** Applies a batch of events to every store it concerns. */
  apply(events: ControlEvent[]): void {
    for (const event of events) this.session.apply(event);
    this.connections.apply(events);
    this.connectionDetail.apply(events);
    this.frames.apply(events);
    this.messages.apply(events);
    this.search.apply(events);
    this.intercept.apply(events);
    this.annotations.apply(events);
    this.errorLog.apply(events);
    this.engineSettings.apply(events);
    this.sessionsSearch.apply(events);
    // The proxy's address and mode may have changed with the settings.
    if (events.some((e) => e.kind === 'settings')) void this.session.load();
    this.recording.apply(events, this.session.session?.live === true);
    const selected = this.connections.get(this.connections.selectedId);
    if (selected) this.rates.update(selected.id, selected.frameCount);
  }

  /** Re-reads the engine's state: after a reconnect or when another session is browsed. */
  private async reload(): Promise<void> {
    this.search.clear();
    this.frameDetail.reset();
    this.messageDetail.reset();
    const before = this.connections.selectedId;
    await Promise.all([this.session.load(), this.connections.load(), this.intercept.load(), this.recording.load(), this.annotations.load()]);
    // The same id in another session is another connection: start its views afresh.
    if (before !== undefined && before === this.connections.selectedId) {
      const row = this.connections.get(before);
      this.frames.setConnection(undefined, 0);
      this.messages.setConnection(undefined, 0);
      this.rates.update(undefined, 0);
      this.connectionDetail.show(undefined);
      this.frames.setConnection(before, row?.frameCount ?? 0, row?.status === 'open');
      this.messages.setConnection(row?.messagesOnly ? before : undefined, row?.messageCount ?? 0);
      this.connectionDetail.show(before);
      this.rates.update(before, row?.frameCount ?? 0);
    }
    this.followSelection();
  }

  /** Points the per-connection stores at the selected connection. */
  private followSelection(): void {
    const id = this.connections.selectedId;
    if (id === this.frames.connectionId) return;
    const row = this.connections.get(id);
    this.search.clear();
    this.frameDetail.clear();
    this.messageDetail.clear();
    // A connection not listed yet is one just made (client mode, a replay): it is live.
    this.frames.setConnection(id, row?.frameCount ?? 0, row === undefined || row.status === 'open');
    this.messages.setConnection(row?.messagesOnly ? id : undefined, row?.messageCount ?? 0);
    this.connectionDetail.show(id);
    this.rates.update(id, row?.frameCount ?? 0);
  }
}
