// The capture store at scale: 1,000,000 text frames of 64 B to 4 KiB on a few connections, each
// its own message (as the relay records them), written through the compiled store in dist/.
// Reports write rate, RSS with the store live (after gc), the time to reopen the saved session, and
// a regex search over everything (once with a leading literal, which lets the search skip messages
// by a byte scan, once without, which decodes and matches every message). Run with --expose-gc (npm run bench does). FRAMES=n to change the count.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureStore } from '../dist/src/capture/capture-store.js';
import { indexSnapshotPath } from '../dist/src/capture/index-snapshot.js';

const FRAMES = Number(process.env.FRAMES ?? 1_000_000);
const CONNECTIONS = 4;
const MiB = 1024 * 1024;
const results = [];
const target = (name, value, unit, limit) => {
  const pass = value <= limit;
  results.push(pass);
  console.log(`${pass ? 'PASS' : 'MISS'}  ${name}: ${value.toFixed(unit === 'MB' ? 0 : 2)} ${unit} (target under ${limit} ${unit})`);
};
const gc = globalThis.gc ?? (() => console.log('(run with --expose-gc for a fair RSS figure)'));

// Deterministic pseudo-random numbers, so every run writes the same session.
let seed = 42;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);

// 16 MiB of JSON-ish text to cut payloads from; about one payload in a thousand holds "needle-<6 digits>".
const words = ['{"type":"tick",', '"price":', '"user":"alice",', '"seq":', '"ok":true,', '"items":[1,2,3],', '"text":"lorem ipsum dolor",', '}\n'];
let text = '';
while (text.length < 16 * MiB) {
  text += random() < 0.0004 ? `"needle-${String(Math.floor(random() * 1e6)).padStart(6, '0')}",` : words[Math.floor(random() * words.length)];
  text += String(Math.floor(random() * 1000));
}
const pool = Buffer.from(text, 'latin1');

