// The proxy's listener. Explicit mode: absolute-form requests and CONNECT tunnels, with TLS
// intercepted inside tunnels and anything that is neither TLS nor HTTP tunnelled untouched.
// Reverse mode: every request goes to one upstream with its own path. WebSocket upgrades go to the
// bridge and relay; other HTTP requests are forwarded by http-proxy so browsers keep working.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import httpProxy from 'http-proxy';
import type { Session } from '../capture/session.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { bridgeWebSocket, type BridgeTarget } from './websocket-bridge.js';
import { LaunchRegistry } from './launch-registry.js';
import { launchTagFromAuthorization, type LaunchTag } from './launch-tag.js';
import { createGuardedServer, DEFAULT_HEAD_TIMEOUT, HttpFailure, type ListenerLimits } from './listener-guard.js';
import { LoopDetector } from './loop-detection.js';
import { describeFailure, formatSocketAddress, UpstreamError } from './upstream-connector.js';
import { Breakpoints } from './breakpoints.js';
import { RuleEngine } from '../rules/rule-engine.js';
import type { RecordingUpstreams } from './recording-upstreams.js';
import type { FrameRelay } from './frame-relay.js';
import type { ConnectionRecord } from '../capture/capture-model.js';
import { tlsExceptionMatches } from './tls-exceptions.js';
import type { TlsKeyLog } from './tls-key-log.js';

export interface ProxyOptions extends ListenerLimits {
  /** Address to listen on. Default 127.0.0.1: never exposed to the network unless asked. */
  host?: string;
  /** Port to listen on; 0 picks a free one. Default 8080. */
  port?: number;
  /** Reverse mode: every connection goes to this ws:// or wss:// URL's host with the request's path. */
  upstream?: string;
  /** Do not verify upstream TLS certificates. Default false. */
  insecure?: boolean;
  /** Upstreams whose TLS certificates are not verified (host, host:port or *.domain; see tls-exceptions.ts). */
  insecureHosts?: string[];
  /** Extra CA certificates to trust for upstream TLS. */
  upstreamCa?: string | string[];
  /** Payload bytes stored per frame and message. Default 1 MiB. */
  maxStoredPayload?: number;
  /** Milliseconds to connect upstream. Default 10 s. */
  connectTimeout?: number;
  /** Milliseconds to wait for the upstream's handshake answer. Default 30 s. */
  responseTimeout?: number;
  /** Loads the interception CA on first CONNECT to a TLS endpoint. */
  certificateAuthority?: () => CertificateAuthority;
  /**
   * Milliseconds a CONNECT tunnel may stay silent before its first byte, and an intercepted TLS
   * handshake may take. Default: the head timeout (15 s).
   */
  tunnelIdleTimeout?: number;
  /** Where both legs' TLS secrets are written (--keylog, SSLKEYLOGFILE). */
  keyLog?: TlsKeyLog;
}

export const DEFAULT_PROXY_PORT = 8080;
export const DEFAULT_MAX_STORED_PAYLOAD = 1024 * 1024;

/** What can change while the proxy runs; it applies from the next connection on. */
export type LiveProxyOptions = Pick<ProxyOptions, 'upstream' | 'insecure' | 'insecureHosts' | 'maxStoredPayload' | 'connectTimeout'>;

/** Where a socket's requests go: set for sockets that came out of a CONNECT tunnel. */
interface TunnelInfo {
  host: string;
  port: number;
  secure: boolean;
  /** The launch the client came from, when its CONNECT carried a launch tag. */
  launch?: LaunchTag;
}

