// The one place where a listener turns a failure into an answer for that connection. Every HTTP
// listener (the proxy port, tunnels inside it, the UI and control API server) is made here and hands
// its handlers through the guard: a thrown error or a rejected promise while handling a request, an
// upgrade or a CONNECT becomes a status for that connection only (400, 408, 414, 431, 502, 505, 508,
// 500 otherwise), is recorded once, and touches nothing else. Bytes that do not parse as HTTP never
// reach a handler: Node's parser reports them as client errors, which are answered here as well.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { writeErrorResponse } from './error-response.js';

/** A failure that knows the status its connection is answered with. */
export class HttpFailure extends Error {
  constructor(
    /** The status the client gets (400, 408, 414, 431, 502, 505, 508...). */
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ListenerLimits {
  /** Milliseconds from a connection's start (or the first byte of a request) to its complete head. Default 15 s; answered 408. */
  headTimeout?: number;
  /** Bytes of a request head (request line and headers). Default 16 KiB; past it 414 (request line) or 431 (headers). */
  maxHeadSize?: number;
  /** Connections whose first request head is not complete yet. Default 1024; past it new connections get 503. */
  maxHalfOpen?: number;
}

export const DEFAULT_HEAD_TIMEOUT = 15_000;
export const DEFAULT_MAX_REQUEST_HEAD = 16 * 1024;
export const DEFAULT_MAX_HALF_OPEN = 1024;
/** Records of refused or failed requests per second and listener; the rest are counted in one record. */
export const DEFAULT_MAX_RECORDS_PER_SECOND = 1_000;
/** Milliseconds an answered bad request's socket stays open for the answer to arrive. */
const ANSWERED_LINGER = 2_000;

export interface GuardedHandlers {
  request?: (req: IncomingMessage, res: ServerResponse) => unknown;
  upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => unknown;
  connect?: (req: IncomingMessage, socket: Duplex, head: Buffer) => unknown;
}

export interface GuardOptions extends ListenerLimits {
  /** Records a refused or failed attempt where it belongs (the session's errors, stderr...). */
  record: (message: string) => void;
  /** Records per second; past it failures are counted and said in one record. Default 1000. */
  maxRecordsPerSecond?: number;
  /**
   * Checked before every handler with the request's socket: a failure to throw instead of handling
   * (the proxy refuses its own looped connections here).
   */
  precheck?: (socket: Duplex, req?: IncomingMessage) => HttpFailure | undefined;
}

/** An HTTP server whose handlers cannot end the process, with head timeouts and a half-open cap. */
export function createGuardedServer(handlers: GuardedHandlers, guardOptions: GuardOptions): http.Server {
  const options = { ...guardOptions, record: recordAtMost(guardOptions.record, guardOptions.maxRecordsPerSecond ?? DEFAULT_MAX_RECORDS_PER_SECOND) };
  const headTimeout = options.headTimeout ?? DEFAULT_HEAD_TIMEOUT;
  const maxHalfOpen = options.maxHalfOpen ?? DEFAULT_MAX_HALF_OPEN;
  const server = http.createServer({
    requireHostHeader: false,
    maxHeaderSize: options.maxHeadSize ?? DEFAULT_MAX_REQUEST_HEAD,
    headersTimeout: headTimeout,
    // Node answers bodies that never finish on its own schedule; only the head is ours to bound.
    requestTimeout: Math.max(headTimeout, 300_000),
    // How often Node looks for heads that took too long: often enough that 408 comes on time.
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headTimeout / 4))),
  });

  const halfOpen = new Set<Duplex>();
  const lineWatchers = new WeakMap<Duplex, (chunk: Buffer) => void>();
  const headComplete = (socket: Duplex) => {
    halfOpen.delete(socket);
    const watcher = lineWatchers.get(socket);
    if (watcher) socket.off('data', watcher);
  };
  /** Sockets whose first request line ended (known where the bytes pass through JS: tunnels). */
  const lineEnded = new WeakMap<Duplex, boolean>();
  /** Sockets already answered for a client error (Node reports each later chunk again). */
  const answered = new WeakSet<Duplex>();
  server.on('connection', (socket: Duplex) => {
    // Node's timeouts end sockets with an error we answer below; the socket's own errors end it here.
    socket.on('error', () => socket.destroy());
    // TCP sockets are parsed in C++ and never emit data here; tunnelled ones do.
    const watchLine = (chunk: Buffer) => {
      const ended = chunk.includes(0x0a);
      lineEnded.set(socket, ended);
      if (ended) socket.off('data', watchLine);
    };
    lineWatchers.set(socket, watchLine);
    socket.on('data', watchLine);
    if (halfOpen.size >= maxHalfOpen) {
      options.record(`refused a connection from ${peerOf(socket)}: ${halfOpen.size} connections have not finished their request head (the limit)`);
      writeErrorResponse(socket, 503, `too many connections are still sending their request head (limit ${maxHalfOpen}); try again`);
      return;
    }
    halfOpen.add(socket);
    socket.once('close', () => halfOpen.delete(socket));
  });

  const fail = (error: unknown, req: IncomingMessage, answer: (status: number, message: string) => void) => {
    const status = statusOf(error);
    const message = messageOf(error);
    options.record(`${describeRequest(req)} from ${peerOf(req.socket)} answered ${status}: ${message}`);
    answer(status, message);
  };
  const run = (req: IncomingMessage, handle: () => unknown, answer: (status: number, message: string) => void) => {
    headComplete(req.socket);
    try {
      const refused = options.precheck?.(req.socket, req);
      if (refused) throw refused;
      const result = handle();
      if (result instanceof Promise) result.catch((error: unknown) => fail(error, req, answer));
    } catch (error) {
      fail(error, req, answer);
    }
  };

  if (handlers.request) {
    const handle = handlers.request;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => run(req, () => handle(req, res), (status, message) => {
      if (res.headersSent) {
        // Half a response went out: what was written goes too, then the connection ends, so the
        // client sees the body cut short rather than a second head.
        const socket = res.socket;
        if (!socket) return;
        socket.end();
        setTimeout(() => socket.destroy(), ANSWERED_LINGER).unref();
        return;
      }
      const body = Buffer.from(`Framescope: ${message}\n`, 'utf8');
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length, 'X-Framescope-Error': '1', Connection: 'close' });
      res.end(body);
    }));
  }
  for (const event of ['upgrade', 'connect'] as const) {
    const handle = handlers[event];
    if (!handle) continue;
    server.on(event, (req: IncomingMessage, socket: Duplex, head: Buffer) => run(req, () => handle(req, socket, head), (status, message) => {
      if (socket.writable) writeErrorResponse(socket, status, message);
      else socket.destroy();
    }));
  }

  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex) => {
    headComplete(socket);
    if (answered.has(socket)) return;
    const refused = options.precheck?.(socket);
    const status = refused ? refused.status : clientErrorStatus(error, lineEnded.get(socket));
    if (status === undefined || !socket.writable) {
      socket.destroy();
      return;
    }
    answered.add(socket);
    const message = refused ? refused.message : clientErrorMessage(error, status);
    options.record(`bad request from ${peerOf(socket)} answered ${status}: ${message}`);
    writeErrorResponse(socket, status, message);
    // The peer may still be sending: give the answer time to arrive before the socket goes (closing
    // with unread bytes resets the connection, and the peer may lose the answer).
    setTimeout(() => socket.destroy(), ANSWERED_LINGER).unref();
  });
  return server;
}

