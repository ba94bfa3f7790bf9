// Where a page's main thread spends its time, for the live UI bench: a Chromium trace (style, layout,
// paint, script by event) and a V8 CPU profile of the page (script by function), both summarized as
// self time. Recorded over a span of a run the bench already measures, so the figures name the cost
// behind its long tasks and slow animation frames.
import { readFileSync, writeFileSync } from 'node:fs';

const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink', 'blink.user_timing', 'cc', 'gpu', 'toplevel'];

/**
 * Starts recording the page; the returned stop() writes `${prefix}.trace.json` and `${prefix}.cpuprofile`
 * and resolves to the summary lines.
 * @param {import('playwright-core').Browser} browser
 * @param {import('playwright-core').Page} page
 * @param {string} prefix path prefix of the files written
 */
export async function recordPage(browser, page, prefix) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
  await browser.startTracing(page, { path: `${prefix}.trace.json`, categories: CATEGORIES });
  await cdp.send('Profiler.start');
  const started = Date.now();
  return async (top = 25) => {
    const { profile } = await cdp.send('Profiler.stop');
    await browser.stopTracing();
    await cdp.detach();
    writeFileSync(`${prefix}.cpuprofile`, JSON.stringify(profile));
    const span = Date.now() - started;
    return [
      `page profile over ${(span / 1000).toFixed(1)} s (${prefix}.trace.json, ${prefix}.cpuprofile)`,
      ...summarizeTrace(JSON.parse(readFileSync(`${prefix}.trace.json`, 'utf8')), span, top),
      ...summarizeProfile(profile, top),
    ];
  };
}

/** Self time by event name on the renderer's main thread (the busiest CrRendererMain). */
export function summarizeTrace(trace, spanMs, top) {
  const events = trace.traceEvents ?? trace;
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`);
  const byThread = new Map(mains.map((k) => [k, []]));
  for (const e of events) {
    if (e.ph !== 'X' || typeof e.dur !== 'number') continue;
    byThread.get(`${e.pid}:${e.tid}`)?.push(e);
  }
  const [, main] = [...byThread.entries()].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
  if (!main) return ['trace: no renderer main thread found'];
  main.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const self = new Map();
  const count = new Map();
  /** @type {{ end: number, name: string }[]} */
  const stack = [];
  let busy = 0;
  for (const e of main) {
    while (stack.length > 0 && stack.at(-1).end <= e.ts) stack.pop();
    const parent = stack.at(-1);
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - e.dur);
    else busy += e.dur;
    self.set(e.name, (self.get(e.name) ?? 0) + e.dur);
    count.set(e.name, (count.get(e.name) ?? 0) + 1);
    stack.push({ end: e.ts + e.dur, name: e.name });
  }
  const tasks = main.filter((e) => e.name === 'RunTask');
  const long = tasks.filter((e) => e.dur > 50_000);
  return [
    `main thread busy ${(busy / 1000).toFixed(0)} ms of ${spanMs} ms (${((busy / 1000 / spanMs) * 100).toFixed(1)}%); ${tasks.length} tasks, ${long.length} over 50 ms (${(long.reduce((s, e) => s + e.dur, 0) / 1000).toFixed(0)} ms); self time by trace event:`,
    ...[...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([name, micros]) => `  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${String(count.get(name)).padStart(6)}x  ${name}`),
  ];
}

/** Self time by function of a V8 CPU profile (Profiler.stop's answer). */
export function summarizeProfile(profile, top) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map();
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber, columnNumber } = nodes.get(id).callFrame;
    const file = url ? url.replace(/^.*\//, '') : '';
    const key = `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}:${columnNumber + 1}` : ''}`;
    selfMicros.set(key, (selfMicros.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  selfMicros.delete('(idle)');
  const busy = [...selfMicros.values()].reduce((s, v) => s + v, 0);
  return [
    `script and the rest, by function (self time, ${(busy / 1000).toFixed(0)} ms not idle):`,
    ...[...selfMicros.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([key, micros]) => `  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${key}`),
  ];
}