const dir = mkdtempSync(join(tmpdir(), 'framescope-bench-'));
const path = join(dir, 'bench.fscap');
try {
  // Backpressure is honoured as the relay honours it (it pauses its sockets): the loop waits for the release.
  let released = null;
  const store = CaptureStore.create(path, { onBackpressure: (paused) => { if (!paused) released?.(); } });
  const start = Date.now();
  for (let id = 1; id <= CONNECTIONS; id++) {
    store.putConnection({
      id, url: `ws://bench.test/${id}`, clientAddress: '127.0.0.1:1', startedAt: start, state: 'open',
      request: { method: 'GET', target: `/${id}`, httpVersion: '1.1', rawHeaders: ['Host', 'bench.test'], time: start },
      checks: [], frames: [], messages: [],
    });
  }
  // The frames and messages are made a batch at a time outside the timed part, so the rate is the
  // store's (putFrame, putMessage, the final flush), not the generator's. A batch is about what one
  // socket read of 64 KiB brings (32 frames of 2 KiB on average); between batches the loop returns to
  // the event loop, as the relay does between reads, so the writer's asynchronous writes run as they
  // do in the proxy (a loop that never yields, or puts megabytes in one run, makes them synchronous).
  const streamIndex = new Array(CONNECTIONS * 2).fill(0);
  let payloadBytes = 0;
  let storeSeconds = 0;
  const BATCH = 32;
  const frames = [];
  const messages = [];
  const ids = [];
  const t0 = performance.now();
  for (let from = 0; from < FRAMES; from += BATCH) {
    const count = Math.min(BATCH, FRAMES - from);
    for (let k = 0; k < count; k++) {
      const n = from + k;
      const id = 1 + (n % CONNECTIONS);
      const receive = (n >> 2) % 3 !== 0;
      const size = 64 + Math.floor(random() * (4096 - 64 + 1));
      const at = Math.floor(random() * (pool.length - size));
      const payload = pool.subarray(at, at + size);
      const index = streamIndex[(id - 1) * 2 + (receive ? 1 : 0)]++;
      const direction = receive ? 'receive' : 'send';
      const time = start + n / 10;
      const headerLength = (size < 126 ? 2 : 4) + (receive ? 0 : 4);
      ids[k] = id;
      frames[k] = {
        direction, time,
        frame: {
          fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, masked: !receive, maskKey: receive ? undefined : Buffer.from([1, 2, 3, 4]),
          payloadLength: size, lengthForm: size < 126 ? 7 : 16, headerLength, index, offset: 0, payload, truncated: false, violations: [],
        },
      };
      // The assembler's message data is its own buffer with the same bytes.
      messages[k] = {
        direction, time,
        message: { opcode: 1, data: pool.subarray(at, at + size), truncated: false, compressed: false, size, frameIndexes: [index], violations: [] },
      };
      payloadBytes += size;
    }
    const t = performance.now();
    for (let k = 0; k < count; k++) {
      store.putFrame(ids[k], frames[k]);
      store.putMessage(ids[k], messages[k]);
    }
    // Held by backpressure: the file is behind, and that is the store's time too.
    if (store.backpressure) await new Promise((resolve) => (released = resolve));
    storeSeconds += (performance.now() - t) / 1000;
    await new Promise((resolve) => setImmediate(resolve));
  }
  const t = performance.now();
  store.flush();
  storeSeconds += (performance.now() - t) / 1000;
  const writeSeconds = (performance.now() - t0) / 1000;
  gc();
  const rssLive = process.memoryUsage().rss / MiB;
  const indexMB = store.indexBytes / MiB;
  store.close();
  const fileMB = statSync(path).size / MiB;

  console.log(`wrote ${FRAMES} frames and ${FRAMES} messages (${(payloadBytes / MiB).toFixed(0)} MiB of payload) in ${writeSeconds.toFixed(2)} s with the generator, ` +
    `${storeSeconds.toFixed(2)} s in the store: ${Math.round(FRAMES / storeSeconds).toLocaleString('en')} frames/s; file ${fileMB.toFixed(0)} MiB; index ${indexMB.toFixed(1)} MiB`);
  const storeRate = payloadBytes / MiB / storeSeconds;
  const pass = storeRate >= 1024;
  results.push(pass);
  console.log(`${pass ? 'PASS' : 'MISS'}  payload recorded by the store: ${storeRate.toFixed(0)} MiB/s (target at least 1024 MiB/s); with the generator ${(payloadBytes / MiB / writeSeconds).toFixed(0)} MiB/s`);
  target('RSS with the live store after gc', rssLive, 'MB', 300);

  // Opening, each in a fresh process (nothing of the file's index warm in this one): from the index
  // snapshot the close wrote, then without it (the whole file read and checked).
  const snapshot = indexSnapshotPath(path);
  const snapshotMB = statSync(snapshot).size / MiB;
  const withSnapshot = openInChild(path, 'loaded');
  renameSync(snapshot, `${snapshot}.aside`);
  const withoutSnapshot = openInChild(path, 'absent');
  renameSync(`${snapshot}.aside`, snapshot);
  console.log(`index snapshot: ${snapshotMB.toFixed(1)} MiB; open without it (full scan): ${withoutSnapshot.toFixed(2)} s, ${(withoutSnapshot / withSnapshot).toFixed(1)}x the open with it`);
  target(`open the saved ${FRAMES.toLocaleString('en')}-frame session (fresh process, index snapshot)`, withSnapshot, 's', 1);

  const opened = await CaptureStore.open(path);
  if (opened.indexSource !== 'loaded') throw new Error(`the open did not load the index snapshot: ${opened.indexSource}`);
  const total = opened.connections().reduce((sum, c) => sum + c.frameCount, 0);
  if (total !== FRAMES) throw new Error(`reopened ${total} frames, not ${FRAMES}`);
  gc();
  console.log(`RSS after reopening: ${(process.memoryUsage().rss / MiB).toFixed(0)} MB`);

  let firstHit = -1;
  let hits = 0;
  const t2 = performance.now();
  const result = await opened.search(null, { regex: 'needle-\\d{6}' }, (batch) => {
    if (firstHit < 0) firstHit = performance.now() - t2;
    hits += batch.length;
  });
  const scanSeconds = (performance.now() - t2) / 1000;
  console.log(`regex search: ${result.hits} hits in ${result.scanned.toLocaleString('en')} messages`);
  if (hits === 0) throw new Error('the search found nothing: the bench data has no needles');
  target('regex search, first hits', firstHit, 'ms', 100);
  target('regex search, full scan', scanSeconds, 's', 2);

  // The same needles through a regex with no leading literal (\b first): every message is decoded and
  // matched. (The regex engine's own speed depends on the pattern: V8 runs this one at about 2.7 GB/s,
  // [a-z]{6}-\d{6} at about 0.2 GB/s, whatever the store does.)
  let firstHitSlow = -1;
  const t3 = performance.now();
  const slow = await opened.search(null, { regex: '\\bneedle-\\d{6}' }, () => {
    if (firstHitSlow < 0) firstHitSlow = performance.now() - t3;
  });
  const slowSeconds = (performance.now() - t3) / 1000;
  console.log(`regex search without a literal to skip by: ${slow.hits} hits`);
  if (slow.hits !== result.hits) throw new Error(`the two searches disagree: ${slow.hits} and ${result.hits} hits`);
  target('regex search without a literal, first hits', firstHitSlow, 'ms', 100);
  target('regex search without a literal, full scan', slowSeconds, 's', 2);
  opened.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(results.every(Boolean) ? 'all targets met' : 'some targets missed');

/** Seconds a fresh process takes to open the capture file (CaptureStore.open to the index in memory); checks how it used the snapshot. */
function openInChild(file, expected) {
  const script = `
    const { CaptureStore } = await import(${JSON.stringify(new URL('../dist/src/capture/capture-store.js', import.meta.url).href)});
    const t = performance.now();
    const store = await CaptureStore.open(${JSON.stringify(file)}, { indexSnapshotFrom: Infinity });
    const seconds = (performance.now() - t) / 1000;
    const frames = store.connections().reduce((sum, c) => sum + c.frameCount, 0);
    store.close();
    console.log(JSON.stringify({ seconds, frames, source: store.indexSource }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the open in a child failed: ${r.stderr}`);
  const { seconds, frames, source } = JSON.parse(r.stdout.trim().split('\n').pop());
  if (source !== expected) throw new Error(`the child's open used the snapshot as "${source}", not "${expected}"`);
  if (frames !== FRAMES) throw new Error(`the child opened ${frames} frames, not ${FRAMES}`);
  return seconds;
}
