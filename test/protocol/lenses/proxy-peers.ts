// A ws server behind the proxy (reverse mode), for the lens tests with real libraries.
import { afterEach } from 'vitest';
import { WebSocketServer, type ServerOptions } from 'ws';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { startProxy } from '../../support/proxy.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

/** A ws server and the proxy in front of it: clients connect to ws://127.0.0.1:proxyPort. */
export async function serverBehindProxy(options: ServerOptions = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  await once(wss, 'listening');
  onCleanup(() => new Promise<void>((resolve) => {
    for (const client of wss.clients) client.terminate();
    wss.close(() => resolve());
  }));
  const proxy = await startProxy({ upstream: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}` });
  onCleanup(() => proxy.close());
  return { wss, proxy, url: `ws://127.0.0.1:${proxy.port}` };
}
