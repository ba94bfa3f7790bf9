// The engine: one proxy, the live session recorded into its capture store, and the session being
// browsed (the live one, or a saved one opened from disk). Headless, inside Electron's utility
// process, and in the tests alike. Every UI reaches it through the control API.
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Session } from './capture/session.js';
import { recordSession } from './capture/session-recorder.js';
import type { CaptureStore, ConnectionSummary as StoreConnectionSummary } from './capture/capture-store.js';
import { SessionCatalog, sessionNameFor } from './capture/session-catalog.js';
import { saveImportedNotes } from './capture/har-notes.js';
import type { ConnectionRecord } from './capture/capture-model.js';
import { FULL_RECORDING, type RecordPolicy } from './capture/record-policy.js';
import { ProxyServer, type ProxyOptions } from './proxy/proxy-server.js';
import { RulesFile } from './rules/rules-file.js';
import { RecordingUpstreams } from './proxy/recording-upstreams.js';
import { loadMockSource } from './mock/mock-source.js';
import type { ControlEvent, ConnectionCounts, ConnectionSummary, RecordingGap, RecordingPause, SessionInfo } from './control/api-types.js';

export interface EngineOptions {
  /** Where sessions are kept (normally sessionsDir()). */
  sessionsDir: string;
  /** The proxy's options. */
  proxy: ProxyOptions;
  /** Record into this session (created, or appended to when it exists). Default: a new one named after the date and time. */
  sessionName?: string;
  /** Disk budget per session, bytes. */
  diskBudget?: number;
  /** How often live changes are announced, ms. Default 100. */
  announceInterval?: number;
  /** The rules file (loaded at start, reloaded on change); allowMissing: a missing file is no rules yet. */
  rulesFile?: { path: string; allowMissing?: boolean };
  /** What the live session records: full (the default), headers with a payload prefix, or off. */
  recordPolicy?: RecordPolicy;
}

export interface EngineEvents {
  event: [event: ControlEvent];
  /**
   * Connections of the viewed session that changed since the last tick, by id: `opened` opened or
   * changed state, `counted` only counted frames or messages. Each watcher reads their summaries
   * (connectionSummary) or counts (connectionCounts) when it sends them.
   */
  connections: [opened: readonly number[], counted: readonly number[]];
}

export class Engine extends EventEmitter<EngineEvents> {
  readonly catalog: SessionCatalog;
  readonly proxy: ProxyServer;
  /** The rules file in force, when the engine has one. */
  readonly rulesFile: RulesFile | undefined;
  private live!: { name: string; store: CaptureStore; session: Session; stopRecording: () => void };
  private viewed!: { name: string; store: CaptureStore };
  private recording = true;
  /** Connections changed since the last tick: true when their summary did, false when only their counts did. */
  private readonly dirty = new Map<number, boolean>();
  /** Connections that began (or were open) while recording was off. */
  private readonly unrecorded = new Set<number>();
  private sessionAnnouncedAt = 0;
  private sessionChanged = false;
  /** Whether anyone watches live changes (a connected UI); without watchers nothing is computed. */
  private watched = false;
  private timer: NodeJS.Timeout | undefined;
  /** What else must end before the stores close (mocks started from a UI, whose clients are recorded here). */
  private readonly stopHooks: (() => Promise<void>)[] = [];
  /** Connections the live session opened while another session was browsed. */
  private liveUnseen = 0;
  /** liveUnseen changed since the last announcement. */
  private liveChanged = false;

  private constructor(private readonly options: EngineOptions, session: Session) {
    super();
    this.catalog = new SessionCatalog(options.sessionsDir);
    this.proxy = new ProxyServer(session, options.proxy);
    this.proxy.recordings = new RecordingUpstreams((source, connection) => loadMockSource(this.catalog, source, connection));
    this.rulesFile = options.rulesFile && new RulesFile(options.rulesFile.path, this.proxy.rules, (message) => session.recordError(message), () => this.emit('event', { kind: 'rules' }));
    this.proxy.breakpoints.on('held', (items) => this.emit('event', { kind: 'held', items }));
  }

