// A mock: a WebSocket server that plays the server side of a recorded connection. Its listener is
// guarded like every other (listener-guard.ts). Each client's upgrade goes through the proxy's own
// bridge and relay, whose server side is the script (script-server.ts) on an in-process socket pair:
// the mock's connections are recorded into a session exactly like proxied ones, so a run against the
// mock can be inspected, exported and compared with the original.
//
// startMock() is the API for a mock with its own address; serveRecording() (recording-server.ts) is the
// same server side without a listener, for a bridge that serves a URL from a recording.
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import type { Session } from '../capture/session.js';
import type { CapturedMessage, ConnectionRecord } from '../capture/capture-model.js';
import { bridgeWebSocket } from '../proxy/websocket-bridge.js';
import { createGuardedServer, HttpFailure, type ListenerLimits } from '../proxy/listener-guard.js';
import { DEFAULT_MAX_STORED_PAYLOAD } from '../protocol/frame-parser.js';
import type { Message } from '../protocol/frame.js';
import type { MatchLevel, MockTiming } from './script-matcher.js';
import { serveRecording } from './recording-server.js';
import type { LensName } from '../protocol/lenses/lens.js';
import type { MockSource } from './mock-source.js';

export interface MockOptions extends ListenerLimits {
  /** Where the mock's connections are recorded. */
  session: Session;
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** recorded (default): answers and pushes keep their recorded delays; fast: at once, in order. */
  timing?: MockTiming;
  /** How loosely client messages may match (default order: content, then protocol fields, then order). */
  match?: MatchLevel;
  /** Payload bytes stored per frame and message. Default 1 MiB. */
  maxStoredPayload?: number;
  /** Told of each client message the recording does not answer (after it is recorded in the session's errors). */
  onUnexpected?: (unexpected: UnexpectedMessage) => void;
  /**
   * Marks an unexpected message where it is stored: `number` is the message's number in its
   * connection (the engine puts a note annotation there).
   */
  annotate?: (connectionId: number, messageNumber: number, note: string) => void;
}

/** A client message the recording did not answer. */
export interface UnexpectedMessage {
  /** The mock's connection, as recorded in its session (undefined when served through connect()). */
  connectionId?: number;
  /** The client message's number among that connection's client messages, from 0. */
  index: number;
  opcode: number;
  data: Buffer;
  /** Epoch ms. */
  time: number;
}

export interface MockHandle {
  /** ws://host:port/ */
  url: string;
  host: string;
  port: number;
  source: MockSource;
  timing: MockTiming;
  match: MatchLevel;
  /** The lens whose packets' type and event are the protocol fields matched, when one recognised the recording (else JSON's type and event). */
  lens?: LensName;
  /** Ids of the connections served so far, in the mock's session. */
  readonly connectionIds: readonly number[];
  /** Client messages the recording did not answer: how many, and the last ones (at most 100). */
  readonly unexpectedCount: number;
  readonly unexpected: readonly UnexpectedMessage[];
  /** The script's side of a fresh connection, for a bridge that connects to it in-process. */
  connect(handlers?: { onUnexpected?: (u: UnexpectedMessage) => void }): { socket: Duplex; remoteAddress: string };
  /** Stops listening and ends every connection. */
  stop(): Promise<void>;
}

/** Unexpected messages kept for listing; the count goes on. */
const KEPT_UNEXPECTED = 100;
/** What the session's error record shows of an unexpected message. */
const PREVIEW = 200;

