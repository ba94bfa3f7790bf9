// What a Framescope hop costs. Three paths to the same `ws` server:
//   direct      ws client -> ws server
//   bare relay  ws client -> TCP relay that only pipes bytes (the floor for any proxy hop) -> ws server
//   framescope  ws client -> Framescope in reverse mode, recording every frame -> ws server
//   + url rules, + payload rules: Framescope again with breakpoint rules that match nothing (their URL
//               pattern matches no connection; or they read every message for text that never comes)
//   record headers, record off: Framescope under the other recording policies (`--record headers`, every
//               frame's header fields and the first 256 payload bytes; `--record off`, connections only),
//               to show what recording costs
//   mockttp     HTTP Toolkit's engine (mockttp 4, `getLocal()` with `forAnyWebSocket().thenForwardTo()`),
//               which records nothing: the peer Framescope is measured against
// Throughput: 64 B and 16 KiB binary messages, client to server, over 50 connections, each keeping a
// bounded number of messages unacknowledged (the server acknowledges every K-th with its count).
// Latency: 64 B ping-pong on one connection. The server, the relay and the proxy each run in their
// own process; the clients run here. Each figure is the median of REPEATS runs, paths interleaved and
// their order rotated each round (the machine is noisy); each ratio is also given as the range of the
// ratios measured in the same round.
// It reports against the targets and never fails on a miss; it exits non-zero only on errors.
// FRAMESCOPE_BENCH_CPU_PROF=1 also writes a CPU profile of the proxy process to bench-results/.
// FRAMESCOPE_BENCH_NO_RULES=1 leaves out the two + rules paths (a shorter run when working on recording).
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { startPeer } from './support/peer-process.mjs';
import { summarizeCpuProfiles } from './support/cpu-profile-summary.mjs';

const CONNECTIONS = 50;
const REPEATS = Number(process.env.FRAMESCOPE_BENCH_REPEATS ?? 3);
const RUN_MS = 2000;
const WARMUP_MS = 500;
/** Per size: messages per acknowledgement, and at most this many unacknowledged per connection. */
const SIZES = [
  { label: '64 B', size: 64, ack: 64, window: 512 },
  { label: '16 KiB', size: 16 * 1024, ack: 4, window: 16 },
];
const LATENCY_SIZE = 64;
const LATENCY_WARMUP = 1000;
const LATENCY_ROUND_TRIPS = 5000;
/** Issue 10's goals for full recording: msgs/s as a share of the bare relay's and of mockttp's. */
const THROUGHPUT_GOALS = { '64 B': { relay: 0.9, mockttp: 1.5 }, '16 KiB': { relay: 0.85, mockttp: 1.3 } };
/** Added p50 latency at most this many times the bare relay's. */
const ADDED_LATENCY_TARGET = 1.2;
/** The Framescope paths compared with the relay, direct and mockttp. */
const RECORDING_PATHS = ['framescope', 'record headers', 'record off'];
const BREAKPOINT_TARGET = 0.95;
/** The whole bench takes about a minute; past this something is stuck. */
const WATCHDOG_MS = 240_000;

const support = (name) => new URL(`./support/${name}`, import.meta.url).pathname;
const profileDir = process.env.FRAMESCOPE_BENCH_CPU_PROF ? join(new URL('..', import.meta.url).pathname, 'bench-results') : undefined;