  /** Creates the engine, opens (or creates) the live session and starts the proxy. */
  static async start(options: EngineOptions): Promise<Engine> {
    // Its listeners are the store and readers of the store: payloads are recorded as they crossed the wire.
    const session = new Session({ keepHistory: false, wirePayloads: true });
    session.recordPolicy = options.recordPolicy ?? FULL_RECORDING;
    const engine = new Engine(options, session);
    // An invalid rules file is refused before anything starts.
    engine.rulesFile?.load(options.rulesFile?.allowMissing ?? false);
    session.on('connection-opened', (c) => {
      if (!engine.recording) engine.unrecorded.add(c.id);
      // Live traffic goes on while the user browses another session: tell the UI how much.
      if (engine.viewed.store !== engine.live.store) {
        engine.liveUnseen++;
        engine.liveChanged = true;
      }
    });
    // After every other listener has seen the close.
    session.on('connection-closed', (c) => queueMicrotask(() => engine.unrecorded.delete(c.id)));
    const created = await engine.openLive(session, options.sessionName);
    try {
      await engine.proxy.listen();
    } catch (error) {
      // A start that failed (the port is in use) leaves no empty session behind.
      engine.live.stopRecording();
      engine.live.store.close();
      if (created) engine.catalog.delete(engine.live.name);
      throw error;
    }
    engine.rulesFile?.watch();
    engine.timer = setInterval(() => engine.announce(), options.announceInterval ?? 100);
    engine.timer.unref();
    return engine;
  }

  get proxyAddress(): AddressInfo {
    return this.proxy.address;
  }

  /** The name of the session being recorded. */
  get liveName(): string {
    return this.live.name;
  }

  get liveSession(): Session {
    return this.live.session;
  }

  /** The live session's store (recording), whichever session is browsed. */
  get liveStore(): CaptureStore {
    return this.live.store;
  }

  /** The disk budget of sessions started from now on (the live one keeps its own). */
  setDiskBudget(bytes: number): void {
    this.options.diskBudget = bytes;
  }

  /** The name of the session being browsed. */
  get viewedName(): string {
    return this.viewed.name;
  }

  /** The store being browsed: the live session's, or a saved one's. */
  get store(): CaptureStore {
    return this.viewed.store;
  }

  get isRecording(): boolean {
    return this.recording;
  }

  /** Set while writes to the live session's file fail and traffic passes unrecorded. */
  get recordingPause(): RecordingPause | null {
    return this.live.store.recordingPause;
  }

  setRecording(on: boolean): void {
    if (on === this.recording) return;
    this.recording = on;
    // Connections that are open now stay unrecorded when recording stops; they are not half-recorded
    // when it starts again.
    if (!on) for (const c of this.live.session.connections) this.unrecorded.add(c.id);
    if (on) this.live.stopRecording = this.subscribe(this.live.session, this.live.store);
    else this.live.stopRecording();
  }

  /** What the live session records from now on. */
  get recordPolicy(): RecordPolicy {
    return { ...this.live.session.recordPolicy };
  }

  /** Changes what the live session records from now on; the change is recorded in the session, and every UI told. */
  setRecordPolicy(policy: RecordPolicy): RecordPolicy {
    const current = this.live.session.recordPolicy;
    if (policy.mode !== current.mode || policy.prefixBytes !== current.prefixBytes) {
      this.live.session.recordPolicy = { ...policy };
      this.live.store.putPolicy({ ...policy, time: Date.now() });
      this.emit('event', { kind: 'session', session: this.sessionInfo() });
    }
    return this.recordPolicy;
  }

  sessionInfo(): SessionInfo {
    // Counted in place: announced about once a second while a UI watches, under any number of connections.
    const totals = this.viewed.store.totals();
    return {
      recordPolicies: this.viewed.store.policies(),
      name: this.viewed.name,
      connections: totals.connections,
      frames: totals.frames,
      size: this.viewed.store.diskUsage(),
      modifiedAt: Date.now(),
      live: this.viewed.store === this.live.store,
    };
  }

