// The UI live, under load: `framescope ui` proxies real traffic (bench/support/ws-load.mjs: an echo
// server and clients through the proxy, in their own process) while nobody watches, while a headless
// control-API client follows the busiest connection, and while the UI in Chromium follows it.
//   load A: 10 connections x 8 messages of 64 B in flight;  B: 2 x 8 x 16 KiB;  C: 200 x 1 message per 100 ms
// For each: proxy throughput (echoed messages/s) with each watcher against none, the lag until a
// frame reaches the page (the newest row on screen: now − the send time its text carries, sampled
// each animation frame it changed), the page's share of time in long tasks and its rAF p95, engine
// RSS at the end, the time until the counts are exact after the load stops, and while it runs the
// latency of user actions (scroll to the top, open a frame's detail, a search's first hit).
// Each (load, watcher) runs a fresh engine; RUN_MS (default 15000) of measuring after WARM_MS.
// While iterating: LOADS=A,B picks loads, WATCHERS=ui picks runs, ACTION_ROUNDS times each user action,
// LIVE_UI_PROFILE=<dir> records and summarizes where the page's main thread spends its time.
// This machine is shared: figures are noisy; the ratios come from one run, the three watchers in turn.
// It reports against issue 16's goals and never fails on a miss; it exits non-zero only on errors.
/* global window, document, requestAnimationFrame, WheelEvent, MouseEvent */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { WebSocket } from 'ws';
import { startPeer } from './support/peer-process.mjs';
import { recordPage } from './support/page-profile.mjs';
import { COUNT_FIELDS } from '../dist/src/control/api-types.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const RUN_MS = Number(process.env.RUN_MS ?? 15_000);
const WARM_MS = Number(process.env.WARM_MS ?? 3_000);
const LOADS = {
  A: { connections: 10, inFlight: 8, size: 64 },
  B: { connections: 2, inFlight: 8, size: 16 * 1024 },
  C: { connections: 200, inFlight: 1, size: 64, everyMs: 100 },
};
const only = (process.env.LOADS ?? 'A,B,C').split(',');
// LIVE_UI_PROFILE=<dir>: the UI runs also record a Chromium trace and a CPU profile of the page over their
// measured span, and print where its main thread spent the time (the profiler's own cost is in that run's figures).
const PROFILE_DIR = process.env.LIVE_UI_PROFILE;
/** User actions under load: each is timed this many times (the machine is noisy; one figure says little). */
const ACTION_ROUNDS = Number(process.env.ACTION_ROUNDS ?? 3);
const ACTION_NAMES = { scroll: 'scroll to the top', detail: 'frame detail', search: "search's first hit" };
// WATCHERS=ui (say): only those runs, when iterating on one side (ratios then need all three).
const watchers = (process.env.WATCHERS ?? 'none,headless,ui').split(',');

if (!existsSync(CHROMIUM)) {
  console.log(`skipped: no Chromium at ${CHROMIUM}`);
  process.exit(0);
}
if (!existsSync(join(ROOT, 'dist', 'renderer', 'index.html'))) {
  const vite = spawnSync(join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--config', 'renderer/vite.config.ts', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  if (vite.status !== 0) process.exit(1);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (values, p) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
};
const rssOf = (pid) => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  } catch {
    return NaN;
  }
};
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const ms = (v) => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : 'n/a');
const sumReceived = (counts) => counts.reduce((s, c) => s + c.received, 0);
const sumFrames = (counts) => counts.reduce((s, c) => s + c.sent + c.received, 0);