export class ProxyServer {
  /** The listener; a new one replaces it when the port changes (rebind). */
  server: http.Server;
  private readonly options: Required<Pick<ProxyOptions, 'host' | 'port' | 'insecure' | 'insecureHosts' | 'maxStoredPayload' | 'connectTimeout' | 'responseTimeout' | 'tunnelIdleTimeout'>> & ProxyOptions;
  private upstream?: URL;
  private readonly tunnels = new WeakMap<Duplex, TunnelInfo>();
  private readonly forwarder: httpProxy;
  private readonly sockets = new Set<Duplex>();
  private ca?: CertificateAuthority;
  /** Rules that hold handshakes and messages, and what they hold. */
  readonly breakpoints = new Breakpoints();
  /** The launches (framescope run, shell) whose clients came through, by their proxy credentials. */
  readonly launches = new LaunchRegistry();
  /** The rules (a rules file's, then the breakpoints): the one place that decides what happens to traffic. */
  readonly rules = new RuleEngine(this.breakpoints);
  /** Where rules that serve a connection from a recording get it (the engine sets it: it knows the sessions). */
  recordings: RecordingUpstreams | undefined;
  /** The relays of open connections, by connection id. */
  private readonly relays = new Map<number, FrameRelay>();
  /** Listeners for connections that Framescope itself opened (client mode), by their socket. */
  private readonly ownClients = new WeakMap<Duplex, (connection: ConnectionRecord) => void>();

  constructor(readonly session: Session, options: ProxyOptions = {}) {
    this.options = {
      host: '127.0.0.1',
      port: DEFAULT_PROXY_PORT,
      insecure: false,
      insecureHosts: [],
      maxStoredPayload: DEFAULT_MAX_STORED_PAYLOAD,
      connectTimeout: 10_000,
      responseTimeout: 30_000,
      tunnelIdleTimeout: options.headTimeout ?? DEFAULT_HEAD_TIMEOUT,
      ...options,
    };
    this.upstream = options.upstream ? parseUpstream(options.upstream) : undefined;
    this.forwarder = httpProxy.createProxyServer({ xfwd: false, ws: false, secure: !this.options.insecure, ca: options.upstreamCa } as httpProxy.ServerOptions);
    // Each forwarded request handles its own failure (see onRequest); this one only keeps an
    // unexpected error from ending the process.
    this.forwarder.on('error', (error) => this.session.recordError(`could not forward a request: ${(error as NodeJS.ErrnoException).code ?? error.message}`));
    this.forwarder.on('proxyReq', (proxyReq) => proxyReq.on('socket', (socket: net.Socket) => {
      this.loops.trackOutgoing(socket);
      if (socket instanceof tls.TLSSocket) this.options.keyLog?.attach(socket);
    }));
    // One listener each for every connection, not one per connection.
    this.session.on('connection-closed', (connection) => this.relays.delete(connection.id));
    this.rules.on('changed', () => {
      this.recordings?.forget();
      for (const relay of this.relays.values()) relay.refreshRules();
    });
    this.loops = new LoopDetector(() => this.server.address() as AddressInfo | null);
    this.server = this.createServer();
  }

  private createServer(): http.Server {
    const options = this.options;
    // Every request, upgrade and CONNECT goes through the guard: whatever fails answers that
    // connection (400, 408, 414, 431, 502, 505, 508, 500) and is recorded in the session.
    const server = createGuardedServer(
      {
        request: (req, res) => this.onRequest(req, res),
        upgrade: (req, socket, head) => this.onUpgrade(req, socket, head),
        connect: (req, socket, head) => this.onConnect(req, socket, head),
      },
      {
        headTimeout: options.headTimeout,
        maxHeadSize: options.maxHeadSize,
        maxHalfOpen: options.maxHalfOpen,
        record: (message) => this.session.recordError(message),
        precheck: (socket) => this.loops.isOwnConnection(socket)
          ? new HttpFailure(508, 'this request came back to the proxy from its own upstream connection: the target resolves to the proxy itself (a loop)')
          : undefined,
      },
    );
    server.on('connection', (socket: net.Socket) => this.track(socket));
    return server;
  }

  /** Recognizes requests that would come back to this listener. */
  private readonly loops: LoopDetector;

  /** A 508 for a target that is the proxy's own listener. */
  private loopRefusal(host: string, port: number, route: string): HttpFailure | undefined {
    if (!this.loops.targetsSelf(host, port)) return undefined;
    const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    return new HttpFailure(508, `${route} ${where} is this proxy's own listener: refusing the loop`);
  }