  /** Browses a saved session; the live one keeps recording. */
  async openSession(name: string): Promise<SessionInfo> {
    if (name === this.live.name) {
      this.view(this.live.name, this.live.store);
    } else {
      const store = await this.catalog.open(name);
      this.view(name, store);
    }
    return this.sessionInfo();
  }

  /** Gives the live session a name (it keeps recording under it). */
  saveSession(name: string): SessionInfo {
    if (name !== this.live.name) {
      this.live.store.flush();
      this.catalog.rename(this.live.name, name);
      if (this.viewed.store === this.live.store) this.viewed.name = name;
      this.live.name = name;
    }
    this.catalog.remember(name, this.live.store);
    return this.sessionInfo();
  }

  /** Starts a fresh live session; the previous one stays saved on disk. */
  async newSession(name?: string): Promise<SessionInfo> {
    const old = this.live;
    old.stopRecording();
    this.catalog.remember(old.name, old.store);
    // Opening the new live session also switches the view to it.
    await this.openLive(old.session, name, true);
    old.store.close();
    // The old store may have been behind; the new one starts caught up.
    this.proxy.holdForStore(false);
    return this.sessionInfo();
  }

  /**
   * Imports into a new saved session that `fill` writes (a HAR read as a stream), then browses it. When
   * fill fails (a file that is not a HAR, a cancelled import) no session is left behind.
   */
  async importSessionWith(name: string, fill: (store: CaptureStore) => Promise<void>): Promise<SessionInfo> {
    const sessionName = this.catalog.freeName(name);
    const store = this.catalog.create(sessionName, { diskBudget: this.options.diskBudget });
    try {
      await fill(store);
    } catch (error) {
      store.close();
      this.catalog.delete(sessionName);
      throw error;
    }
    this.catalog.remember(sessionName, store);
    this.view(sessionName, store);
    return this.sessionInfo();
  }

  /** Imports connections (from a HAR) as a new saved session and browses it. */
  async importSession(name: string, connections: ConnectionRecord[]): Promise<SessionInfo> {
    const store = this.catalog.create(this.catalog.freeName(name), { diskBudget: this.options.diskBudget });
    writeConnections(store, connections);
    this.catalog.remember(nameOf(store.path), store);
    this.view(nameOf(store.path), store);
    return this.sessionInfo();
  }

  deleteSession(name: string): void {
    if (name === this.live.name) throw new Error('the live session cannot be deleted; start a new session first');
    if (name === this.viewed.name) this.view(this.live.name, this.live.store);
    this.catalog.delete(name);
  }

  /**
   * Stops the proxy and closes the stores (everything recorded is on disk). Resolves with warnings:
   * what could not be written (a failed disk never makes the stop fail).
   */
  async stop(): Promise<string[]> {
    if (this.timer) clearInterval(this.timer);
    this.rulesFile?.close();
    await Promise.allSettled(this.stopHooks.splice(0).map((hook) => hook()));
    await this.proxy.close();
    this.live.stopRecording();
    const warnings: string[] = [];
    try {
      this.catalog.remember(this.live.name, this.live.store);
    } catch (error) {
      warnings.push(`the listing of session ${this.live.name} could not be written: ${(error as Error).message}`);
    }
    if (this.viewed.store !== this.live.store) this.viewed.store.close();
    this.live.store.close();
    const pause = this.live.store.recordingPause;
    if (pause) {
      warnings.push(`recording of session ${this.live.name} was paused since ${new Date(pause.since).toISOString()} (${pause.reason}): ` +
        'traffic since then was not recorded; what was written before stays readable');
    }
    return warnings;
  }

  /** Runs hook when the engine stops, before the proxy and the stores close. */
  onStop(hook: () => Promise<void>): void {
    this.stopHooks.push(hook);
  }

