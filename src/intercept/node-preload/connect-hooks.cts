// Routes a Node process's HTTP connections (http, https, ws, and everything built on them) through the
// proxy, without touching its other TCP connections (databases, Redis, SMTP keep going direct: the proxy
// only understands HTTP and TLS, and a protocol where the server speaks first would stall in a tunnel).
//
// A connection is known to carry HTTP when it is made by an HTTP agent (Agent.prototype.createConnection,
// for http and https, so an app's own keep-alive agent is covered too), or by the createConnection that
// a request was given (ws passes its own, which calls tls.connect or net.connect). While such a
// function runs, net.connect, net.createConnection and tls.connect tunnel their TCP connection through
// a CONNECT to the proxy; TLS then runs inside the tunnel with the caller's own options, so the app
// still verifies the certificate (NODE_EXTRA_CA_CERTS makes it trust Framescope's CA).
//
// Left alone: connections to the proxy itself (an app that already uses a proxy agent pointed at it),
// Unix sockets, tls.connect over a socket the caller brings, and agents that replace createSocket
// (https-proxy-agent and other agent-base agents: they go where they are told).
import http = require('node:http');
import https = require('node:https');
import net = require('node:net');
import tls = require('node:tls');
import tunnelSocket = require('./tunnel-socket.cjs');
import type { ProxyEndpoint } from './proxy-endpoint.cjs';

type Callback = (...args: unknown[]) => void;

/** Nesting depth of functions known to open HTTP connections (see the header). */
let httpDepth = 0;

function whileOpeningHttp<T>(open: () => T): T {
  httpDepth++;
  try {
    return open();
  } finally {
    httpDepth--;
  }
}

/** net.connect's and tls.connect's arguments as one options object and the callback, or undefined for a Unix socket or a pipe. */
function readConnectArgs(args: unknown[]): { options: Record<string, unknown>; callback: Callback | undefined } | undefined {
  const callback = typeof args[args.length - 1] === 'function' ? (args[args.length - 1] as Callback) : undefined;
  const rest = callback ? args.slice(0, -1) : args;
  let options: Record<string, unknown>;
  if (typeof rest[0] === 'object' && rest[0] !== null) options = { ...(rest[0] as Record<string, unknown>) };
  else if (typeof rest[0] === 'number' || (typeof rest[0] === 'string' && /^\d+$/.test(rest[0]))) {
    options = { ...(typeof rest[2] === 'object' && rest[2] !== null ? (rest[2] as Record<string, unknown>) : {}), port: Number(rest[0]) };
    if (typeof rest[1] === 'string') options.host = rest[1];
    else if (typeof rest[1] === 'object' && rest[1] !== null) Object.assign(options, rest[1]);
  } else return undefined;
  if (options.path !== undefined && options.path !== null) return undefined;
  return { options, callback };
}

function sameHost(a: string, b: string): boolean {
  const strip = (h: string) => h.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const loopback = (h: string) => h === 'localhost' || h === '::1' || /^127\./.test(h);
  return strip(a) === strip(b) || (loopback(strip(a)) && loopback(strip(b)));
}

function installConnectHooks(proxy: ProxyEndpoint): void {
  const originalNetConnect = net.connect;
  const originalTlsConnect = tls.connect;
  const connectRaw = (options: net.NetConnectOpts) => originalNetConnect(options);

  /** The destination to tunnel to, or undefined when this connection goes as the caller asked. */
  const tunnelTarget = (options: Record<string, unknown>): { host: string; port: number } | undefined => {
    if (httpDepth === 0 || options.socket) return undefined;
    const host = typeof options.host === 'string' && options.host !== '' ? options.host : 'localhost';
    const port = Number(options.port);
    if (!Number.isInteger(port) || port <= 0) return undefined;
    if (port === proxy.port && sameHost(host, proxy.host)) return undefined;
    return { host: host.replace(/^\[(.*)\]$/, '$1'), port };
  };

  const netConnect = function (this: unknown, ...args: unknown[]): net.Socket {
    const parsed = readConnectArgs(args);
    const target = parsed && tunnelTarget(parsed.options);
    if (!parsed || !target) return (originalNetConnect as (...a: unknown[]) => net.Socket).apply(this, args);
    const socket = new tunnelSocket.TunnelSocket(proxy, target, connectRaw);
    if (parsed.callback) socket.once('connect', parsed.callback);
    if (typeof parsed.options.timeout === 'number') socket.setTimeout(parsed.options.timeout);
    return socket;
  };
  const tlsConnect = function (this: unknown, ...args: unknown[]): tls.TLSSocket {
    const parsed = readConnectArgs(args);
    const target = parsed && tunnelTarget(parsed.options);
    if (!parsed || !target) return (originalTlsConnect as (...a: unknown[]) => tls.TLSSocket).apply(this, args);
    const socket = new tunnelSocket.TunnelSocket(proxy, target, connectRaw);
    // The caller's TLS options as they were: servername, ca, checkServerIdentity, ALPN. With a socket
    // given, host is used only to check the certificate, which must name the real destination.
    const secure = originalTlsConnect({ ...parsed.options, socket, host: target.host } as tls.ConnectionOptions, parsed.callback as () => void);
    socket.once('error', (error) => secure.destroy(error));
    return secure;
  };
  net.connect = netConnect as typeof net.connect;
  net.createConnection = netConnect as typeof net.createConnection;
  tls.connect = tlsConnect as typeof tls.connect;

  // Every agent that does not replace createConnection: http's default is net.createConnection itself
  // (taken when http loaded, so not the patched one), https's calls tls.connect.
  const agentConnect = (original: Callback) => function (this: unknown, ...args: unknown[]) {
    return whileOpeningHttp(() => original.apply(this, args));
  };
  http.Agent.prototype.createConnection = agentConnect(netConnect as Callback) as typeof http.Agent.prototype.createConnection;
  https.Agent.prototype.createConnection = agentConnect(https.Agent.prototype.createConnection as Callback) as typeof https.Agent.prototype.createConnection;

  // A request given its own createConnection and no agent (ws does this) opens its socket through it.
  for (const module of [http, https]) {
    const originalRequest = module.request;
    const request = function (this: unknown, ...args: unknown[]) {
      const at = args.findIndex((arg) => typeof arg === 'object' && arg !== null && !(arg instanceof URL));
      const options = at >= 0 ? (args[at] as Record<string, unknown>) : undefined;
      if (options && typeof options.createConnection === 'function' && !options.agent) {
        const own = options.createConnection as Callback;
        args[at] = { ...options, createConnection: agentConnect(own) };
      }
      return (originalRequest as (...a: unknown[]) => http.ClientRequest).apply(this, args);
    };
    module.request = request as typeof module.request;
    // get() calls the module's request through a reference of its own: route it through ours.
    module.get = function (...args: unknown[]) {
      const req = (request as (...a: unknown[]) => http.ClientRequest)(...args);
      req.end();
      return req;
    } as typeof module.get;
  }
}

export = { installConnectHooks };