export async function startMock(source: MockSource, options: MockOptions): Promise<MockHandle> {
  const timing = options.timing ?? 'recorded';
  const match = options.match ?? 'order';
  const session = options.session;
  const sockets = new Set<Duplex>();
  const track = (socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const connectionIds: number[] = [];
  const unexpected: UnexpectedMessage[] = [];
  let unexpectedCount = 0;
  const messageMarks = new MessageMarks(session, options.annotate);
  const recording = serveRecording(source, { timing, match });

  const report = (u: UnexpectedMessage) => {
    unexpectedCount++;
    unexpected.push(u);
    if (unexpected.length > KEPT_UNEXPECTED) unexpected.shift();
    const where = u.connectionId !== undefined ? ` on connection ${u.connectionId}` : '';
    const note = `mock of ${source.label}: unexpected client message ${u.index}${where}: ${preview(u.opcode, u.data)}`;
    session.recordError(note, u.connectionId);
    if (u.connectionId !== undefined) messageMarks.mark(u.connectionId, u.index, `unexpected: the recording (${source.label}) has no answer for this message`);
    options.onUnexpected?.(u);
  };

  const serve = (connectionId: () => number | undefined, onUnexpected?: (u: UnexpectedMessage) => void) => {
    const served = recording.connect({
      onUnexpected: (message: Message, index: number) => {
        const u: UnexpectedMessage = { connectionId: connectionId(), index, opcode: message.opcode, data: message.data, time: Date.now() };
        report(u);
        onUnexpected?.(u);
      },
    });
    track(served.socket);
    return served;
  };

  const server = createGuardedServer(
    {
      request: (_req, res) => {
        res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket', Connection: 'close' });
        res.end(`Framescope: this is a mock of ${source.label} (${source.url}); connect with a WebSocket client\n`);
      },
      upgrade: (req, socket, head) => onUpgrade(req, socket, head),
    },
    { headTimeout: options.headTimeout, maxHeadSize: options.maxHeadSize, maxHalfOpen: options.maxHalfOpen, record: (message) => session.recordError(`mock of ${source.label}: ${message}`) },
  );
  server.on('connection', track);

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const rawTarget = req.url ?? '/';
    if (!rawTarget.startsWith('/')) throw new HttpFailure(400, `the mock takes origin-form request targets (/path), not ${JSON.stringify(rawTarget.slice(0, 200))}`);
    let connection: ConnectionRecord | undefined;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    void bridgeWebSocket(session, req, socket, head, { host: address.address, port: address.port, secure: false, url: `ws://${host}:${address.port}${rawTarget}`, path: rawTarget, stripProxyHeaders: false }, {
      connect: async () => serve(() => connection?.id),
      onConnection: (c) => {
        connection = c;
        connectionIds.push(c.id);
        messageMarks.watch(c.id);
      },
      insecure: false,
      connectTimeout: 10_000,
      responseTimeout: 10_000,
      maxStoredPayload: options.maxStoredPayload ?? DEFAULT_MAX_STORED_PAYLOAD,
    }).catch((error: unknown) => {
      session.recordError(`mock of ${source.label}: ${error instanceof Error ? error.message : String(error)}`);
      socket.destroy();
    });
  };

  // onUpgrade reads it: no upgrade comes before the listener is bound.
  const address = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `ws://${host}:${address.port}/`,
    host: address.address,
    port: address.port,
    source,
    timing,
    match,
    ...(recording.lens ? { lens: recording.lens } : {}),
    get connectionIds() { return connectionIds; },
    get unexpectedCount() { return unexpectedCount; },
    get unexpected() { return unexpected; },
    connect: (handlers) => serve(() => undefined, handlers?.onUnexpected),
    stop: () => {
      messageMarks.dispose();
      recording.close();
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Finds the stored number of a mock connection's nth client message, to mark it: the relay records a
 * message before or after the script sees it, so a mark waits for its message when it comes first.
 */
class MessageMarks {
  private readonly connections = new Map<number, { messages: number; clientNumbers: number[]; pending: Map<number, string> }>();
  private readonly onMessage = (c: ConnectionRecord, m: CapturedMessage) => {
    const state = this.connections.get(c.id);
    if (!state) return;
    const number = state.messages++;
    if (m.direction !== 'send') return;
    const index = state.clientNumbers.push(number) - 1;
    const note = state.pending.get(index);
    if (note !== undefined) {
      state.pending.delete(index);
      this.annotate?.(c.id, number, note);
    }
  };
  private readonly onClosed = (c: ConnectionRecord) => this.connections.delete(c.id);

  constructor(private readonly session: Session, private readonly annotate: MockOptions['annotate']) {
    if (!annotate) return;
    session.on('message', this.onMessage);
    session.on('connection-closed', this.onClosed);
  }

  watch(connectionId: number): void {
    if (this.annotate) this.connections.set(connectionId, { messages: 0, clientNumbers: [], pending: new Map() });
  }

  mark(connectionId: number, index: number, note: string): void {
    const state = this.connections.get(connectionId);
    if (!state) return;
    const number = state.clientNumbers[index];
    if (number === undefined) state.pending.set(index, note);
    else this.annotate?.(connectionId, number, note);
  }

  dispose(): void {
    this.session.off('message', this.onMessage);
    this.session.off('connection-closed', this.onClosed);
  }
}

function preview(opcode: number, data: Buffer): string {
  const text = opcode === 1 ? JSON.stringify(data.subarray(0, PREVIEW).toString('utf8')) : `binary ${data.subarray(0, PREVIEW / 2).toString('hex')}`;
  return data.length > (opcode === 1 ? PREVIEW : PREVIEW / 2) ? `${text}… (${data.length} bytes)` : text;
}

/** Listens, turning "port in use" into a sentence. */
function listen(server: http.Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} on ${host} is already in use; choose another port for the mock`) : error);
    });
    server.listen(port, host, () => {
      server.removeAllListeners('error');
      resolve(server.address() as AddressInfo);
    });
  });
}
