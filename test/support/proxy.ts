// Starts the proxy in-process on a free loopback port for a test.
import { Session } from '../../src/capture/session.js';
import { ProxyServer, type ProxyOptions } from '../../src/proxy/proxy-server.js';

export async function startProxy(options: ProxyOptions = {}): Promise<{ proxy: ProxyServer; session: Session; port: number; close(): Promise<void> }> {
  const session = new Session();
  const proxy = new ProxyServer(session, { port: 0, ...options });
  const address = await proxy.listen();
  return { proxy, session, port: address.port, close: () => proxy.close() };
}

/** Resolves when the session has recorded a closed connection matching the predicate. */
export function connectionClosed(session: Session, count = 1): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (session.connections.filter((c) => c.state === 'closed' || c.state === 'failed').length >= count) {
        session.off('connection-closed', check);
        resolve();
      }
    };
    session.on('connection-closed', check);
    check();
  });
}

/** Resolves once the predicate holds, checking on every session event (no sleeps). */
export function until(session: Session, predicate: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const events = ['frame', 'message', 'connection-opened', 'connection-updated', 'connection-closed', 'error'] as const;
    const check = () => {
      if (!predicate()) return;
      for (const e of events) session.off(e, check);
      resolve();
    };
    for (const e of events) session.on(e, check);
    check();
  });
}
