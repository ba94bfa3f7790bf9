// Routes Node's global fetch (and anything else that uses undici's global dispatcher) through the proxy.
//
// Node 18 to 22 bundle undici but do not export it, so its setGlobalDispatcher and ProxyAgent are out of
// reach. What they do share with every undici is the global dispatcher's slot,
// globalThis[Symbol.for('undici.globalDispatcher.1')], which the bundled fetch reads on every call. The
// slot is filled with the bundled Agent when undici loads (touching globalThis.Headers loads it), and
// that Agent's constructor takes a `connect` function: ours opens a CONNECT tunnel through the proxy and
// then TLS inside it, verified against the trusted CAs (NODE_EXTRA_CA_CERTS adds Framescope's). An app
// that installs its own global dispatcher later replaces this one, as it would replace undici's default.
import net = require('node:net');
import tls = require('node:tls');
import tunnelSocket = require('./tunnel-socket.cjs');
import type { ProxyEndpoint } from './proxy-endpoint.cjs';

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/** What undici passes a connector (undici's lib/core/connect.js). */
interface ConnectorOptions {
  hostname: string;
  host?: string;
  protocol: string;
  port: string | number;
  servername?: string | null;
}

type DispatcherConstructor = new (options: { connect: (options: ConnectorOptions, callback: (error: Error | null, socket: net.Socket | null) => void) => void }) => object;

/** Installs the tunnelling dispatcher; returns false when this Node has no bundled undici to hand one to. */
function installFetchDispatcher(proxy: ProxyEndpoint, connectRaw: (options: net.NetConnectOpts) => net.Socket, tlsConnect: typeof tls.connect): boolean {
  const slots = globalThis as unknown as Record<symbol, unknown>;
  // A lazy global: reading it loads the bundled undici, which fills the dispatcher slot.
  void (globalThis as { Headers?: unknown }).Headers;
  const current = slots[GLOBAL_DISPATCHER] as { constructor?: DispatcherConstructor } | undefined;
  if (typeof current?.constructor !== 'function') return false;
  const Agent = current.constructor;
  slots[GLOBAL_DISPATCHER] = new Agent({
    connect(options, callback) {
      let done = false;
      const finish = (error: Error | null, socket: net.Socket | null) => {
        if (done) return;
        done = true;
        callback(error, socket);
      };
      const port = Number(options.port) || (options.protocol === 'https:' ? 443 : 80);
      const host = options.hostname.replace(/^\[(.*)\]$/, '$1');
      const tunnel = new tunnelSocket.TunnelSocket(proxy, { host, port }, connectRaw);
      if (options.protocol !== 'https:') {
        tunnel.once('connect', () => finish(null, tunnel));
        tunnel.once('error', (error) => finish(error, null));
        return;
      }
      const secure = tlsConnect({
        socket: tunnel,
        host,
        servername: options.servername || (net.isIP(host) ? undefined : host),
        ALPNProtocols: ['http/1.1'],
      });
      secure.once('secureConnect', () => finish(null, secure));
      secure.once('error', (error) => finish(error, null));
      tunnel.once('error', (error) => {
        secure.destroy(error);
        finish(error, null);
      });
    },
  });
  return true;
}

export = { installFetchDispatcher };
