// Whether a proxy is there to launch clients against.

import { connect } from 'node:net';

/** How long to wait for the proxy to accept a connection. */
const PROXY_PROBE_TIMEOUT_MS = 1000;

/** True if something accepts TCP connections at host:port (brackets allowed around an IPv6 host). */
export function acceptsConnections(address: string, timeoutMs = PROXY_PROBE_TIMEOUT_MS): Promise<boolean> {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(separator + 1));
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const finish = (listening: boolean): void => {
      socket.destroy();
      resolve(listening);
    };
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });
}
