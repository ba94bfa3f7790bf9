// HAR export and import at scale, each in its own process as users run them: a session of
// CONNECTIONS × MESSAGES binary messages of 64 KiB (default 4 × 4096 = 1 GiB) is written through the
// compiled store, then `framescope export NAME --har FILE` and `framescope import FILE` run as child
// processes. Reports each one's peak RSS (target: under 300 MB plus the largest message, issue 9) and
// throughput in MB/s of HAR text. MESSAGES=600 gives the 300 MiB case.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionCatalog } from '../dist/src/capture/session-catalog.js';

const CONNECTIONS = Number(process.env.CONNECTIONS ?? 4);
const MESSAGES = Number(process.env.MESSAGES ?? 4096);
const SIZE = 64 * 1024;
const MB = 1e6;
const MiB = 1024 * 1024;
const LIMIT = 300 * MB + SIZE;
const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin/framescope.js');
const peakRss = join(root, 'test/support/peak-rss.mjs');

const home = mkdtempSync(join(tmpdir(), 'framescope-har-bench-'));
const sessions = join(home, 'sessions');
mkdirSync(sessions, { recursive: true, mode: 0o700 });
let failed = 0;

try {
  const started = performance.now();
  writeSession('bench');
  const sessionBytes = statSync(join(sessions, 'bench.fscap')).size;
  console.log(`session: ${CONNECTIONS} connections × ${MESSAGES} messages of 64 KiB, ${(sessionBytes / MiB).toFixed(0)} MiB on disk, written in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const har = join(home, 'bench.har');
  const exported = run(['export', 'bench', '--har', har]);
  const harBytes = statSync(har).size;
  report('export', exported, harBytes);

  const imported = run(['import', har, '--session', 'again']);
  report('import', imported, harBytes);
  const again = statSync(join(sessions, 'again.fscap')).size;
  console.log(`imported session: ${(again / MiB).toFixed(0)} MiB on disk`);
} finally {
  rmSync(home, { recursive: true, force: true });
}
process.exit(failed === 0 ? 0 : 1);

/** Writes the session through the store as the relay records it: one masked or unmasked frame per message. */
function writeSession(name) {
  const store = new SessionCatalog(sessions).create(name);
  const payload = Buffer.alloc(SIZE);
  for (let i = 0; i < SIZE; i++) payload[i] = (i * 131 + (i >> 8)) & 0xff;
  const t0 = Date.UTC(2026, 0, 1);
  for (let c = 1; c <= CONNECTIONS; c++) {
    store.putConnection({
      id: c, url: `ws://127.0.0.1:9/bench/${c}`, clientAddress: '127.0.0.1:50000', serverAddress: '127.0.0.1:9', startedAt: t0, state: 'open',
      request: { method: 'GET', target: `/bench/${c}`, httpVersion: '1.1', rawHeaders: ['Host', '127.0.0.1:9', 'Upgrade', 'websocket'], time: t0 },
      response: { statusCode: 101, statusMessage: 'Switching Protocols', httpVersion: '1.1', rawHeaders: ['Upgrade', 'websocket'], time: t0 + 1 },
      checks: [], frames: [], messages: [],
    });
  }
  const index = { send: 0, receive: 0 };
  const offset = { send: 0, receive: 0 };
  for (let m = 0; m < MESSAGES; m++) {
    for (let c = 1; c <= CONNECTIONS; c++) {
      const direction = m % 2 === 0 ? 'send' : 'receive';
      const masked = direction === 'send';
      const time = t0 + 2 + m;
      const headerLength = 2 + 8 + (masked ? 4 : 0);
      const frame = {
        fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 2, masked, payloadLength: SIZE, lengthForm: 64, headerLength,
        index: index[direction], offset: offset[direction], payload, truncated: false, violations: [],
        ...(masked ? { maskKey: Buffer.from([1, 2, 3, 4]) } : {}),
      };
      store.putFrame(c, { direction, time, frame });
      store.putMessage(c, { direction, time, message: { opcode: 2, data: payload, truncated: false, compressed: false, size: SIZE, frameIndexes: [index[direction]], violations: [] } });
      if (c === CONNECTIONS) {
        index[direction] += 1;
        offset[direction] += headerLength + SIZE;
      }
    }
  }
  store.flush();
  new SessionCatalog(sessions).remember(name, store);
  store.close();
}

function run(args) {
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--import', peakRss, bin, ...args], { env: { ...process.env, FRAMESCOPE_HOME: home }, encoding: 'utf8' });
  const seconds = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`framescope ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { seconds, peak: Number(/peak-rss (\d+)/.exec(r.stderr)[1]) };
}

function report(what, { seconds, peak }, bytes) {
  const pass = peak < LIMIT;
  if (!pass) failed++;
  console.log(`${pass ? 'PASS' : 'MISS'}  ${what}: ${(bytes / MB).toFixed(0)} MB of HAR in ${seconds.toFixed(1)} s = ${(bytes / MB / seconds).toFixed(1)} MB/s, peak RSS ${(peak / MB).toFixed(0)} MB (target under ${(LIMIT / MB).toFixed(0)} MB)`);
}
