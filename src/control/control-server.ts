// The engine's loopback server: the UI's static files and the control API's WebSocket, on one port.
// Every request is checked (access-check.ts); the WebSocket also needs the per-run token.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { generateToken, hostAllowed, refusal, type AccessPolicy } from './access-check.js';
import { EventBatcher, type LiveView, type ConnectionReader } from './event-batcher.js';
import { CONTROL_PATH, type ControlEvent, type ControlMethod, type ControlServerMessage, type FrameWindow } from './api-types.js';
import { createGuardedServer, HttpFailure, peerOf, type ListenerLimits } from '../proxy/listener-guard.js';
import { readControlMessage } from './control-message.js';

/** Runs one command for one client; throws an Error whose message the client sees. */
export type CommandHandler = (method: ControlMethod, params: unknown, client: ControlClient) => Promise<unknown>;

export interface ControlClient {
  /** Sends an event to this client only (batched like broadcasts). */
  send(event: ControlEvent): void;
  /** Runs listener once when this client's connection closes (to cancel its jobs). */
  onClose(listener: () => void): void;
  /** Views a frame list live (or none): its changed rows go out with the batches. Returns the window now. */
  watch(view: LiveView | undefined, paced: boolean): FrameWindow | undefined;
}

export interface ControlServerOptions extends ListenerLimits {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** The built UI (index.html and assets); without it only the API is served. */
  staticDir?: string;
  /** The per-run token; generated when absent. */
  token?: string;
  /** Longest wait of a batched event while the client keeps up, ms. Default 50. */
  batchInterval?: number;
  /** Told how many UIs are connected whenever that changes. */
  onClientCount?: (count: number) => void;
  /** Told of every refused or failed request (bad URLs, timeouts, oversize heads); default: nowhere. */
  onRejected?: (message: string) => void;
  handler: CommandHandler;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ttf': 'font/ttf', '.woff': 'font/woff', '.woff2': 'font/woff2', '.map': 'application/json', '.ico': 'image/x-icon',
};

