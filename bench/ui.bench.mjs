// The UI with a million frames, measured in Chromium: a session of 1,000,000 small text frames (each
// its own message) on one connection is written with the compiled capture store, `framescope ui
// --session` opens it, and the page is timed: first render of the timeline, a regex search to its
// first hits, frame times while scrolling (requestAnimationFrame deltas during a programmatic
// scroll), and the JS heap after a garbage collection. FRAMES=n to change the count.
/* global window, document, requestAnimationFrame, MutationObserver */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CaptureStore } from '../dist/src/capture/capture-store.js';

const FRAMES = Number(process.env.FRAMES ?? 1_000_000);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const SESSION = 'ui-bench';

const target = (name, value, unit, limit) => {
  const pass = value < limit;
  console.log(`${pass ? 'PASS' : 'MISS'}  ${name}: ${unit === 'MB' ? value.toFixed(0) : value.toFixed(1)} ${unit} (target under ${limit} ${unit})`);
  return pass;
};

if (!existsSync(CHROMIUM)) {
  console.log(`skipped: no Chromium at ${CHROMIUM}`);
  process.exit(0);
}
// The UI is built by `npm run build`; build it here when it is missing.
if (!existsSync(join(ROOT, 'dist', 'renderer', 'index.html'))) {
  const vite = spawnSync(join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--config', 'renderer/vite.config.ts', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  if (vite.status !== 0) process.exit(1);
}

const home = mkdtempSync(join(tmpdir(), 'framescope-ui-bench-'));
let engine;
let browser;
try {
  // ---- The session: one connection, FRAMES text frames, each its own message -------------------
  const sessions = join(home, 'sessions');
  mkdirSync(sessions, { recursive: true, mode: 0o700 });
  const store = CaptureStore.create(join(sessions, `${SESSION}.fscap`));
  const start = Date.now() - FRAMES; // one frame a millisecond, ending now
  const key = Buffer.from([0x11, 0x22, 0x33, 0x44]);
  const record = {
    id: 1, url: 'wss://feed.example.test/quotes?v=2', clientAddress: '127.0.0.1:50000', serverAddress: '203.0.113.7:443',
    startedAt: start, state: 'closed',
    request: { method: 'GET', target: '/quotes?v=2', httpVersion: '1.1', rawHeaders: ['Host', 'feed.example.test', 'Upgrade', 'websocket', 'Connection', 'Upgrade', 'Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version', '13'], time: start },
    response: { statusCode: 101, statusMessage: 'Switching Protocols', httpVersion: '1.1', rawHeaders: ['Upgrade', 'websocket', 'Connection', 'Upgrade', 'Sec-WebSocket-Accept', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='], time: start },
    checks: [], frames: [], messages: [],
    close: { code: 1000, reason: 'bench done', closedBy: 'client' }, endedAt: start + FRAMES,
  };
  store.putConnection(record);
  const index = [0, 0];
  const offset = [0, 0];
  const t0 = performance.now();
  for (let n = 0; n < FRAMES; n++) {
    // Mostly quotes from the server, a request from the client every fourth frame; one in a thousand holds a needle.
    const send = n % 4 === 0;
    const text = n % 1000 === 500
      ? `{"seq":${n},"note":"needle-${String(n).padStart(7, '0')}"}`
      : send ? `{"op":"ack","seq":${n}}` : `{"seq":${n},"sym":"ACME","px":${(100 + (n % 977) / 10).toFixed(1)},"qty":${n % 50}}`;
    const payload = Buffer.from(text);
    const d = send ? 0 : 1;
    const headerLength = 2 + (send ? 4 : 0);
    const frame = {
      fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, masked: send, ...(send ? { maskKey: key } : {}),
      payloadLength: payload.length, lengthForm: 7, headerLength, index: index[d], offset: offset[d], payload, truncated: false, violations: [],
    };
    const direction = send ? 'send' : 'receive';
    store.putFrame(1, { direction, time: start + n, frame });
    store.putMessage(1, { direction, time: start + n, message: { opcode: 1, data: payload, truncated: false, compressed: false, size: payload.length, frameIndexes: [index[d]], violations: [] } });
    index[d]++;
    offset[d] += headerLength + payload.length;
  }
  store.flush();
  store.close();
  console.log(`wrote ${FRAMES.toLocaleString('en')} frames and messages in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // ---- The engine and the page ------------------------------------------------------------------
  const opened = performance.now();
  engine = spawn(process.execPath, [join(ROOT, 'bin', 'framescope.js'), 'ui', '--session', SESSION, '--no-open', '--port', '0', '--proxy-port', '0'], {
    env: { ...process.env, FRAMESCOPE_HOME: home }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    engine.stdout.on('data', (d) => {
      out += d;
      const m = /^ui: (\S+)$/m.exec(out);
      if (m) resolve(m[1]);
    });
    engine.once('exit', (code) => reject(new Error(`framescope ui exited with ${code}: ${out}`)));
  });
  console.log(`framescope ui opened the session in ${((performance.now() - opened) / 1000).toFixed(1)} s`);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-precise-memory-info'],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Marks the moment the first timeline row is in the DOM, on the page's own clock (0 = navigation start).
  await page.addInitScript(() => {
    const seen = (selector, name) => {
      const observer = new MutationObserver(() => {
        if (document.querySelector(selector)) {
          window[name] = performance.now();
          observer.disconnect();
        }
      });
      document.addEventListener('DOMContentLoaded', () => observer.observe(document.body, { childList: true, subtree: true }));
    };
    seen('[data-frame]', '__firstFrameRow');
  });
  await page.goto(url);
  await page.waitForSelector('[data-frame]');
  const firstRender = await page.evaluate(() => window.__firstFrameRow);
  const shown = await page.locator('.filter-status').textContent();
  if (shown !== `${FRAMES.toLocaleString('en-US')} frames`) throw new Error(`the timeline shows "${shown}", not ${FRAMES} frames`);
  const ok = [target(`first render of the ${FRAMES.toLocaleString('en')}-frame timeline`, firstRender, 'ms', 1000)];

  // ---- Regex search to its first hits -----------------------------------------------------------
  const search = page.getByRole('searchbox', { name: 'Search payloads' });
  await page.getByRole('button', { name: '.*' }).click();
  await search.fill('needle-\\d{7}');
  await page.evaluate(() => {
    window.addEventListener('keydown', (e) => { if (e.key === 'Enter') window.__searchStart = performance.now(); }, { capture: true, once: true });
    const observer = new MutationObserver(() => {
      if (document.querySelector('[data-hit]')) {
        window.__firstHit = performance.now();
        observer.disconnect();
      }
    });
    observer.observe(document.body, { childList: true, subtree: true });
  });
  await search.press('Enter');
  await page.waitForSelector('[data-hit]');
  const firstHit = await page.evaluate(() => window.__firstHit - window.__searchStart);
  ok.push(target('regex search, first hits shown', firstHit, 'ms', 500));
  await page.waitForFunction(() => !window.framescope.search.running, undefined, { timeout: 60_000 });
  console.log(`regex search: ${await page.locator('.filter-status').textContent()}`);
  await search.press('Escape');
  await page.waitForSelector('[data-frame]');

  // ---- Scrolling: requestAnimationFrame deltas while the timeline scrolls programmatically ------
  const deltas = await page.evaluate(() => new Promise((resolve) => {
    const list = document.querySelector('.frames-table .vlist');
    const out = [];
    let last = performance.now();
    let frames = 0;
    const step = () => {
      const now = performance.now();
      out.push(now - last);
      last = now;
      // About 80 rows a frame: a fast fling through the list.
      list.scrollTop += 1777;
      if (++frames < 300) requestAnimationFrame(step);
      else resolve(out.slice(5));
    };
    requestAnimationFrame(() => {
      last = performance.now();
      requestAnimationFrame(step);
    });
  }));
  deltas.sort((a, b) => a - b);
  const p95 = deltas[Math.floor(deltas.length * 0.95)];
  console.log(`scroll: ${deltas.length} frames, median ${deltas[Math.floor(deltas.length / 2)].toFixed(1)} ms, worst ${deltas[deltas.length - 1].toFixed(1)} ms`);
  ok.push(target('p95 frame time while scrolling', p95, 'ms', 20));

  // ---- JS heap after a garbage collection -------------------------------------------------------
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  ok.push(target('JS heap', heap.usedSize / 1024 / 1024, 'MB', 200));

  if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
  console.log(ok.every(Boolean) ? 'all targets met' : 'some targets missed');
} finally {
  await browser?.close();
  if (engine && engine.exitCode === null) {
    const exited = new Promise((resolve) => engine.once('exit', resolve));
    engine.kill('SIGTERM');
    await exited;
  }
  rmSync(home, { recursive: true, force: true });
}
