// What rules cost, and how exactly a delay holds. Three Framescope proxies in reverse mode, each in
// its own process, recording every frame, in front of the same `ws` server:
//   no rules     no rules file
//   idle rules   a rules file of 12 rules that match nothing: 6 scoped to a URL no connection has,
//                6 that read every message (substring, regex, JSON path, opcode) for what never comes
//   delay        a rule that delays the probe's messages 100 ms (and nothing else)
// Throughput: 64 B and 16 KiB binary messages, client to server, over 50 connections with a bounded
// window (as proxy.bench.mjs). Idle rules must cost at most 5% of it.
// Delay accuracy: while the delay proxy carries that same 64 B load, a probe connection alternates
// an undelayed and a delayed echo; the delay as the client sees it is the delayed round trip minus
// the undelayed one before it; the proxy's own figure is wire time minus arrival of each delayed
// message. Target: 100 ms within ±5 ms at p99. Reports; exits non-zero only on errors.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { startPeer } from './support/peer-process.mjs';

const CONNECTIONS = 50;
const REPEATS = Number(process.env.FRAMESCOPE_BENCH_REPEATS ?? 3);
const RUN_MS = 2000;
const WARMUP_MS = 500;
const SIZES = [
  { label: '64 B', size: 64, ack: 64, window: 512 },
  { label: '16 KiB', size: 16 * 1024, ack: 4, window: 16 },
];
const IDLE_TARGET = 0.95;
const DELAY_MS = 100;
const DELAY_TOLERANCE_MS = 5;
const PROBES = Number(process.env.FRAMESCOPE_BENCH_PROBES ?? 150);
/** The paced load's rate: well inside what one proxy carries on this machine, as an app's traffic would be. */
const PACED_RATE = Number(process.env.FRAMESCOPE_BENCH_PACED_RATE ?? 10_000);
const WATCHDOG_MS = 240_000;