  /** Starts listening; resolves with the bound address. */
  listen(): Promise<AddressInfo> {
    return listenOn(this.server, this.options.port, this.options.host, 'choose another port (--port, or --proxy-port for framescope ui)');
  }

  /**
   * Moves the listener to another port while the proxy runs: the new port is bound first, so a
   * failure (port in use) leaves the old listener serving. Open connections carry on; only new
   * ones go to the new port.
   */
  async rebind(port: number): Promise<AddressInfo> {
    const next = this.createServer();
    const address = await listenOn(next, port, this.options.host, 'choose another port');
    const previous = this.server;
    this.server = next;
    this.options.port = port;
    previous.close();
    return address;
  }

  /** Changes what applies to the next connections: upstream (reverse mode), TLS verification, stored payload cap. */
  reconfigure(options: LiveProxyOptions): void {
    if ('upstream' in options) {
      this.upstream = options.upstream ? parseUpstream(options.upstream) : undefined;
      this.options.upstream = options.upstream || undefined;
    }
    if (options.insecure !== undefined) this.options.insecure = options.insecure;
    if (options.insecureHosts !== undefined) this.options.insecureHosts = [...options.insecureHosts];
    if (options.maxStoredPayload !== undefined) this.options.maxStoredPayload = options.maxStoredPayload;
    if (options.connectTimeout !== undefined) this.options.connectTimeout = options.connectTimeout;
  }

  /** Whether an upstream's TLS certificate goes unverified: all of them (insecure) or this host's. */
  insecureFor(host: string, port: number): boolean {
    return this.options.insecure || tlsExceptionMatches(this.options.insecureHosts, host, port);
  }

  /** The upstream URL in reverse mode. */
  get upstreamUrl(): string | undefined {
    return this.options.upstream;
  }

