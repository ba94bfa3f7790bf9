// What protocol lenses cost a recording proxy (issue 11: recording with lenses at >= 0.95x of recording
// without). Socket.IO traffic (`42["message",{...}]` text events on /socket.io/?EIO=4, which detection
// reads as Socket.IO) through Framescope proxies in reverse mode, each in its own process, each
// recording every frame and message into its capture store:
//   without    nothing reads the lenses (they decode on read only)
//   follow     the UI's Protocol column of one connection's newest 40 frames (the busiest when it starts), read 10 times a
//              second as a UI following it in Live mode reads it
//   all        the same for every connection: every message is decoded as it arrives
//   rule       a rule on a protocol field that matches nothing (socket.io.event:never): the lens reads
//              every message on the relay's path
// Throughput: 64 B and 16 KiB messages over 50 connections, client to server, a bounded window per
// connection; runs interleave and the order rotates each round. Reports ratios to `without`, and the
// proxies' CPU per message (steadier than throughput on a shared machine).
import os from 'node:os';
import { startPeer } from './support/peer-process.mjs';
import { closePool, cpuMicrosPerMessage, formatInteger, median, openPool, throughputRun } from './support/sink-load.mjs';

const CONNECTIONS = 50;
const REPEATS = Number(process.env.FRAMESCOPE_BENCH_REPEATS ?? 5);
const RUN_MS = 2000;
const WARMUP_MS = 500;
const TARGET = 0.95;
const SIZES = [
  { label: '64 B', size: 64, ack: 64, window: 512 },
  { label: '16 KiB', size: 16 * 1024, ack: 4, window: 16 },
];
const WATCHDOG_MS = 300_000;

const watchdog = setTimeout(() => {
  console.error(`bench error: still running after ${WATCHDOG_MS / 1000} s`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

/** A Socket.IO event of exactly `size` bytes, in a text frame, as socket.io-client sends `emit('message', {text})`. */
function socketIoEvent(size) {
  const head = '42["message",{"text":"';
  const tail = '"}]';
  return head + 'x'.repeat(size - head.length - tail.length) + tail;
}

const support = (name) => new URL(`./support/${name}`, import.meta.url).pathname;
const server = await startPeer(support('ws-sink-server.mjs'));
// FRAMESCOPE_BENCH_LENS_MODES picks the proxies, e.g. "without,without again" for an A/A run: two
// proxies alike show how far apart two processes measure on this machine.
const modes = (process.env.FRAMESCOPE_BENCH_LENS_MODES ?? 'without,follow,all,rule').split(',');
const paths = [];
for (const mode of modes) {
  paths.push({ mode, peer: await startPeer(support('framescope-lens-proxy.mjs'), [String(server.port), mode.startsWith('without') ? 'none' : mode]) });
}

console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average ${os.loadavg()[0].toFixed(2)} at start`);

const results = new Map();
for (const spec of SIZES) {
  const load = { ...spec, path: '/socket.io/', query: 'EIO=4&transport=websocket' };
  const payload = socketIoEvent(spec.size);
  const pools = new Map();
  for (const path of paths) pools.set(path, await openPool(path.peer.port, load, CONNECTIONS));
  for (const path of paths) await throughputRun(pools.get(path), load, WARMUP_MS, payload);
  for (let round = 0; round < REPEATS; round++) {
    const order = paths.map((_, i) => paths[(i + round) % paths.length]);
    for (const path of order) {
      const before = await path.peer.command('stats');
      const run = await throughputRun(pools.get(path), load, RUN_MS, payload);
      const after = await path.peer.command('stats');
      const key = `${path.mode} ${spec.label}`;
      if (!results.has(key)) results.set(key, []);
      results.get(key).push({ messagesPerSecond: run.messagesPerSecond, cpu: cpuMicrosPerMessage(before, after, run.carried) });
    }
  }
  for (const pool of pools.values()) await closePool(pool);
}

const lensStats = new Map();
const errors = [];
for (const path of paths) {
  lensStats.set(path.mode, await path.peer.command('lens-stats'));
  errors.push(...await path.peer.command('errors'));
}
const received = await server.command('received');
for (const p of [...paths.map((x) => x.peer), server]) await p.stop();
if (errors.length > 0) throw new Error(`the proxies reported errors: ${errors.slice(0, 3).join('; ')}`);
if (received.wrongSize > 0) throw new Error(`the server received ${received.wrongSize} messages of the wrong size`);
for (const mode of ['follow', 'all'].filter((m) => modes.includes(m))) {
  const s = lensStats.get(mode);
  if (s.lines === 0 || !s.lenses.includes('socket.io')) throw new Error(`the ${mode} proxy read no Socket.IO lines (${JSON.stringify(s)}): the bench would measure nothing`);
}

console.log(`\nSocket.IO events, ${CONNECTIONS} connections, client -> server, ${RUN_MS / 1000} s per run, median of ${REPEATS} (order rotates)`);
for (const spec of SIZES) {
  const rate = (mode) => median(results.get(`${mode} ${spec.label}`).map((r) => r.messagesPerSecond));
  const cpu = (mode) => median(results.get(`${mode} ${spec.label}`).map((r) => r.cpu));
  const runs = (mode) => results.get(`${mode} ${spec.label}`).map((r) => formatInteger(r.messagesPerSecond)).join(' / ');
  for (const mode of modes) {
    const ratio = rate(mode) / rate('without');
    const verdict = mode === 'without' ? '' : `  ${ratio >= TARGET ? 'MET' : 'MISSED'} (goal >= ${TARGET})`;
    console.log(`  ${spec.label.padEnd(6)} ${mode.padEnd(8)} ${formatInteger(rate(mode)).padStart(9)} msgs/s  ÷ without ${ratio.toFixed(3)}  CPU ${cpu(mode).toFixed(2)} µs/msg (without ÷ this ${(cpu('without') / cpu(mode)).toFixed(3)})${verdict}   runs ${runs(mode)}`);
  }
}
for (const mode of ['follow', 'all'].filter((m) => modes.includes(m))) {
  const s = lensStats.get(mode);
  console.log(`  ${mode}: ${formatInteger(s.reads)} column reads, ${formatInteger(s.lines)} protocol lines, lens ${s.lenses.join(', ')}`);
}
console.log(`load average ${os.loadavg()[0].toFixed(2)} at the end`);
