// The engine's loopback server: the UI's static files and the control API's WebSocket, on one port.
// Every request is checked (access-check.ts); the WebSocket also needs the per-run token.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { generateToken, hostAllowed, refusal, type AccessPolicy } from './access-check.js';
import { EventBatcher } from './event-batcher.js';
import { CONTROL_PATH, type ControlEvent, type ControlMethod, type ControlRequest, type ControlServerMessage } from './api-types.js';

/** Runs one command for one client; throws an Error whose message the client sees. */
export type CommandHandler = (method: ControlMethod, params: unknown, client: ControlClient) => Promise<unknown>;

export interface ControlClient {
  /** Sends an event to this client only (batched like broadcasts). */
  send(event: ControlEvent): void;
}

export interface ControlServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** The built UI (index.html and assets); without it only the API is served. */
  staticDir?: string;
  /** The per-run token; generated when absent. */
  token?: string;
  /** Longest wait of a batched event, ms. Default 50. */
  batchInterval?: number;
  /** Told how many UIs are connected whenever that changes. */
  onClientCount?: (count: number) => void;
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
  private readonly clients = new Set<{ socket: WebSocket; batcher: EventBatcher<ControlEvent> }>();
  private policy: AccessPolicy = { token: '', port: 0 };

  constructor(private readonly options: ControlServerOptions) {
    this.token = options.token ?? generateToken();
    this.server = http.createServer((req, res) => this.serveStatic(req, res));
    this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
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

  close(): Promise<void> {
    for (const client of this.clients) {
      client.batcher.dispose();
      client.socket.terminate();
    }
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const refused = path === CONTROL_PATH ? refusal(req, this.policy) : { status: 404, reason: 'not found' };
    if (refused) {
      const body = `${refused.reason}\n`;
      socket.end(`HTTP/1.1 ${refused.status} ${http.STATUS_CODES[refused.status]}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onClient(ws));
  }

  private onClient(socket: WebSocket): void {
    const client = {
      socket,
      batcher: new EventBatcher<ControlEvent>((events) => this.sendTo(socket, { type: 'events', events }), this.options.batchInterval ?? 50),
    };
    this.clients.add(client);
    this.options.onClientCount?.(this.clients.size);
    const api: ControlClient = { send: (event) => client.batcher.push(event) };
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      let request: ControlRequest;
      try {
        request = JSON.parse(data.toString()) as ControlRequest;
      } catch {
        return;
      }
      if (typeof request?.id !== 'number' || typeof request.method !== 'string') return;
      this.options.handler(request.method, request.params ?? {}, api).then(
        (result) => this.sendTo(socket, { type: 'response', id: request.id, result: result ?? {} }),
        (error: unknown) => this.sendTo(socket, { type: 'response', id: request.id, error: { message: error instanceof Error ? error.message : String(error) } }),
      );
    });
    socket.on('close', () => {
      client.batcher.dispose();
      this.clients.delete(client);
      this.options.onClientCount?.(this.clients.size);
    });
    socket.on('error', () => socket.terminate());
  }

  private sendTo(socket: WebSocket, message: ControlServerMessage): void {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  }

  private serveStatic(req: IncomingMessage, res: ServerResponse): void {
    if (!hostAllowed(req.headers.host, this.policy)) {
      res.writeHead(421, { 'Content-Type': 'text/plain' }).end('this host name is not served here\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const dir = this.options.staticDir;
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
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
    else createReadStream(file).pipe(res);
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