  /** A connection's summary for the API. */
  static toApiSummary(c: StoreConnectionSummary): ConnectionSummary {
    return {
      id: c.id, url: c.url, state: c.state, startedAt: c.startedAt,
      ...(c.endedAt !== undefined ? { endedAt: c.endedAt } : {}),
      ...(c.response ? { status: c.response.statusCode } : {}),
      ...(c.protocol !== undefined ? { protocol: c.protocol } : {}),
      ...(c.extensions !== undefined ? { extensions: c.extensions } : {}),
      clientAddress: c.clientAddress,
      ...(c.serverAddress !== undefined ? { serverAddress: c.serverAddress } : {}),
      frameCount: c.frameCount, messageCount: c.messageCount,
      framesSent: c.framesSent, framesReceived: c.framesReceived,
      messagesSent: c.messagesSent, messagesReceived: c.messagesReceived,
      bytesSent: c.bytesSent, bytesReceived: c.bytesReceived,
      violationCount: c.violationCount,
      ...(c.close ? { close: c.close } : {}),
      ...(c.error !== undefined ? { error: c.error } : {}),
    };
  }

  /** Opens (or creates) the session to record into; true when it was created. */
  private async openLive(session: Session, requested?: string, fresh = false): Promise<boolean> {
    const name = requested ?? this.catalog.freeName(sessionNameFor(new Date()));
    let store: CaptureStore;
    const budget = {
      diskBudget: this.options.diskBudget,
      onBudget: (level: 'warning' | 'reached', usage: number, limit: number) => this.emit('event', { kind: 'budget', level, usage, budget: limit }),
      // The disk is behind: hold the traffic (never drop it) until the store caught up.
      onBackpressure: (behind: boolean) => this.proxy.holdForStore(behind),
      // The disk failed: the traffic goes on unrecorded, and everyone is told.
      onPause: (pause: RecordingPause) => this.emit('event', { kind: 'recording-write', pause }),
      onResume: (gap: RecordingGap) => this.emit('event', { kind: 'recording-write', pause: null, gap }),
      onError: (error: Error) => this.emit('event', { kind: 'error', message: `session ${this.live?.name ?? name}: ${error.message}`, time: Date.now() }),
    };
    const created = fresh || !this.catalog.exists(name);
    if (!created) {
      store = await this.catalog.open(name, budget);
      // Continue the numbering so new connections never collide with recorded ones.
      const last = store.connections().reduce((max, c) => Math.max(max, c.id), 0);
      session.renumberFrom(last + 1);
    } else {
      store = this.catalog.create(fresh ? this.catalog.freeName(name) : name, budget);
      session.renumberFrom(1);
    }
    // The session says which policy it records under from here (again when a continued session's last differs).
    const last = store.policies().at(-1) ?? (created ? undefined : { ...FULL_RECORDING, time: 0 });
    if (!last || last.mode !== session.recordPolicy.mode || last.prefixBytes !== session.recordPolicy.prefixBytes) {
      store.putPolicy({ ...session.recordPolicy, time: Date.now() });
    }
    this.live = { name: nameOf(store.path), store, session, stopRecording: () => {} };
    if (this.recording) this.live.stopRecording = this.subscribe(session, store);
    this.view(this.live.name, store);
    return created;
  }

  private view(name: string, store: CaptureStore): void {
    if (this.viewed && this.viewed.store !== store && this.viewed.store !== this.live.store) this.viewed.store.close();
    this.viewed = { name, store };
    this.dirty.clear();
    this.emit('event', { kind: 'session', session: this.sessionInfo() });
    // Counted from the moment the view leaves the live session; nothing is unseen while it is browsed.
    if (this.liveUnseen !== 0 || store !== this.live.store) this.liveChanged = true;
    this.liveUnseen = 0;
  }

