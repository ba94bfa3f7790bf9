// The per-connection frame relay: every byte each peer sends goes to the other peer unchanged, as it
// arrives (cut-through), while a decoder per direction records frames and messages on the side.
// Backpressure both ways: when a receiver is slow, the sender's socket is paused.
//
// The user may change traffic: rules (breakpoints among them) hold whole data messages (with
// everything behind them in that direction) and forward, change, delay or drop them; new frames are
// injected at frame boundaries (data never inside a fragmented message). Each direction is a RelayLane
// (relay/), the rule stage decides beside them; this class ties the lanes to the connection's life.
import type { Duplex } from 'node:stream';
import { encodeClosePayload } from '../protocol/frame-encoder.js';
import { Opcode, type Sender } from '../protocol/frame.js';
import type { Direction, ConnectionRecord } from '../capture/capture-model.js';
import type { Session } from '../capture/session.js';
import { RelayLane } from './relay/relay-lane.js';
import { RelayRecorder } from './relay/relay-recorder.js';
import { RuleStage } from './relay/rule-stage.js';
import { resetOrDestroy } from './relay/reset-socket.js';
import type { OutgoingMessage, RelayFlags, RelayOptions } from './relay/relay-types.js';

export { MAX_COLLECTED_MESSAGE, type OutgoingMessage, type RelayOptions } from './relay/relay-types.js';

export class FrameRelay {
  private readonly client: RelayLane;
  private readonly server: RelayLane;
  private readonly recorder: RelayRecorder;
  private readonly stage: RuleStage | undefined;
  private finished = false;
  /** The side whose TCP connection ended first, for the 1006 record. */
  private firstToDrop: Sender | undefined;

  constructor(
    session: Session,
    readonly connection: ConnectionRecord,
    clientSocket: Duplex,
    serverSocket: Duplex,
    private readonly options: RelayOptions,
  ) {
    this.recorder = new RelayRecorder(session, connection, options.maxStoredPayload);
    this.stage = options.rules && new RuleStage(options.rules, connection, this, (message) => this.recorder.error(message), options.breakpoints);
    this.client = new RelayLane(this.recorder, 'client', clientSocket, serverSocket, options, this.stage);
    this.server = new RelayLane(this.recorder, 'server', serverSocket, clientSocket, options, this.stage);
    this.stage?.applyTo([this.client, this.server]);
  }

  /**
   * Starts relaying. clientHead and serverHead are bytes that arrived after each handshake head
   * (the first frames, when a peer did not wait): they go through the same path as later bytes.
   */
  start(clientHead: Buffer, serverHead: Buffer): void {
    this.pipe(this.client, this.server);
    this.pipe(this.server, this.client);
    this.stage?.start();
    if (serverHead.length > 0) this.server.onData(serverHead);
    if (clientHead.length > 0) this.client.onData(clientHead);
    if (this.options.holdForStore?.()) {
      this.holdForStore(true);
      return;
    }
    this.client.source.resume();
    this.server.source.resume();
  }

  /** Injects a message toward the server ('send') or the client ('receive'). */
  inject(direction: Direction, message: OutgoingMessage, flags?: RelayFlags): void {
    this.assertOpen();
    const lane = this.lane(direction);
    if (lane.receiverHasClose) {
      throw new Error(`the ${lane.receiver} has already received a close frame: nothing may follow it (RFC 6455 section 5.5.1); send a hand-crafted frame to break that rule on purpose`);
    }
    if (message.opcode === Opcode.Close) this.dropSecondCloses();
    lane.inject(message, flags);
  }

  /** Sends hand-crafted frame bytes as they are, at the next frame boundary. */
  injectRaw(direction: Direction, bytes: Buffer): void {
    this.assertOpen();
    this.lane(direction).injectRaw(bytes);
  }

  /** Closes cleanly (a close frame toward the chosen sides) or abruptly (TCP reset both ways). */
  close(mode: 'clean' | 'abrupt', toward: 'client' | 'server' | 'both', code?: number, reason?: string, flags?: RelayFlags): void {
    this.assertOpen();
    if (mode === 'abrupt') {
      resetOrDestroy(this.client.source);
      resetOrDestroy(this.server.source);
      return;
    }
    const payload = encodeClosePayload(code, reason);
    // A peer that already has a close frame (its peer's) gets no second one.
    const lanes = [...(toward !== 'client' ? [this.client] : []), ...(toward !== 'server' ? [this.server] : [])].filter((lane) => !lane.receiverHasClose);
    if (lanes.length === 0) throw new Error(`the ${toward === 'both' ? 'peers have' : `${toward} has`} already received a close frame`);
    this.dropSecondCloses();
    for (const lane of lanes) lane.inject({ opcode: Opcode.Close, data: payload }, flags);
  }

  /** The proxy closes toward a peer: it answers for that peer, and no peer gets two close frames. */
  private dropSecondCloses(): void {
    this.client.dropSecondCloses();
    this.server.dropSecondCloses();
  }

  /** Holds both senders while the capture store catches up (or lets them go on). */
  holdForStore(hold: boolean): void {
    for (const lane of [this.client, this.server]) {
      if (hold) lane.pause('store');
      else lane.resume('store');
    }
  }

  /** Whether a direction has switched to re-encoding (for tests and the UI). */
  isReencoding(direction: Direction): boolean {
    return this.lane(direction).isReencoding;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  private lane(direction: Direction): RelayLane {
    return direction === 'send' ? this.client : this.server;
  }

  private assertOpen(): void {
    if (this.finished) throw new Error(`connection ${this.connection.id} is closed`);
  }

  /** Takes the rules as they are now (the proxy calls it when they change): which directions they watch. */
  refreshRules(): void {
    if (!this.finished) this.stage?.refresh([this.client, this.server]);
  }

  private pipe(from: RelayLane, to: RelayLane): void {
    const socket = from.source;
    socket.on('data', (chunk: Buffer) => from.onData(chunk));
    socket.on('end', () => {
      from.ended = true;
      this.firstToDrop ??= from.sender;
      from.end();
      // Half-close travels on: the other peer learns that this one will send no more.
      if (!to.closed) from.endOutput();
    });
    socket.on('error', () => {
      // A reset or other failure: the other peer gets the same abrupt end.
      this.firstToDrop ??= from.sender;
      if (!to.closed) resetOrDestroy(to.source);
      // A destroyed socket is gone even if its 'close' never comes.
      if (socket.destroyed) setImmediate(gone);
    });
    const gone = () => {
      if (from.closed) return;
      from.closed = true;
      this.firstToDrop ??= from.sender;
      if (!from.ended) {
        from.ended = true;
        from.end();
      }
      if (!to.closed) {
        // Let whatever is queued drain, then close; a peer that never reads is not waited on forever.
        from.endOutput();
        const timer = setTimeout(() => to.source.destroy(), 5_000);
        timer.unref();
      }
      if (this.client.closed && this.server.closed) this.finish();
    };
    socket.on('close', gone);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.options.breakpoints?.forgetConnection(this.connection.id);
    this.stage?.dispose();
    this.client.dispose();
    this.server.dispose();
    this.recorder.finished(this.firstToDrop);
  }
}