async function startEngine() {
  const home = mkdtempSync(join(tmpdir(), 'framescope-live-bench-'));
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'framescope.js'), 'ui', '--no-open', '--port', '0', '--proxy-port', '0'], {
    env: { ...process.env, FRAMESCOPE_HOME: home }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const { url, proxyPort } = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const ui = /^ui: (\S+)$/m.exec(out);
      const proxy = /^proxy listening on 127\.0\.0\.1:(\d+)$/m.exec(out);
      if (ui && proxy) resolve({ url: ui[1], proxyPort: Number(proxy[1]) });
    });
    child.once('exit', (code) => reject(new Error(`framescope ui exited with ${code}: ${out}`)));
  });
  return {
    url, proxyPort, pid: child.pid,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A Node control-API client that follows a connection's tail as the UI does (paced, acknowledging each batch). */
async function headlessWatcher(url) {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/control?token=${u.searchParams.get('token')}`);
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  let nextId = 1;
  const pending = new Map();
  const summaries = new Map();
  const lags = [];
  let recording = false;
  const call = (method, params) => new Promise((resolve, reject) => {
    if (closedWith) throw new Error(closedWith);
    const id = nextId++;
    pending.set(id, { resolve, reject });
    ws.send(JSON.stringify({ id, method, params }));
  });
  let closedWith;
  ws.on('error', () => {});
  ws.on('close', (code, reason) => {
    closedWith = `the control API connection closed (${code} ${reason})`;
    for (const p of pending.values()) p.reject(new Error(closedWith));
    pending.clear();
  });
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    if (m.type === 'events') {
      const now = Date.now();
      for (const e of m.events) {
        if (e.kind === 'connection') summaries.set(e.connection.id, e.connection);
        // Counts alone: the connection's id, then its counts in COUNT_FIELDS order.
        if (e.kind === 'counts') {
          for (let at = 0; at < e.counts.length; at += 1 + COUNT_FIELDS.length) {
            const s = summaries.get(e.counts[at]);
            if (s) COUNT_FIELDS.forEach((field, i) => { s[field] = e.counts[at + 1 + i]; });
          }
        }
        if (e.kind === 'frames' && e.frames.length > 0 && recording) {
          const t = /^t=(\d+)/.exec(e.frames.at(-1).preview);
          if (t) lags.push({ at: now, lag: now - Number(t[1]) });
        }
      }
      call('ackEvents', { batch: m.batch }).catch(() => {});
    } else {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error) p?.reject(new Error(m.error.message));
      else p?.resolve(m.result);
    }
  });
  return {
    summaries,
    lags,
    record: () => { recording = true; lags.length = 0; },
    follow: async (path) => {
      let c;
      const start = Date.now();
      while (!(c = (await call('listConnections', {})).find((s) => s.url.endsWith(path)))) {
        if (Date.now() - start > 30_000) throw new Error(`no connection ${path} after 30 s`);
        await sleep(50);
      }
      await call('subscribe', { connectionId: c.id, start: 0, end: 100, follow: true, paced: true });
    },
    close: () => ws.terminate(),
  };
}

/** The UI in Chromium, following a connection, with its metrics gathered in the page. */
async function uiWatcher(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => window.framescope !== undefined);
  await page.evaluate(() => window.framescope.initialized);
  const row = (path) => page.locator('[data-connection-id]').filter({ hasText: path }).filter({ hasNotText: `${path}0` }).first();
  return {
    page, errors,
    follow: async (path) => {
      await row(path).waitFor({ timeout: 30_000 });
      await row(path).dispatchEvent('mousedown');
      await page.getByRole('tab', { name: 'Frames' }).click();
      await page.waitForSelector('[data-frame]', { timeout: 30_000 });
    },
    /**
     * Starts gathering: long tasks, rAF deltas, the newest row's age whenever it changed (lag), and the
     * age of the newest row on screen at every animation frame (staleness: the lag plus the wait for the
     * next batch, what a user watching the tail sees).
     */
    record: () => page.evaluate(() => {
      const m = { longTasks: 0, longTaskMs: 0, raf: [], lags: [], stale: [], acks: [], start: performance.now() };
      window.__live = m;
      // The page's acknowledgements of event batches (each one asks the engine for the next batch): how
      // often the page takes (and renders) live traffic.
      const send = WebSocket.prototype.send;
      WebSocket.prototype.send = function (data) {
        if (window.__live === m && typeof data === 'string' && data.includes('"ackEvents"')) m.acks.push(performance.now());
        return send.call(this, data);
      };
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          m.longTasks++;
          m.longTaskMs += e.duration;
        }
      }).observe({ type: 'longtask' });
      let last = performance.now();
      let newest = -1;
      let newestSent;
      const step = () => {
        if (window.__live !== m) return;
        const now = performance.now();
        m.raf.push(now - last);
        last = now;
        let top;
        let topNumber = -1;
        for (const r of document.querySelectorAll('[data-frame]')) {
          const n = Number(r.getAttribute('data-frame'));
          if (n > topNumber) { topNumber = n; top = r; }
        }
        if (topNumber > newest && top) {
          newest = topNumber;
          const t = /t=(\d+)/.exec(top.textContent ?? '');
          if (t) m.lags.push({ at: Date.now(), lag: Date.now() - Number(t[1]) });
          if (t) newestSent = Number(t[1]);
        }
        if (newestSent !== undefined) m.stale.push(Date.now() - newestSent);
        requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    }),
    collect: () => page.evaluate(() => {
      const m = window.__live;
      window.__live = undefined;
      return { longTasks: m.longTasks, longTaskMs: m.longTaskMs, raf: m.raf, lags: m.lags, stale: m.stale, acks: m.acks, span: performance.now() - m.start };
    }),
    /**
     * Scroll to the top, open a frame's detail, search: each timed in the page from the action to its answer
     * on screen. Each round after the first follows the tail again first ("Latest"), so it starts as a user
     * watching the live tail would.
     */
    actions: async () => {
      const out = { scroll: [], detail: [], search: [] };
      for (let round = 0; round < ACTION_ROUNDS; round++) {
        if (round > 0) {
          await page.getByRole('button', { name: /Latest/ }).click();
          await sleep(1000);
        }
        out.scroll.push(await page.evaluate(() => new Promise((resolve) => {
          const list = document.querySelector('.frames-table .vlist');
          performance.mark('action: scroll to the top');
          const t0 = performance.now();
          list.scrollTop = 0;
          list.dispatchEvent(new WheelEvent('wheel', { deltaY: -100, bubbles: true }));
          const check = () => {
            const first = document.querySelector('[data-frame="0"]');
            if (first && first.textContent.includes('t=')) resolve(performance.now() - t0);
            else if (performance.now() - t0 > 10_000) resolve(Infinity);
            else requestAnimationFrame(check);
          };
          check();
        })));
        out.detail.push(await page.evaluate((n) => new Promise((resolve) => {
          const r = document.querySelector(`[data-frame="${n}"]`);
          performance.mark('action: frame detail');
          const t0 = performance.now();
          if (!r) return resolve(Infinity);
          r.dispatchEvent(new MouseEvent('mousedown', { bubbles: true }));
          const check = () => (document.querySelector(`[data-frame-detail="${n}"]`) ? resolve(performance.now() - t0)
            : performance.now() - t0 > 10_000 ? resolve(Infinity) : requestAnimationFrame(check));
          check();
        }), 3 + round));
        const search = page.getByRole('searchbox', { name: 'Search payloads' });
        await search.fill(`n=${5 + 2 * round} `);
        // Timed in the page like the others: from the key to the first hit on screen (checked each frame),
        // not to when Playwright noticed it.
        await page.evaluate(() => {
          window.__searchHit = undefined;
          window.addEventListener('keydown', (e) => {
            if (e.key !== 'Enter') return;
            performance.mark('action: search');
            const t0 = performance.now();
            const check = () => {
              if (document.querySelector('[data-hit]')) window.__searchHit = performance.now() - t0;
              else if (performance.now() - t0 > 30_000) window.__searchHit = Infinity;
              else requestAnimationFrame(check);
            };
            requestAnimationFrame(check);
          }, { capture: true, once: true });
        });
        await search.press('Enter');
        await page.waitForFunction(() => window.__searchHit !== undefined, undefined, { timeout: 35_000 });
        out.search.push(await page.evaluate(() => window.__searchHit));
        await search.press('Escape');
        await page.waitForSelector('[data-frame]');
      }
      return out;
    },
    /**
     * The counts for every connection, by path: the list's model (every connection), and the cells on
     * screen (the rows the list shows; they take counts at a bounded pace). A path the screen does not
     * show reads as the model's.
     */
    counts: () => page.evaluate(() => {
      const model = Object.fromEntries(window.framescope.connections.visibleRows(Date.now()).map((r) => [new URL(r.url).pathname, [r.framesSent, r.framesReceived]]));
      const digits = (cell) => Number((cell?.textContent ?? '').replace(/[^0-9]/g, ''));
      const screen = {};
      for (const row of document.querySelectorAll('.connections-table [data-connection-id]')) {
        const cells = row.querySelectorAll('.td');
        screen[row.querySelector('.url-path')?.textContent ?? ''] = [digits(cells[5]), digits(cells[6])];
      }
      return { model, screen };
    }),
    close: () => page.close(),
  };
}

async function run(loadName, watcherKind, browser) {
  const load = LOADS[loadName];
  const engine = await startEngine();
  const peer = await startPeer(join(ROOT, 'bench', 'support', 'ws-load.mjs'));
  let watcher;
  try {
    const rssIdle = rssOf(engine.pid);
    if (watcherKind === 'headless') watcher = await headlessWatcher(engine.url);
    if (watcherKind === 'ui') watcher = await uiWatcher(browser, engine.url);
    if (process.env.DEBUG_BENCH) console.log(`${loadName}/${watcherKind}: starting the load`);
    await peer.command('start', { proxyPort: engine.proxyPort, ...load });
    if (process.env.DEBUG_BENCH) console.log(`${loadName}/${watcherKind}: load started`);
    if (watcher) await watcher.follow('/load/0');
    await sleep(WARM_MS);
    if (watcher) await watcher.record();
    const stopProfile = watcherKind === 'ui' && PROFILE_DIR ? await recordPage(browser, watcher.page, join(PROFILE_DIR, `live-ui-${loadName}`)) : undefined;
    const before = sumReceived(await peer.command('counts'));
    const t0 = performance.now();
    let rssMax = 0;
    // RSS and frames captured halfway: growth per frame is measured over the second half, once the
    // engine's one-time growth (its young generation reaching full size, compiled code) is behind it.
    let half;
    while (performance.now() - t0 < RUN_MS) {
      await sleep(500);
      rssMax = Math.max(rssMax, rssOf(engine.pid));
      if (!half && performance.now() - t0 >= RUN_MS / 2) half = { rss: rssOf(engine.pid), frames: sumFrames(await peer.command('counts')) };
    }
    const counts = await peer.command('counts');
    const after = sumReceived(counts);
    const seconds = (performance.now() - t0) / 1000;
    const result = { throughput: (after - before) / seconds, rssEnd: rssOf(engine.pid), rssMax, rssIdle };
    result.perFrameSecondHalf = (result.rssEnd - half.rss) / (sumFrames(counts) - half.frames);
    if (stopProfile) result.profile = await stopProfile();
    if (watcherKind === 'ui') {
      const page = await watcher.collect();
      result.lags = page.lags;
      result.stale = page.stale;
      result.ackGaps = page.acks.slice(1).map((t, i) => t - page.acks[i]);
      result.span = page.span;
      result.longTaskShare = page.longTaskMs / page.span;
      result.longTasks = page.longTasks;
      result.rafP95 = pct(page.raf.slice(5), 0.95);
      const stopActionsProfile = PROFILE_DIR ? await recordPage(browser, watcher.page, join(PROFILE_DIR, `live-ui-${loadName}-actions`)) : undefined;
      result.actions = await watcher.actions();
      if (stopActionsProfile) result.profile.push('while the user actions ran:', ...await stopActionsProfile());
    } else if (watcherKind === 'headless') {
      result.lags = [...watcher.lags];
    }
    if (process.env.DEBUG_BENCH) console.log(`${loadName}/${watcherKind}: halting`);
    const halted = performance.now();
    const totals = await peer.command('halt');
    const frames = totals.reduce((s, c) => s + c.sent + c.received, 0);
    result.frames = frames;
    if (watcher) {
      const exact = async () => {
        if (watcherKind === 'ui') {
          const { model, screen } = await watcher.counts();
          const shown = (t, counts) => counts?.[0] === t.sent && counts?.[1] === t.received;
          return totals.every((t) => shown(t, model[t.path]) && (screen[t.path] === undefined || shown(t, screen[t.path])));
        }
        return totals.every((t) => {
          const s = [...watcher.summaries.values()].find((c) => c.url.endsWith(t.path));
          return s?.framesSent === t.sent && s?.framesReceived === t.received;
        });
      };
      while (!(await exact())) {
        if (performance.now() - halted > 30_000) break;
        await sleep(20);
      }
      result.exactAfterStop = (await exact()) ? performance.now() - halted : Infinity;
      if (watcherKind === 'ui' && watcher.errors.length > 0) throw new Error(`page errors: ${watcher.errors.join('; ')}`);
    }
    return result;
  } finally {
    watcher?.close();
    await peer.stop();
    await engine.stop();
  }
}

const verdict = (pass) => (pass ? 'PASS' : 'MISS');
const lagFigures = (lags) => {
  const values = lags.map((l) => l.lag);
  const half = Math.floor(lags.length / 2);
  return {
    p50: pct(values, 0.5), p95: pct(values, 0.95), max: Math.max(...values),
    // Growth: the second half's median against the first's.
    firstHalf: pct(values.slice(0, half), 0.5), secondHalf: pct(values.slice(half), 0.5), samples: values.length,
  };
};

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let misses = 0;
try {
  console.log(`each run: ${WARM_MS / 1000} s warm-up, ${RUN_MS / 1000} s measured; watchers in turn (none, headless, ui), a fresh engine each; a shared 2-core machine: expect noise`);
  for (const name of Object.keys(LOADS).filter((n) => only.includes(n))) {
    const r = {};
    for (const kind of watchers) r[kind] = await run(name, kind, browser);
    const { none, headless, ui } = r;
    const l = LOADS[name];
    console.log(`\nload ${name}: ${l.connections} connections x ${l.everyMs ? `1 message per ${l.everyMs} ms` : `${l.inFlight} in flight`} x ${l.size} B`);
    console.log(`  throughput (echoed messages/s): ${watchers.map((kind) => `${kind} ${r[kind].throughput.toFixed(0)}`).join(', ')}`);
    if (none && ui) {
      const uiRatio = ui.throughput / none.throughput;
      const uiGoal = name === 'C' ? 0.95 : 0.8;
      console.log(`  ${verdict(uiRatio >= uiGoal)}  throughput with the UI / none: ${uiRatio.toFixed(2)}x (goal >= ${uiGoal}x)`);
    }
    if (none && headless) {
      const headlessRatio = headless.throughput / none.throughput;
      console.log(`  ${verdict(headlessRatio >= 0.95)}  throughput with a headless client / none: ${headlessRatio.toFixed(2)}x (goal >= 0.95x)`);
    }
    for (const [who, w] of [['ui', ui], ['headless', headless]]) {
      if (!w) continue;
      const f = lagFigures(w.lags);
      const ok = f.p95 <= 250 && f.max <= 1000;
      console.log(`  ${verdict(ok)}  lag to the ${who === 'ui' ? 'page' : 'client'} p50/p95/max: ${ms(f.p50)} / ${ms(f.p95)} / ${ms(f.max)} over ${f.samples} samples; median first half ${ms(f.firstHalf)}, second half ${ms(f.secondHalf)} (goal p95 <= 250 ms, max <= 1 s)`);
      if (who === 'ui' && !ok) misses++;
      if (who === 'ui') console.log(`        age of the newest row on screen, each animation frame, p50/p95/max: ${ms(pct(w.stale, 0.5))} / ${ms(pct(w.stale, 0.95))} / ${ms(Math.max(...w.stale))} (the lag plus the wait for the next batch)`);
    }
    if (ui) console.log(`  ${verdict(ui.longTaskShare < 0.05 && ui.rafP95 <= 33)}  page: ${(ui.longTaskShare * 100).toFixed(1)}% of the time in ${ui.longTasks} long tasks, rAF p95 ${ms(ui.rafP95)} (goal < 5%, <= 33 ms)`);
    if (ui) console.log(`        batches taken: ${((ui.ackGaps.length + 1) / (ui.span / 1000)).toFixed(1)}/s, apart p50/p95/max ${ms(pct(ui.ackGaps, 0.5))} / ${ms(pct(ui.ackGaps, 0.95))} / ${ms(Math.max(...ui.ackGaps))}`);
    if (none && ui) {
      const rssRatio = ui.rssEnd / none.rssEnd;
      console.log(`  ${verdict(Math.abs(rssRatio - 1) <= 0.1)}  engine RSS at the end: ${watchers.map((kind) => `${kind} ${mb(r[kind].rssEnd)}`).join(', ')} (ui/none ${rssRatio.toFixed(2)}; goal within 10%); idle before the load ${mb(none.rssIdle)}`);
    }
    if (none) console.log(`  ${verdict(none.perFrameSecondHalf <= 64)}  RSS growth per captured frame (no UI) over the run's second half: ${none.perFrameSecondHalf.toFixed(0)} B; from idle, with the one-time growth: ${((none.rssEnd - none.rssIdle) / none.frames).toFixed(0)} B over ${none.frames.toLocaleString('en')} frames (goal <= 64 B/frame; the store's index is about 60)`);
    if (ui || headless) console.log(`  ${verdict((ui ?? headless).exactAfterStop <= 1000 && (headless ?? ui).exactAfterStop <= 1000)}  counts exact after the load stopped: ${[['ui', ui], ['headless', headless]].filter(([, w]) => w).map(([who, w]) => `${who} ${ms(w.exactAfterStop)}`).join(', ')} (goal <= 1 s)`);
    if (ui) {
      const a = ui.actions;
      const worst = Math.max(...Object.values(a).flat());
      const figures = Object.entries(a).map(([action, times]) => `${ACTION_NAMES[action]} ${times.map(ms).join(', ')}`).join('; ');
      console.log(`  ${verdict(worst <= 100)}  user actions under load, ${ACTION_ROUNDS} rounds: ${figures} (goal <= 100 ms each)`);
      if (ui.profile) console.log(ui.profile.map((line) => `    ${line}`).join('\n'));
    }
  }
} finally {
  await browser.close();
}
console.log(misses === 0 ? '\nlag goals met' : '\nsome goals missed (see MISS lines)');
