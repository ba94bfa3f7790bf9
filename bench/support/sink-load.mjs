// The throughput load of the rules and lens benches: a pool of ws clients on the sink server
// (ws-sink-server.mjs), each keeping a bounded window of messages unacknowledged, client to server.
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';

/**
 * Opens `connections` sockets on the sink behind `port`.
 * @param {{ size: number, ack: number, path?: string, query?: string }} spec the sink's path (default /sink)
 *   and extra query (e.g. Socket.IO's EIO=4&transport=websocket)
 */
export async function openPool(port, spec, connections) {
  const query = `${spec.query ? `${spec.query}&` : ''}ack=${spec.ack}&size=${spec.size}`;
  const url = `ws://127.0.0.1:${port}${spec.path ?? '/sink'}?${query}`;
  const pool = await Promise.all(Array.from({ length: connections }, () => openSocket(url)));
  return pool.map((ws) => ({ ws, sent: 0, acked: 0 }));
}

export async function closePool(pool) {
  await Promise.all(pool.map(({ ws }) => closeSocket(ws)));
}

/**
 * Sends `payload` (default: spec.size bytes of 0xa5, binary; a string goes as text) for `ms`, counts what the server
 * acknowledged by then, and waits for the rest to be acknowledged.
 * @returns {Promise<{ messagesPerSecond: number, carried: number }>} carried: every message sent, drained ones included
 */
export async function throughputRun(pool, spec, ms, payload = Buffer.alloc(spec.size, 0xa5)) {
  let running = true;
  let drained;
  const allDrained = new Promise((resolve) => { drained = resolve; });
  const pump = (c) => {
    while (running && c.sent - c.acked < spec.window) {
      for (let i = 0; i < spec.ack; i++) c.ws.send(payload);
      c.sent += spec.ack;
    }
  };
  const listeners = pool.map((c) => {
    const listener = (data) => {
      c.acked = Number(data.toString());
      if (running) pump(c);
      else if (pool.every((p) => p.acked === p.sent)) drained();
    };
    c.ws.on('message', listener);
    return listener;
  });
  const ackedBefore = sum(pool.map((c) => c.acked));
  const sentBefore = sum(pool.map((c) => c.sent));
  const start = performance.now();
  for (const c of pool) pump(c);
  await new Promise((resolve) => setTimeout(resolve, ms));
  const acked = sum(pool.map((c) => c.acked)) - ackedBefore;
  const seconds = (performance.now() - start) / 1000;
  running = false;
  if (pool.every((c) => c.acked === c.sent)) drained();
  await withTimeout(allDrained, 30_000, 'waiting for the last messages to be acknowledged');
  pool.forEach((c, i) => c.ws.off('message', listeners[i]));
  return { messagesPerSecond: acked / seconds, carried: sum(pool.map((c) => c.sent)) - sentBefore };
}

/** A peer's CPU (user + system, µs) for each message of a run, from its `stats` before and after. */
export function cpuMicrosPerMessage(before, after, carried) {
  return (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / carried;
}

export function openSocket(url) {
  return withTimeout(new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`${url} answered ${res.statusCode}`)));
  }), 10_000, `opening ${url}`);
}

export function closeSocket(ws) {
  return withTimeout(new Promise((resolve) => {
    ws.once('close', resolve);
    ws.close(1000);
  }), 10_000, 'closing a socket');
}

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function sum(values) {
  return values.reduce((a, b) => a + b, 0);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export function formatInteger(n) {
  return Math.round(n).toLocaleString('en-US');
}