export class ControlServer {
  readonly token: string;
  private readonly server: http.Server;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 512 * 1024 * 1024 });
  private readonly clients = new Set<{ socket: WebSocket; batcher: EventBatcher }>();
  private policy: AccessPolicy = { token: '', port: 0 };

  constructor(private readonly options: ControlServerOptions) {
    this.token = options.token ?? generateToken();
    // Whatever a request does wrong answers that request (400, 408, 414, 431...) and nothing else.
    this.server = createGuardedServer(
      { request: (req, res) => this.serveStatic(req, res), upgrade: (req, socket, head) => this.onUpgrade(req, socket, head) },
      { ...options, record: (message) => options.onRejected?.(`UI server: ${message}`) },
    );
  }

  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        const address = this.server.address() as AddressInfo;
        this.policy = { token: this.token, port: address.port };
        resolve(address);
      });
    });
  }

  /** The UI's address with its token, to open in a browser or the Electron window. */
  get url(): string {
    return `http://127.0.0.1:${this.policy.port}/?token=${this.token}`;
  }

  get port(): number {
    return this.policy.port;
  }

  /** Queues an event for every connected UI. */
  broadcast(event: ControlEvent): void {
    for (const client of this.clients) client.batcher.push(event);
  }

  /** Tells every connected UI these connections changed (see EventBatcher.pushConnections). */
  connectionsChanged(opened: readonly number[], counted: readonly number[], reader: ConnectionReader): void {
    for (const client of this.clients) client.batcher.pushConnections(opened, counted, reader);
  }

  /**
   * What each connected client costs this side now: bytes its socket holds unread, and events coalesced
   * for it. Both stay bounded however slowly it reads (for tests and the bench).
   */
  backlog(): { bufferedBytes: number; queuedEvents: number; heldBack: number }[] {
    return [...this.clients].map((c) => ({ bufferedBytes: c.socket.bufferedAmount, queuedEvents: c.batcher.queued, heldBack: c.batcher.heldBack }));
  }

  close(): Promise<void> {
    for (const client of this.clients) {
      client.batcher.dispose();
      client.socket.terminate();
    }
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const path = requestPath(req, false);
    const refused = path === CONTROL_PATH ? refusal(req, this.policy) : { status: 404, reason: 'not found' };
    if (refused) {
      this.options.onRejected?.(`UI server: refused a control connection from ${peerOf(socket)} with ${refused.status}: ${refused.reason}`);
      const body = `${refused.reason}\n`;
      socket.end(`HTTP/1.1 ${refused.status} ${http.STATUS_CODES[refused.status]}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onClient(ws));
  }

  private onClient(socket: WebSocket): void {
    const sink = { send: (events: ControlEvent[], batch: number) => this.sendTo(socket, { type: 'events', events, batch }), backlog: () => socket.bufferedAmount };
    const client = { socket, batcher: new EventBatcher(sink, this.options.batchInterval ?? 50) };
    this.clients.add(client);
    this.options.onClientCount?.(this.clients.size);
    const closeListeners: (() => void)[] = [];
    const api: ControlClient = {
      send: (event) => client.batcher.push(event),
      onClose: (listener) => closeListeners.push(listener),
      watch: (view, paced) => client.batcher.watch(view, paced),
    };
    socket.on('message', (data, isBinary) => {
      // A message that is no request at all gets an error event; one with an id gets its error by id.
      const read = readControlMessage(data as Buffer | Buffer[] | ArrayBuffer, isBinary);
      if ('problem' in read) {
        if (read.id === undefined) client.batcher.push({ kind: 'error', message: `control API: ${read.problem}`, time: Date.now() });
        else this.sendTo(socket, { type: 'response', id: read.id, error: { message: read.problem } });
        return;
      }
      const { id, method, params } = read;
      if (method === 'ackEvents') {
        // The transport's own: the client applied a batch and may be sent the next.
        const batch = (params as { batch?: unknown }).batch;
        if (typeof batch !== 'number') this.sendTo(socket, { type: 'response', id, error: { message: 'ackEvents needs the "batch" number' } });
        else {
          client.batcher.acknowledge(batch);
          this.sendTo(socket, { type: 'response', id, result: {} });
        }
        return;
      }
      let pending: Promise<unknown>;
      try {
        pending = Promise.resolve(this.options.handler(method, params, api));
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (result) => this.sendTo(socket, { type: 'response', id, result: result ?? {} }),
        (error: unknown) => this.sendTo(socket, { type: 'response', id, error: { message: error instanceof Error ? error.message : String(error) } }),
      );
    });
    socket.on('close', () => {
      for (const listener of closeListeners.splice(0)) listener();
      client.batcher.dispose();
      this.clients.delete(client);
      this.options.onClientCount?.(this.clients.size);
    });
    socket.on('error', () => socket.terminate());
  }

  private sendTo(socket: WebSocket, message: ControlServerMessage): void {
    if (socket.readyState !== socket.OPEN) return;
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (error) {
      // A result that is not JSON (a BigInt, a cycle) is the command's failure, not the server's.
      if (message.type !== 'response') return;
      text = JSON.stringify({ type: 'response', id: message.id, error: { message: `the result could not be sent: ${(error as Error).message}` } });
    }
    socket.send(text);
  }

  private serveStatic(req: IncomingMessage, res: ServerResponse): void {
    if (!hostAllowed(req.headers.host, this.policy)) {
      // Answered and closed by the guard, and recorded: a page under a rebinding name tried to read us.
      throw new HttpFailure(421, 'this host name is not served here');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const dir = this.options.staticDir;
    const pathname = requestPath(req);
    const relative = normalize(pathname === '/' ? '/index.html' : pathname);
    const file = dir ? join(dir, relative) : '';
    if (!dir || !file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(dir ? 'not found\n' : 'the UI is not built: run npm run build\n');
      return;
    }
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': contentSecurityPolicy(this.policy.port),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    // A file that goes away after the check ends this response, not the engine.
    else createReadStream(file).on('error', () => res.destroy()).pipe(res);
  }
}

/** The request target's path (decoded unless told); a target or percent-escape that does not parse is a 400. */
function requestPath(req: IncomingMessage, decode = true): string {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
  } catch {
    throw new HttpFailure(400, 'the request target is not a valid URL');
  }
  if (!decode) return url.pathname;
  try {
    return decodeURIComponent(url.pathname);
  } catch {
    throw new HttpFailure(400, 'the request target has a malformed percent-escape');
  }
}

/** A strict CSP: our own scripts only, workers from our origin or blob:, the API socket, no remote content. */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Monaco injects its styles at run time.
    "style-src 'self' 'unsafe-inline'",
    "worker-src 'self' blob:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "img-src 'self' data:",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}
