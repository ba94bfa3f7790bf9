// The Node preload that `framescope run` and `framescope shell` put in NODE_OPTIONS (--require), so a
// Node app sends its HTTP, WebSocket and fetch traffic through Framescope with no change to its code.
// --require runs it before the app's first module, CommonJS or ES module alike, and in worker threads;
// it is used rather than --import because an --import in NODE_OPTIONS stops Node before 18.18 from
// starting at all, and a child may run any Node the user has.
//
// It reads FRAMESCOPE_PROXY (http://[tag:id@]host:port); without it the preload does nothing, so a
// NODE_OPTIONS that outlives the launcher is harmless.
import nodeModule = require('node:module');
import net = require('node:net');
import tls = require('node:tls');
import connectHooks = require('./connect-hooks.cjs');
import fetchDispatcher = require('./fetch-dispatcher.cjs');
import type { ProxyEndpoint } from './proxy-endpoint.cjs';

const INSTALLED = Symbol.for('framescope.intercept.installed');

function proxyFromEnvironment(value: string | undefined): ProxyEndpoint | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    process.emitWarning(`FRAMESCOPE_PROXY is not a URL (${JSON.stringify(value)}); traffic is not intercepted`);
    return undefined;
  }
  const user = decodeURIComponent(url.username);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(url.port) || 80,
    authorization: user ? `Basic ${Buffer.from(`${user}:${decodeURIComponent(url.password)}`).toString('base64')}` : undefined,
  };
}

const state = globalThis as unknown as Record<symbol, boolean>;
const proxy = proxyFromEnvironment(process.env.FRAMESCOPE_PROXY);
if (proxy && !state[INSTALLED]) {
  state[INSTALLED] = true;
  const connectRaw = net.connect.bind(net) as (options: net.NetConnectOpts) => net.Socket;
  const tlsConnect = tls.connect.bind(tls) as typeof tls.connect;
  fetchDispatcher.installFetchDispatcher(proxy, connectRaw, tlsConnect);
  connectHooks.installConnectHooks(proxy);
  // ES modules that import { request } from 'node:https' see the patched functions too.
  nodeModule.syncBuiltinESMExports();
}