const watchdog = setTimeout(() => {
  console.error(`bench error: still running after ${WATCHDOG_MS / 1000} s`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

const server = await startPeer(support('ws-sink-server.mjs'));
const relay = await startPeer(support('bare-relay.mjs'), [String(server.port)]);
if (profileDir) mkdirSync(profileDir, { recursive: true });
const proxy = await startPeer(support('framescope-proxy.mjs'), [String(server.port)], {
  execArgv: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
});
const withRules = !process.env.FRAMESCOPE_BENCH_NO_RULES;
const urlRules = withRules ? await startPeer(support('framescope-proxy.mjs'), [String(server.port), 'url']) : undefined;
const payloadRules = withRules ? await startPeer(support('framescope-proxy.mjs'), [String(server.port), 'payload']) : undefined;
const headersOnly = await startPeer(support('framescope-proxy.mjs'), [String(server.port), 'headers']);
const recordOff = await startPeer(support('framescope-proxy.mjs'), [String(server.port), 'off']);
const mockttp = await startPeer(support('mockttp-proxy.mjs'), [String(server.port)]);
const proxies = [proxy, urlRules, payloadRules, headersOnly, recordOff].filter(Boolean);
const paths = [
  { name: 'direct', port: server.port, hop: undefined },
  { name: 'bare relay', port: relay.port, hop: relay },
  { name: 'mockttp', port: mockttp.port, hop: mockttp },
  { name: 'framescope', port: proxy.port, hop: proxy },
  ...(withRules ? [
    { name: '+ url rules', port: urlRules.port, hop: urlRules, throughputOnly: true },
    { name: '+ payload rules', port: payloadRules.port, hop: payloadRules, throughputOnly: true },
  ] : []),
  { name: 'record headers', port: headersOnly.port, hop: headersOnly },
  { name: 'record off', port: recordOff.port, hop: recordOff },
];

console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average ${os.loadavg()[0].toFixed(2)} at start`);
console.log('server, bare relay and Framescope each in their own process; clients in this one');
console.log('Framescope runs as `framescope proxy` does: it records every frame and message (payloads up to 1 MiB)');
console.log('into its capture store on disk; the + rules rows are Framescope with breakpoint rules that match nothing;');
console.log('"record headers" and "record off" are Framescope under those recording policies (headers: 256 payload bytes kept)');

const recorded = { frames: 0, messages: 0 };
/** Messages the throughput clients sent in all, to check against the server's own count. */
let sentToSink = 0;
await drainSession();

// ---- Throughput ---------------------------------------------------------------------------

const throughput = new Map();
for (const spec of SIZES) {
  const pools = new Map();
  for (const path of paths) pools.set(path, await openPool(path, spec));
  for (const path of paths) {
    await throughputRun(pools.get(path), spec, WARMUP_MS);
    await drainSession();
  }
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    for (const path of rotated(paths, repeat)) {
      const before = await cpuSnapshot(path);
      const run = await throughputRun(pools.get(path), spec, RUN_MS, () => cpuSnapshot(path));
      const cpu = cpuShares(before, await run.atDeadline);
      const { memory } = await drainSession(path.hop);
      const key = `${path.name} ${spec.label}`;
      if (!throughput.has(key)) throughput.set(key, []);
      throughput.get(key).push({ messagesPerSecond: run.messagesPerSecond, ...cpu, proxyMemory: proxies.includes(path.hop) ? memory.heapUsed + memory.arrayBuffers : undefined });
    }
  }
  for (const pool of pools.values()) await closePool(pool);
  await drainSession();
}

// ---- Latency ------------------------------------------------------------------------------

const latencyPaths = paths.filter((path) => !path.throughputOnly);
const latency = new Map(latencyPaths.map((path) => [path, []]));
for (let repeat = 0; repeat < REPEATS; repeat++) {
  for (const path of rotated(latencyPaths, repeat)) {
    latency.get(path).push(await latencyRun(path));
    await drainSession();
  }
}

const received = await server.command('received');
if (received.wrongSize > 0) throw new Error(`the server received ${received.wrongSize} messages of the wrong size`);
if (received.messages !== sentToSink) throw new Error(`the clients sent ${sentToSink} messages but the server received ${received.messages}`);
for (const p of proxies) await p.stop();
await mockttp.stop();
await relay.stop();
await server.stop();

// ---- Report -------------------------------------------------------------------------------

console.log(`\nThroughput: ${CONNECTIONS} connections, binary client -> server, ${RUN_MS / 1000} s per run, median of ${REPEATS}`);
console.log('  MB = 10^6 payload bytes; CPU = share of one core over the run; hop CPU µs/msg = the relay\'s or the');
console.log('  proxy\'s CPU time per message (less disturbed by other load than the rates); proxy memory = its JS');
console.log('  heap and buffers at the end of a run, recorded frames included');
printTable(
  ['path', 'size', 'msgs/s', 'MB/s', 'runs (msgs/s)', 'hop CPU', 'hop CPU µs/msg', 'server CPU', 'client CPU', 'proxy memory'],
  SIZES.flatMap((spec) => paths.map((path) => {
    const runs = throughput.get(`${path.name} ${spec.label}`);
    const rate = median(runs.map((r) => r.messagesPerSecond));
    return [
      path.name,
      spec.label,
      formatInteger(rate),
      (rate * spec.size / 1e6).toFixed(1),
      runs.map((r) => formatInteger(r.messagesPerSecond)).join(' / '),
      path.hop ? percent(median(runs.map((r) => r.hop))) : '-',
      path.hop ? median(runs.map(hopMicrosPerMessage)).toFixed(2) : '-',
      percent(median(runs.map((r) => r.server))),
      percent(median(runs.map((r) => r.client))),
      proxies.includes(path.hop) ? `${(Math.max(...runs.map((r) => r.proxyMemory)) / 2 ** 20).toFixed(0)} MiB` : '-',
    ];
  })),
  2,
);
console.log(`Framescope recorded ${formatInteger(recorded.frames)} frames and ${formatInteger(recorded.messages)} messages in all (warm-ups and latency included)`);
// Issue 16: the engine's memory per captured frame, of which the index is the part that grows with the session.
console.log(`its in-memory index: ${formatInteger(recorded.indexBytes)} bytes, ${(recorded.indexBytes / recorded.frames).toFixed(1)} bytes per frame (each with its one-frame message)`);

const direct = summarizeLatency(latency.get(paths[0]));
console.log(`\nLatency: ${LATENCY_SIZE} B echo, 1 connection, ${LATENCY_ROUND_TRIPS} sequential round trips after ${LATENCY_WARMUP} warm-up, median of ${REPEATS}`);
printTable(
  ['path', 'p50 µs', 'p99 µs', 'added p50 µs', 'added p99 µs', 'runs (p50 µs)'],
  latencyPaths.map((path) => {
    const l = summarizeLatency(latency.get(path));
    return [
      path.name,
      l.p50.toFixed(1),
      l.p99.toFixed(1),
      path.hop ? (l.p50 - direct.p50).toFixed(1) : '-',
      path.hop ? (l.p99 - direct.p99).toFixed(1) : '-',
      latency.get(path).map((r) => r.p50.toFixed(1)).join(' / '),
    ];
  }),
  1,
);

console.log('\nFramescope against the bare relay, direct and mockttp (ratio of medians; [range of the ratios within each round])');
const runsOf = (name, spec) => throughput.get(`${name} ${spec.label}`);
for (const spec of SIZES) {
  const goal = THROUGHPUT_GOALS[spec.label];
  for (const name of RECORDING_PATHS) {
    const rate = (n) => median(runsOf(n, spec).map((r) => r.messagesPerSecond));
    const cpu = (n) => median(runsOf(n, spec).map(hopMicrosPerMessage));
    const fs = rate(name);
    console.log(`  ${spec.label.padEnd(6)} ${name.padEnd(15)} ${formatInteger(fs).padStart(9)} msgs/s   hop CPU per message ${(cpu(name) / cpu('bare relay')).toFixed(1)}x the relay's`);
    // The goals are for full recording; the other policies are shown beside it.
    const full = name === 'framescope';
    for (const [peer, target] of [['bare relay', full ? goal.relay : undefined], ['direct', undefined], ['mockttp', full ? goal.mockttp : undefined]]) {
      const ratio = fs / rate(peer);
      const verdict = target === undefined ? '' : `   (goal >= ${target.toFixed(2)})  ${ratio >= target ? 'MET' : 'MISSED'}`;
      console.log(`      / ${peer.padEnd(10)} = ${ratio.toFixed(2)} ${roundRange(name, peer, spec).padEnd(13)}${verdict}`);
    }
  }
}
const relayLatency = summarizeLatency(latency.get(paths[1]));
const relayAdded = { p50: relayLatency.p50 - direct.p50, p99: relayLatency.p99 - direct.p99 };
for (const path of latencyPaths.filter((p) => p.hop && p.name !== 'bare relay')) {
  const l = summarizeLatency(latency.get(path));
  const added = { p50: l.p50 - direct.p50, p99: l.p99 - direct.p99 };
  const parts = ['p50', 'p99'].map((q) => {
    if (relayAdded[q] <= 0) return `added ${q} ${added[q].toFixed(1)} µs (the relay added none measurable: no ratio)`;
    const ratio = added[q] / relayAdded[q];
    const verdict = q === 'p50' && path.name === 'framescope' ? ` (goal <= ${ADDED_LATENCY_TARGET.toFixed(2)} ${ratio <= ADDED_LATENCY_TARGET ? 'MET' : 'MISSED'})` : '';
    return `added ${q} ${ratio.toFixed(2)}x the relay's${verdict} (${added[q].toFixed(1)} / ${relayAdded[q].toFixed(1)} µs)`;
  });
  console.log(`  latency ${path.name.padEnd(15)} ${parts.join('   ')}`);
}

if (withRules) console.log('\nBreakpoint rules that match nothing, against Framescope without rules');
for (const spec of withRules ? SIZES : []) {
  const rate = (name) => median(throughput.get(`${name} ${spec.label}`).map((r) => r.messagesPerSecond));
  for (const name of ['+ url rules', '+ payload rules']) {
    const ratio = rate(name) / rate('framescope');
    console.log(`  throughput ${spec.label.padEnd(6)} ${name.padEnd(15)} / no rules = ${ratio.toFixed(2)}   (target >= ${BREAKPOINT_TARGET.toFixed(2)})  ${ratio >= BREAKPOINT_TARGET ? 'PASS' : 'MISS'}`);
  }
}

console.log(`\nload average ${os.loadavg()[0].toFixed(2)} at the end: on a shared machine the figures move with other work`);

if (profileDir) {
  console.log(`\nCPU profile of the proxy process (written to ${profileDir}), top self time:`);
  for (const line of summarizeCpuProfiles(profileDir, proxy.pid, 15)) console.log(`  ${line}`);
}

// ---- Runs ---------------------------------------------------------------------------------

/** Opens CONNECTIONS sockets on `path` to the sink for `spec`; each keeps its own send and ack counts. */
async function openPool(path, spec) {
  const url = `ws://127.0.0.1:${path.port}/sink?ack=${spec.ack}&size=${spec.size}`;
  const pool = await Promise.all(Array.from({ length: CONNECTIONS }, () => openSocket(url)));
  return pool.map((ws) => ({ ws, sent: 0, acked: 0 }));
}

async function closePool(pool) {
  sentToSink += sum(pool.map((c) => c.sent));
  await Promise.all(pool.map(({ ws }) => closeSocket(ws)));
}

/**
 * Sends for `ms`, then stops, counts what the server acknowledged by then, and waits until every
 * message sent has been acknowledged (so the next run starts with nothing in flight).
 * `onDeadline` is called the moment sending stops; its result comes back as `atDeadline`.
 */
async function throughputRun(pool, spec, ms, onDeadline = () => undefined) {
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
  const onAck = (c, data) => {
    c.acked = Number(data.toString());
    if (running) pump(c);
    else if (pool.every((p) => p.acked === p.sent)) drained();
  };
  const listeners = pool.map((c) => {
    const listener = (data) => onAck(c, data);
    c.ws.on('message', listener);
    return listener;
  });
  const ackedBefore = sum(pool.map((c) => c.acked));
  const start = performance.now();
  for (const c of pool) pump(c);
  await new Promise((resolve) => setTimeout(resolve, ms));
  const acked = sum(pool.map((c) => c.acked)) - ackedBefore;
  const seconds = (performance.now() - start) / 1000;
  const atDeadline = onDeadline();
  running = false;
  if (pool.every((c) => c.acked === c.sent)) drained();
  await withTimeout(allDrained, 30_000, 'waiting for the last messages to be acknowledged');
  pool.forEach((c, i) => c.ws.off('message', listeners[i]));
  return { messagesPerSecond: acked / seconds, atDeadline };
}

/** One connection to /echo: round-trip times of LATENCY_ROUND_TRIPS sequential messages. */
async function latencyRun(path) {
  const ws = await openSocket(`ws://127.0.0.1:${path.port}/echo`);
  const payload = Buffer.alloc(LATENCY_SIZE, 0x5a);
  let answered;
  ws.on('message', () => answered());
  const micros = new Float64Array(LATENCY_ROUND_TRIPS);
  for (let i = 0; i < LATENCY_WARMUP + LATENCY_ROUND_TRIPS; i++) {
    const echoed = new Promise((resolve) => { answered = resolve; });
    const start = process.hrtime.bigint();
    ws.send(payload);
    await echoed;
    if (i >= LATENCY_WARMUP) micros[i - LATENCY_WARMUP] = Number(process.hrtime.bigint() - start) / 1000;
  }
  await closeSocket(ws);
  micros.sort();
  return { p50: quantile(micros, 0.5), p99: quantile(micros, 0.99) };
}

/** CPU time the hop spent per delivered message in one run, in µs. */
function hopMicrosPerMessage(run) {
  return (run.hop * 1e6) / run.messagesPerSecond;
}

function summarizeLatency(runs) {
  return { p50: median(runs.map((r) => r.p50)), p99: median(runs.map((r) => r.p99)) };
}

/** Empties the proxy's recorded arrays; fails the bench if the proxy recorded an error. */
/** Collects what a Framescope process recorded since the last call (every one of them without an argument); fails the bench on any error or violation. */
async function drainSession(only) {
  let last = { memory: undefined };
  for (const p of proxies) {
    if (only && p !== only) continue;
    const drained = await p.command('drain-session');
    if (p === proxy) {
      recorded.frames += drained.frames;
      recorded.messages += drained.messages;
      recorded.indexBytes = drained.indexBytes;
    }
    if (drained.errors.length > 0 || drained.violations > 0) {
      throw new Error(`Framescope recorded ${drained.errors.length} errors and ${drained.violations} violations: ${drained.errors.slice(0, 5).join('; ')}`);
    }
    last = drained;
  }
  return last;
}

// ---- CPU shares ---------------------------------------------------------------------------

async function cpuSnapshot(path) {
  const own = { cpu: process.cpuUsage(), clockMicros: Number(process.hrtime.bigint() / 1000n) };
  return { client: own, server: await server.command('stats'), hop: path.hop ? await path.hop.command('stats') : undefined };
}

function cpuShares(before, after) {
  const share = (a, b) => ((b.cpu.user + b.cpu.system) - (a.cpu.user + a.cpu.system)) / (b.clockMicros - a.clockMicros);
  return {
    client: share(before.client, after.client),
    server: share(before.server, after.server),
    hop: before.hop ? share(before.hop, after.hop) : undefined,
  };
}

// ---- Sockets ------------------------------------------------------------------------------

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

// ---- Figures ------------------------------------------------------------------------------

/** The paths in an order rotated by `by` places: each round starts with another path. */
function rotated(list, by) {
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

/** "[min-max]" of a's msgs/s over b's, measured in the same round. */
function roundRange(a, b, spec) {
  const ra = throughput.get(`${a} ${spec.label}`);
  const rb = throughput.get(`${b} ${spec.label}`);
  const ratios = ra.map((r, i) => r.messagesPerSecond / rb[i].messagesPerSecond);
  return `[${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}]`;
}

function sum(values) {
  return values.reduce((a, b) => a + b, 0);
}

function median(values) {
  return quantile(Float64Array.from(values).sort(), 0.5);
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function percent(share) {
  return `${(share * 100).toFixed(0)}%`;
}

function formatInteger(n) {
  return Math.round(n).toLocaleString('en-US');
}

/** Prints rows under header: the first `textColumns` columns left-aligned, figures right-aligned. */
function printTable(header, rows, textColumns) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i < textColumns ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}