  private subscribe(session: Session, store: CaptureStore): () => void {
    const stop = recordSession(session, store, (c) => !this.unrecorded.has(c.id));
    // true: its summary changed (opened, state); false: only its counts did.
    const touch = (c: ConnectionRecord) => { if (this.viewed.store === store) this.dirty.set(c.id, true); };
    const count = (c: ConnectionRecord) => { if (this.viewed.store === store && !this.dirty.has(c.id)) this.dirty.set(c.id, false); };
    const onError = (e: { message: string; time: number; connectionId?: number }) => this.emit('event', { kind: 'error', message: e.message, time: e.time, ...(e.connectionId !== undefined ? { connectionId: e.connectionId } : {}) });
    const events = ['connection-opened', 'connection-updated', 'connection-closed'] as const;
    for (const e of events) session.on(e, touch);
    session.on('frame', count);
    session.on('message', count);
    session.on('error', onError);
    return () => {
      stop();
      for (const e of events) session.off(e, touch);
      session.off('frame', count);
      session.off('message', count);
      session.off('error', onError);
    };
  }

  /**
   * Whether a UI is watching: live announcements read summaries back from the store, which is work
   * that a headless proxy should not do.
   */
  setWatched(watched: boolean): void {
    if (watched && !this.watched) {
      // Whoever starts watching gets every connection's current state on the next tick.
      for (const c of this.viewed.store.connections()) this.dirty.set(c.id, true);
      this.liveChanged = this.viewed.store !== this.live.store;
    }
    this.watched = watched;
  }

  /** Announces what changed since the last tick: the summaries (counts) of the connections that changed. */
  private announce(): void {
    if (!this.watched) return;
    if (this.liveChanged) {
      this.liveChanged = false;
      this.emit('event', { kind: 'live', name: this.live.name, newConnections: this.liveUnseen });
    }
    // About once a second while it changes, and once after it stopped changing, the session itself
    // (its size on disk grows as it records).
    if (this.dirty.size > 0) this.sessionChanged = true;
    if (this.sessionChanged && Date.now() - this.sessionAnnouncedAt >= 1_000) {
      this.sessionAnnouncedAt = Date.now();
      this.sessionChanged = false;
      this.emit('event', { kind: 'session', session: this.sessionInfo() });
    }
    if (this.dirty.size === 0) return;
    // Each UI reads these summaries, and the rows it shows of them (its subscription), when its next
    // batch goes out: nothing is built per tick that a UI which is behind would hold.
    const opened: number[] = [];
    const counted: number[] = [];
    for (const [id, state] of this.dirty) (state ? opened : counted).push(id);
    this.emit('connections', opened, counted);
    this.dirty.clear();
  }

  /** A connection of the viewed session, as the control API tells it (its current counts). */
  connectionSummary(id: number): ConnectionSummary | undefined {
    const summary = this.viewed.store.connectionSummary(id);
    return summary && Engine.toApiSummary(summary);
  }

  /** A connection of the viewed session's counts, read in place. */
  connectionCounts(id: number): Readonly<ConnectionCounts> | undefined {
    return this.viewed.store.connectionCounts(id);
  }
}

/** Writes whole connection records (from a HAR import) into a store. */
export function writeConnections(store: CaptureStore, connections: ConnectionRecord[]): void {
  for (const c of connections) {
    store.putConnection(c);
    // Frames and messages in time order; a message right after its final frame.
    const items = [...c.frames.map((f) => ({ time: f.time, kind: 0 as const, f })), ...c.messages.map((m) => ({ time: m.time, kind: 1 as const, m }))];
    items.sort((a, b) => a.time - b.time || a.kind - b.kind);
    const numbers = new Map<object, number>();
    for (const item of items) {
      if (item.kind === 0) numbers.set(item.f, store.putFrame(c.id, item.f));
      else numbers.set(item.m, store.putMessage(c.id, item.m));
    }
    saveImportedNotes(store, c, numbers, numbers);
  }
  store.flush();
}

function nameOf(path: string): string {
  return path.replace(/^.*[\\/]/, '').replace(/\.fscap$/, '');
}