const watchdog = setTimeout(() => {
  console.error(`bench error: still running after ${WATCHDOG_MS / 1000} s`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

const support = (name) => new URL(`./support/${name}`, import.meta.url).pathname;
const dir = mkdtempSync(join(os.tmpdir(), 'framescope-rules-bench-'));
const idleFile = join(dir, 'idle.json');
writeFileSync(idleFile, JSON.stringify({ rules: [
  ...Array.from({ length: 6 }, (_, i) => ({ name: `url ${i}`, scope: { url: `/no-such-path-${i}` }, actions: [{ type: 'drop' }] })),
  { name: 'substring', match: { contains: 'never-in-any-message' }, actions: [{ type: 'drop' }] },
  { name: 'regex', match: { regex: '^\\{"never"' }, actions: [{ type: 'delay', ms: 1 }] },
  { name: 'json', match: { json: { path: '$.type', equals: 'never' } }, actions: [{ type: 'rewrite', mergePatch: { a: 1 } }] },
  { name: 'text only', match: { opcode: 1, contains: 'zzz' }, actions: [{ type: 'duplicate' }] },
  { name: 'receive', scope: { direction: 'receive' }, match: { contains: 'never' }, actions: [{ type: 'drop' }] },
  { name: 'send', scope: { direction: 'send' }, match: { regex: 'never$' }, actions: [{ type: 'abort' }] },
] }), { mode: 0o600 });
const delayFile = join(dir, 'delay.json');
writeFileSync(delayFile, JSON.stringify({ rules: [
  { name: 'delay', scope: { url: '/echo', direction: 'send' }, match: { contains: 'delayed' }, actions: [{ type: 'delay', ms: DELAY_MS }] },
] }), { mode: 0o600 });

const server = await startPeer(support('ws-sink-server.mjs'));
const plain = await startPeer(support('framescope-rules-proxy.mjs'), [String(server.port), 'none']);
const idle = await startPeer(support('framescope-rules-proxy.mjs'), [String(server.port), idleFile]);
const delay = await startPeer(support('framescope-rules-proxy.mjs'), [String(server.port), delayFile]);
const paths = [{ name: 'no rules', peer: plain }, { name: 'idle rules', peer: idle }];

console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average ${os.loadavg()[0].toFixed(2)} at start`);
console.log('each Framescope records every frame and message into its capture store, as `framescope proxy` does');

// ---- Throughput: idle rules against none ------------------------------------------------------

const rates = new Map();
for (const spec of SIZES) {
  const pools = new Map();
  for (const path of paths) pools.set(path, await openPool(path.peer.port, spec));
  for (const path of paths) await throughputRun(pools.get(path), spec, WARMUP_MS);
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    for (const path of repeat % 2 === 0 ? paths : [...paths].reverse()) {
      const run = await throughputRun(pools.get(path), spec, RUN_MS);
      const key = `${path.name} ${spec.label}`;
      if (!rates.has(key)) rates.set(key, []);
      rates.get(key).push(run);
    }
  }
  for (const pool of pools.values()) await closePool(pool);
}

// ---- Delay accuracy under load ------------------------------------------------------------------

const prober = await startPeer(support('delay-probe.mjs'));
const loadSpec = SIZES[0];
const delayRuns = [];
for (const load of [{ name: `paced ${formatInteger(PACED_RATE)} msgs/s`, rate: PACED_RATE }, { name: 'saturating', rate: 0 }]) {
  const pool = await openPool(delay.port, loadSpec);
  await delay.command('delays');
  const running = { on: true };
  const carried = load.rate > 0 ? pacedLoad(pool, load.rate, running) : throughputUntil(pool, loadSpec, running);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const seen = await prober.command('probe', { port: delay.port, count: PROBES });
  running.on = false;
  const { messagesPerSecond } = await carried;
  await closePool(pool);
  delayRuns.push({ name: load.name, messagesPerSecond, seen, atProxy: await delay.command('delays') });
}
await prober.stop();

const errors = [...await plain.command('errors'), ...await idle.command('errors'), ...await delay.command('errors')];
const received = await server.command('received');
for (const p of [plain, idle, delay, server]) await p.stop();
rmSync(dir, { recursive: true, force: true });
if (errors.length > 0) throw new Error(`the proxies reported errors: ${errors.slice(0, 3).join('; ')}`);
if (received.wrongSize > 0) throw new Error(`the server received ${received.wrongSize} messages of the wrong size`);

// ---- Report -------------------------------------------------------------------------------------

console.log(`\nThroughput: ${CONNECTIONS} connections, binary client -> server, ${RUN_MS / 1000} s per run, median of ${REPEATS} (runs alternate)`);
for (const spec of SIZES) {
  const rate = (name) => median(rates.get(`${name} ${spec.label}`).map((r) => r.messagesPerSecond));
  const runs = (name) => rates.get(`${name} ${spec.label}`).map((r) => formatInteger(r.messagesPerSecond)).join(' / ');
  const ratio = rate('idle rules') / rate('no rules');
  console.log(`  ${spec.label.padEnd(6)} no rules ${formatInteger(rate('no rules')).padStart(9)} msgs/s (${runs('no rules')})`);
  console.log(`  ${spec.label.padEnd(6)} idle     ${formatInteger(rate('idle rules')).padStart(9)} msgs/s (${runs('idle rules')})`);
  console.log(`         idle / none = ${ratio.toFixed(3)}   (goal >= ${IDLE_TARGET})  ${ratio >= IDLE_TARGET ? 'MET' : 'MISSED'}`);
}

const describe = (values) => {
  const sorted = Float64Array.from(values).sort();
  const errorsAbs = Float64Array.from(values.map((v) => Math.abs(v - DELAY_MS))).sort();
  return { p50: quantile(sorted, 0.5), min: sorted[0], max: sorted[sorted.length - 1], p99Error: quantile(errorsAbs, 0.99) };
};
console.log(`\nDelay accuracy: a ${DELAY_MS} ms delay, ${PROBES} probes from their own process, while the same proxy carries 64 B load on ${CONNECTIONS} other connections`);
for (const run of delayRuns) {
  const client = describe(run.seen);
  const proxy = describe(run.atProxy);
  console.log(`  ${run.name} (carried ${formatInteger(run.messagesPerSecond)} msgs/s):`);
  console.log(`    as the client sees it (delayed minus undelayed round trip): p50 ${client.p50.toFixed(2)} ms, min ${client.min.toFixed(2)}, max ${client.max.toFixed(2)}, p99 |error| ${client.p99Error.toFixed(2)} ms  ${client.p99Error <= DELAY_TOLERANCE_MS ? 'MET' : 'MISSED'} (goal ±${DELAY_TOLERANCE_MS} ms)`);
  console.log(`    at the proxy (wire time minus arrival, ms clock, ${run.atProxy.length} messages): p50 ${proxy.p50.toFixed(0)} ms, min ${proxy.min.toFixed(0)}, max ${proxy.max.toFixed(0)}, p99 |error| ${proxy.p99Error.toFixed(0)} ms`);
}

// ---- Helpers ------------------------------------------------------------------------------------

async function openPool(port, spec) {
  const url = `ws://127.0.0.1:${port}/sink?ack=${spec.ack}&size=${spec.size}`;
  const pool = await Promise.all(Array.from({ length: CONNECTIONS }, () => openSocket(url)));
  return pool.map((ws) => ({ ws, sent: 0, acked: 0 }));
}

async function closePool(pool) {
  await Promise.all(pool.map(({ ws }) => closeSocket(ws)));
}

/** Sends for `ms`, counts what the server acknowledged by then, and waits for the rest to be acknowledged. */
async function throughputRun(pool, spec, ms) {
  const payload = Buffer.alloc(spec.size, 0xa5);
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
  const start = performance.now();
  for (const c of pool) pump(c);
  await new Promise((resolve) => setTimeout(resolve, ms));
  const acked = sum(pool.map((c) => c.acked)) - ackedBefore;
  const seconds = (performance.now() - start) / 1000;
  running = false;
  if (pool.every((c) => c.acked === c.sent)) drained();
  await withTimeout(allDrained, 30_000, 'waiting for the last messages to be acknowledged');
  pool.forEach((c, i) => c.ws.off('message', listeners[i]));
  return { messagesPerSecond: acked / seconds };
}

/** Sends `rate` messages a second round the pool (every 10 ms) until running.on is false. */
async function pacedLoad(pool, rate, running) {
  const payload = Buffer.alloc(64, 0xa5);
  const perTick = Math.max(1, Math.round(rate / 100));
  const listeners = pool.map((c) => {
    const listener = (data) => { c.acked = Number(data.toString()); };
    c.ws.on('message', listener);
    return listener;
  });
  let sent = 0;
  let next = 0;
  const start = performance.now();
  while (running.on) {
    for (let i = 0; i < perTick; i++) {
      const c = pool[next++ % pool.length];
      c.ws.send(payload);
      c.sent++;
      sent++;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const seconds = (performance.now() - start) / 1000;
  await withTimeout(new Promise((resolve) => {
    // The sink answers every 64th message: fewer than that may stay unanswered.
    const check = () => (pool.every((c) => c.sent - c.acked < 64) ? resolve() : setTimeout(check, 20));
    check();
  }), 30_000, 'waiting for the paced load to be acknowledged');
  pool.forEach((c, i) => c.ws.off('message', listeners[i]));
  return { messagesPerSecond: sent / seconds };
}

/** The throughput load (as throughputRun) until running.on is false. */
async function throughputUntil(pool, spec, running) {
  const runs = [];
  while (running.on) runs.push((await throughputRun(pool, spec, 1000)).messagesPerSecond);
  return { messagesPerSecond: runs.length > 0 ? median(runs) : 0 };
}

function openSocket(url) {
  return withTimeout(new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`${url} answered ${res.statusCode}`)));
  }), 10_000, `opening ${url}`);
}

function closeSocket(ws) {
  return withTimeout(new Promise((resolve) => {
    ws.once('close', resolve);
    ws.close(1000);
  }), 10_000, 'closing a socket');
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function sum(values) {
  return values.reduce((a, b) => a + b, 0);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function formatInteger(n) {
  return Math.round(n).toLocaleString('en-US');
}