  get address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  /** Stops listening and ends every connection. */
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.forwarder.close();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Duplex): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  // ---- WebSocket upgrades -------------------------------------------------------------------

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const target = this.webSocketTarget(req);
    // Answered and recorded by the guard, like every other refusal.
    if (typeof target === 'string') throw new HttpFailure(400, target);
    const ownClient = this.ownClients.get(req.socket);
    const launch = this.tunnels.get(req.socket)?.launch ?? launchTagFromAuthorization(req.headers['proxy-authorization']);
    bridgeWebSocket(this.session, req, socket, head, target, {
      refuseTarget: (t) => {
        const loop = this.loopRefusal(t.host, t.port, this.upstream ? 'the upstream' : 'the target');
        return loop ? new UpstreamError(loop.message, 508) : undefined;
      },
      onSocket: (s) => {
        this.loops.trackOutgoing(s);
        if (s instanceof tls.TLSSocket) this.options.keyLog?.attach(s);
      },
      breakpoints: this.breakpoints,
      rules: this.rules,
      ...(this.recordings ? { serveFromRecording: (spec: Parameters<RecordingUpstreams['connect']>[0]) => this.recordings!.connect(spec) } : {}),
      onConnection: (connection) => {
        ownClient?.(connection);
        if (launch) this.launches.connectionOpened(launch, connection.id);
      },
      onRelay: (connection, relay) => this.relays.set(connection.id, relay),
      holdForStore: () => this.storeBehind,
      insecure: target.secure && this.insecureFor(target.host, target.port),
      connectTimeout: this.options.connectTimeout,
      responseTimeout: this.options.responseTimeout,
      maxStoredPayload: this.options.maxStoredPayload,
      ca: this.options.upstreamCa,
    }).catch((error: unknown) => {
      this.session.recordError(`WebSocket bridge failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      socket.destroy();
    });
  }

  /** Where an upgrade goes, or why it cannot go anywhere. */
  private webSocketTarget(req: IncomingMessage): BridgeTarget | string {
    const rawTarget = req.url ?? '/';
    if (this.upstream) {
      const secure = this.upstream.protocol === 'wss:' || this.upstream.protocol === 'https:';
      const path = rawTarget.startsWith('/') ? rawTarget : originForm(rawTarget);
      const base = this.upstream.pathname.replace(/\/$/, '');
      const fullPath = base + path;
      const host = hostOf(this.upstream);
      return {
        host,
        port: portOf(this.upstream),
        secure,
        url: `${secure ? 'wss' : 'ws'}://${this.upstream.host}${fullPath}`,
        path: fullPath,
        hostHeader: this.upstream.host,
        stripProxyHeaders: false,
      };
    }
    const tunnel = this.tunnels.get(req.socket);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rawTarget)) {
      let url: URL;
      try {
        url = new URL(rawTarget);
      } catch {
        return `the request target ${JSON.stringify(rawTarget)} is not a valid URL`;
      }
      const secure = url.protocol === 'wss:' || url.protocol === 'https:';
      if (!['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol)) return `cannot proxy a WebSocket to a ${url.protocol} URL`;
      const path = url.pathname + url.search;
      return { host: hostOf(url), port: portOf(url), secure, url: `${secure ? 'wss' : 'ws'}://${url.host}${path}`, path, stripProxyHeaders: true };
    }
    if (tunnel) {
      const authority = formatAuthority(tunnel.host, tunnel.port, tunnel.secure ? 443 : 80);
      return { ...tunnel, url: `${tunnel.secure ? 'wss' : 'ws'}://${authority}${rawTarget}`, path: rawTarget, stripProxyHeaders: false };
    }
    return 'this is Framescope\'s explicit proxy port: send absolute-form requests (ws://host/path) or CONNECT, or start the proxy with --upstream for reverse mode';
  }

  /**
   * Holds every sender while the capture store is behind, and lets them go on once it caught up:
   * nothing is dropped, the traffic slows to what the disk takes.
   */
  holdForStore(hold: boolean): void {
    this.storeBehind = hold;
    for (const relay of this.relays.values()) relay.holdForStore(hold);
  }

  private storeBehind = false;

  /** The relay of an open connection, or an error saying why there is none. */
  relay(connectionId: number): FrameRelay {
    const relay = this.relays.get(connectionId);
    if (!relay || relay.isFinished) throw new Error(`connection ${connectionId} is not open`);
    return relay;
  }

  /**
   * Serves a connection that Framescope itself makes (client mode): the socket is one end of an
   * in-process pair and goes through exactly the path real clients take.
   */
  acceptOwnClient(socket: Duplex, onConnection: (connection: ConnectionRecord) => void): void {
    this.ownClients.set(socket, onConnection);
    this.track(socket);
    this.server.emit('connection', socket);
  }

  // ---- Plain HTTP ---------------------------------------------------------------------------

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const rawTarget = req.url ?? '/';
    let target: string;
    let secure: boolean;
    if (this.upstream) {
      secure = this.upstream.protocol === 'wss:' || this.upstream.protocol === 'https:';
      const loop = this.loopRefusal(hostOf(this.upstream), portOf(this.upstream), 'the upstream');
      if (loop) throw loop;
      target = `${secure ? 'https' : 'http'}://${this.upstream.host}${this.upstream.pathname.replace(/\/$/, '')}`;
      if (!rawTarget.startsWith('/')) req.url = originForm(rawTarget);
    } else if (/^https?:\/\//i.test(rawTarget)) {
      const url = parseTarget(rawTarget);
      const loop = this.loopRefusal(hostOf(url), portOf(url), 'the target');
      if (loop) throw loop;
      secure = url.protocol === 'https:';
      target = `${url.protocol}//${url.host}`;
      req.url = url.pathname + url.search;
      stripProxyHeaders(req);
    } else if (this.tunnels.has(req.socket)) {
      const tunnel = this.tunnels.get(req.socket)!;
      secure = tunnel.secure;
      target = `${secure ? 'https' : 'http'}://${formatAuthority(tunnel.host, tunnel.port, secure ? 443 : 80)}`;
    } else {
      throw new HttpFailure(400, 'this is an explicit HTTP proxy port. Configure it as your proxy (absolute-form requests and CONNECT), or start the proxy with --upstream URL for reverse mode.');
    }
    const forwardTarget = new URL(target);
    const secureForward = !(secure && this.insecureFor(hostOf(forwardTarget), portOf(forwardTarget)));
    this.forwarder.web(req, res, { target, changeOrigin: Boolean(this.upstream), secure: secureForward }, (error: Error) => {
      const where = formatAuthority(hostOf(forwardTarget), portOf(forwardTarget), -1);
      const failure = describeFailure(error as NodeJS.ErrnoException, where, secure);
      const message = `could not forward ${req.method ?? 'the request'} ${rawTarget.length > 200 ? `${rawTarget.slice(0, 200)}…` : rawTarget}: ${failure.message}`;
      this.session.recordError(message);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const body = Buffer.from(`Framescope: ${message}\n`, 'utf8');
      res.writeHead(failure.status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length, 'X-Framescope-Error': '1', Connection: 'close' });
      res.end(body);
    });
  }

  // ---- CONNECT tunnels ----------------------------------------------------------------------

  private onConnect(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const parsed = parseAuthority(req.url ?? '');
    if (!parsed) throw new HttpFailure(400, `CONNECT needs host:port, got ${JSON.stringify(req.url)}`);
    const loop = this.loopRefusal(parsed.host, parsed.port, 'CONNECT to');
    if (loop) throw loop;
    const launch = launchTagFromAuthorization(req.headers['proxy-authorization']);
    const authority = { ...parsed, ...(launch ? { launch } : {}) };
    if (launch) socket.once('close', this.launches.tunnelOpened(launch));
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    // A tunnel that never says anything (no ClientHello, no request) is closed, not kept for good.
    const idle = setTimeout(() => {
      this.session.recordError(`CONNECT tunnel to ${formatAuthority(authority.host, authority.port, -1)} from ${formatSocketAddress(req.socket.remoteAddress, req.socket.remotePort)} sent nothing within ${this.options.tunnelIdleTimeout} ms; closed`);
      socket.destroy();
    }, this.options.tunnelIdleTimeout);
    socket.once('close', () => clearTimeout(idle));
    const classify = (first: Buffer) => {
      clearTimeout(idle);
      socket.pause();
      socket.unshift(first);
      // This runs on the tunnel's first bytes, after the guard's answer: its failures end the tunnel.
      try {
        if (first[0] === 0x16) this.interceptTls(socket, authority);
        else if (/^[A-Z]+ /.test(first.subarray(0, 8).toString('latin1'))) this.serveInner(socket, { ...authority, secure: false });
        else this.tunnelRaw(socket, authority);
      } catch (error) {
        this.session.recordError(`CONNECT tunnel to ${formatAuthority(authority.host, authority.port, -1)} failed: ${error instanceof Error ? error.message : String(error)}`);
        socket.destroy();
      }
    };
    if (head.length > 0) classify(head);
    else socket.once('data', classify);
  }

  private interceptTls(socket: Duplex, authority: { host: string; port: number; launch?: LaunchTag }): void {
    let ca: CertificateAuthority;
    try {
      if (!this.ca) {
        if (!this.options.certificateAuthority) throw new Error('no certificate authority is configured');
        this.ca = this.options.certificateAuthority();
      }
      ca = this.ca;
    } catch (error) {
      this.session.recordError(`cannot intercept TLS to ${authority.host}: ${(error as Error).message}`);
      socket.destroy();
      return;
    }
    let defaultContext: tls.SecureContext;
    try {
      defaultContext = ca.secureContextFor(authority.host);
    } catch (error) {
      this.session.recordError(`cannot make a certificate for ${authority.host}: ${(error as Error).message}`);
      socket.destroy();
      return;
    }
    const tlsSocket = new tls.TLSSocket(socket as net.Socket, {
      isServer: true,
      // Browsers must speak WebSocket over HTTP/1.1 to us: offer nothing else.
      ALPNProtocols: ['http/1.1'],
      // A bad SNI name fails only this handshake (sniCallback reports it instead of throwing).
      SNICallback: (servername, callback) => ca.sniCallback(servername || authority.host, callback),
      secureContext: defaultContext,
    });
    this.options.keyLog?.attach(tlsSocket);
    // Recorded here once; the HTTP server on top sees the same error and only closes the socket.
    let failed = false;
    tlsSocket.on('error', (error: NodeJS.ErrnoException) => {
      if (failed) return;
      failed = true;
      this.session.recordError(`TLS with the client for ${authority.host} failed: ${error.code ?? error.message}`);
      tlsSocket.destroy();
    });
    const handshake = setTimeout(() => {
      this.session.recordError(`TLS handshake with the client for ${authority.host} did not complete within ${this.options.tunnelIdleTimeout} ms; closed`);
      tlsSocket.destroy();
    }, this.options.tunnelIdleTimeout);
    tlsSocket.once('secure', () => clearTimeout(handshake));
    tlsSocket.once('close', () => clearTimeout(handshake));
    this.serveInner(tlsSocket, { ...authority, secure: true });
  }

  /** Serves a tunnel's decrypted (or plain) HTTP through the same handlers as the main port. */
  private serveInner(socket: Duplex, tunnel: TunnelInfo): void {
    this.tunnels.set(socket, tunnel);
    this.track(socket);
    this.server.emit('connection', socket);
    socket.resume();
  }

  private tunnelRaw(socket: Duplex, authority: { host: string; port: number }): void {
    const upstream = net.connect({ host: authority.host, port: authority.port });
    this.loops.trackOutgoing(upstream);
    upstream.on('connect', () => {
      upstream.pipe(socket);
      socket.pipe(upstream);
      socket.resume();
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      this.session.recordError(`tunnel to ${formatAuthority(authority.host, authority.port, -1)} failed: ${describeFailure(error, formatAuthority(authority.host, authority.port, -1), false).message}`);
      socket.destroy();
    });
    socket.on('close', () => upstream.destroy());
  }
}