/**
 * A flood of bad requests is recorded up to a rate; the rest is counted and said in one record when
 * the second is over, so the record (in memory and on disk) grows with time, not with the flood.
 */
function recordAtMost(record: (message: string) => void, perSecond: number): (message: string) => void {
  let windowStart = 0;
  let count = 0;
  let suppressed = 0;
  return (message) => {
    const now = Date.now();
    if (now - windowStart >= 1_000) {
      windowStart = now;
      count = 0;
    }
    if (++count <= perSecond) {
      record(message);
      return;
    }
    if (suppressed++ === 0) {
      setTimeout(() => {
        record(`${suppressed} more refused or failed requests in the same second were not recorded one by one`);
        suppressed = 0;
      }, 1_000 - (now - windowStart)).unref();
    }
  };
}

/** The status a failed handler's connection is answered with. */
export function statusOf(error: unknown): number {
  if (error instanceof HttpFailure) return error.status;
  // A malformed percent-escape (decodeURIComponent) or a target that is not a URL.
  if (error instanceof URIError) return 400;
  if ((error as NodeJS.ErrnoException | null)?.code === 'ERR_INVALID_URL') return 400;
  return 500;
}

function messageOf(error: unknown): string {
  if (error instanceof HttpFailure) return error.message;
  if (error instanceof URIError) return 'the request target has a malformed percent-escape';
  if ((error as NodeJS.ErrnoException | null)?.code === 'ERR_INVALID_URL') return 'the request target is not a valid URL';
  return `internal error while handling the request (${error instanceof Error ? error.message : String(error)})`;
}

/**
 * The status for bytes Node's HTTP parser refused, or undefined when the peer is gone and gets
 * nothing. A head over the size limit is 414 when its request line alone did not end (RFC 9110
 * §15.5.15), 431 when the headers are what is too large (RFC 6585 §5).
 */
export function clientErrorStatus(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, lineEnded?: boolean): number | undefined {
  // Socket errors (a reset, a failed TLS layer) belong to whoever owns the socket: it is closed
  // without an answer, and recorded by that owner, not a second time here.
  if (error.code !== 'ERR_HTTP_REQUEST_TIMEOUT' && !error.code?.startsWith('HPE_')) return undefined;
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    case 'HPE_HEADER_OVERFLOW':
      return (lineEnded === undefined ? requestLineUnfinished(error.rawPacket) : !lineEnded) ? 414 : 431;
    case 'HPE_INVALID_VERSION':
    case 'HPE_PAUSED_H2_UPGRADE':
      return 505;
    default:
      return 400;
  }
}

function clientErrorMessage(error: NodeJS.ErrnoException, status: number): string {
  switch (status) {
    case 408: return 'the request head did not arrive in time';
    case 414: return 'the request line is too long';
    case 431: return 'the request headers are too large';
    case 505: return error.code === 'HPE_PAUSED_H2_UPGRADE'
      ? 'HTTP/2 is not spoken here: send HTTP/1.1'
      : 'the request\'s HTTP version is not supported: send HTTP/1.1';
    default: return `the request could not be parsed (${error.code ?? error.message})`;
  }
}

/**
 * Whether the bytes that overflowed the head are one request line that never ended, judged from the
 * chunk being parsed (all that Node shows of a TCP socket's bytes).
 */
function requestLineUnfinished(packet: Buffer | undefined): boolean {
  if (!packet) return false;
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ /.test(packet.subarray(0, 32).toString('latin1')) && !packet.includes(0x0a);
}

function describeRequest(req: IncomingMessage): string {
  const target = req.url ?? '';
  return `${req.method ?? '?'} ${target.length > 200 ? `${target.slice(0, 200)}…` : target}`;
}

/** address:port of a socket's peer, for the record. */
export function peerOf(socket: Duplex): string {
  const s = socket as Socket;
  const address = s.remoteAddress;
  if (address === undefined) return 'a tunnelled client';
  return `${address.includes(':') ? `[${address}]` : address}:${s.remotePort ?? 0}`;
}
