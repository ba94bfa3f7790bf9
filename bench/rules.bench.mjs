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
import { startPeer } from './support/peer-process.mjs';
import { closePool, cpuMicrosPerMessage, formatInteger, median, openPool as openSinkPool, quantile, throughputRun, withTimeout } from './support/sink-load.mjs';
import { summarizeCpuProfiles } from './support/cpu-profile-summary.mjs';

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
// FRAMESCOPE_BENCH_CPU_PROF=1 profiles both throughput proxies and lists where each spends its CPU.
const profileDir = process.env.FRAMESCOPE_BENCH_CPU_PROF ? join(new URL('..', import.meta.url).pathname, 'bench-results', `rules-${process.pid}`) : undefined;
const profiled = profileDir ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {};
const plain = await startPeer(support('framescope-rules-proxy.mjs'), [String(server.port), 'none'], profiled);
const idle = await startPeer(support('framescope-rules-proxy.mjs'), [String(server.port), idleFile], profiled);
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
      const before = await path.peer.command('stats');
      const run = await throughputRun(pools.get(path), spec, RUN_MS);
      const after = await path.peer.command('stats');
      // The proxy's CPU for each message it carried: steadier than throughput on a shared machine.
      run.cpuMicrosPerMessage = cpuMicrosPerMessage(before, after, run.carried);
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
  const cpu = (name) => median(rates.get(`${name} ${spec.label}`).map((r) => r.cpuMicrosPerMessage));
  console.log(`         proxy CPU per message: no rules ${cpu('no rules').toFixed(2)} µs, idle ${cpu('idle rules').toFixed(2)} µs (none / idle = ${(cpu('no rules') / cpu('idle rules')).toFixed(3)})`);
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

if (profileDir) {
  for (const [name, peer] of [['no rules', plain], ['idle rules', idle]]) {
    console.log(`\nCPU profile of the ${name} proxy (written to ${profileDir}), top self time:`);
    for (const line of summarizeCpuProfiles(profileDir, peer.pid, 15)) console.log(`  ${line}`);
  }
}

// ---- Helpers ------------------------------------------------------------------------------------

function openPool(port, spec) {
  return openSinkPool(port, spec, CONNECTIONS);
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