/** The reverse-mode upstream, checked. */
function parseUpstream(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`the upstream must be a ws://, wss://, http:// or https:// URL, not ${JSON.stringify(value)}`);
  }
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol)) {
    throw new Error(`the upstream must be a ws://, wss://, http:// or https:// URL, not ${value}`);
  }
  return url;
}

/** Listens, turning "port in use" into a sentence that says what to do. */
function listenOn(server: http.Server, port: number, host: string, remedy: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE'
        ? new Error(`port ${port} on ${host} is already in use; ${remedy}`)
        : error.code === 'EACCES'
          ? new Error(`port ${port} on ${host} needs privileges this user does not have; ${remedy}`)
          : error);
    });
    server.listen(port, host, () => {
      server.removeAllListeners('error');
      resolve(server.address() as AddressInfo);
    });
  });
}

function stripProxyHeaders(req: IncomingMessage): void {
  delete req.headers['proxy-connection'];
  delete req.headers['proxy-authorization'];
}

/** An absolute-form request target as a URL, or a 400 saying it is none. */
function parseTarget(target: string): URL {
  try {
    return new URL(target);
  } catch {
    throw new HttpFailure(400, `the request target ${JSON.stringify(target.length > 200 ? `${target.slice(0, 200)}…` : target)} is not a valid URL`);
  }
}

function originForm(target: string): string {
  try {
    const url = new URL(target);
    return url.pathname + url.search;
  } catch {
    return '/';
  }
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'wss:' || url.protocol === 'https:' ? 443 : 80;
}

function formatAuthority(host: string, port: number, defaultPort: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return port === defaultPort ? h : `${h}:${port}`;
}

/** Parses CONNECT's authority-form target (RFC 9110 §9.3.6): host:port, IPv6 in brackets. */
function parseAuthority(target: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s/]+)):(\d{1,5})$/.exec(target);
  if (!m) return null;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1] ?? m[2]!, port };
}
