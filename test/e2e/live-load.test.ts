// The UI under sustained live traffic: a load process keeps messages in flight through the proxy on
// several connections while the page follows one of them. The newest frame keeps appearing (the page
// is sent the tail it shows, paced to what it applies, not every frame), requests are answered during
// the load, and once the load stops the counts and the last rows are exact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { CHROMIUM } from '../support/chromium.js';
import { startLoadProcess, type LoadProcess, type LoadTotals } from '../support/load-process.js';
import { poll, useUiSuite } from './support/ui-suite.js';
import { COUNTS_RENDER_MS, FOLLOW_MARGIN, MAX_BATCH_MS, MIN_BATCH_MS } from '../../renderer/src/model/live-pace.js';

const digits = (text: string | null) => Number((text ?? '').replace(/[^0-9]/g, ''));
/** How far short of a spacing the page keeps its socket may see it (see where it is used), ms. */
const SLACK_MS = 10;

describe.runIf(existsSync(CHROMIUM))('the live view under load', () => {
  const ui = useUiSuite();
  let load: LoadProcess;
  let totals: LoadTotals[] | undefined;

  beforeAll(async () => {
    load = await startLoadProcess();
  });
  afterAll(async () => {
    await load?.stop();
  });

  const connectionRow = (path: string) => ui.page.locator('[data-connection-id]').filter({ hasText: `${path}` }).filter({ hasNotText: `${path}0` });
  /** The highest message number of connection c among the timeline's rows on screen. */
  const newestShown = (c: number) => ui.page.evaluate<number>(`(() => {
    let newest = -1;
    for (const row of document.querySelectorAll('[data-frame]')) {
      const m = /c=${c} n=(\\d+)/.exec(row.textContent ?? '');
      if (m) newest = Math.max(newest, Number(m[1]));
    }
    return newest;
  })()`);
  /** The highest frame number among the timeline's rows on screen. */
  const lastFrameShown = () => ui.page.evaluate<number>(`Math.max(...[...document.querySelectorAll('[data-frame]')].map((r) => Number(r.getAttribute('data-frame'))))`);

  it('keeps showing the newest frame of the followed connection while the load runs', { timeout: 90_000 }, async () => {
    await load.start({ proxyPort: ui.app.proxyPort, connections: 6, inFlight: 8, size: 64 });
    await connectionRow('/load/0').first().waitFor();
    await connectionRow('/load/0').first().dispatchEvent('mousedown');
    await ui.page.getByRole('tab', { name: 'Frames' }).click();
    // Three times over: a message sent after the previous one showed, shows too. Never a timed assertion:
    // each waits until the page caught up with what the load had sent when it was asked.
    for (let round = 0; round < 3; round++) {
      const sent = (await load.counts())[0]!.sent;
      await poll(() => newestShown(0)).toBeGreaterThanOrEqual(sent - 1);
    }
    // The list says how fast rows come.
    await poll(() => ui.page.getByRole('status', { name: 'Live rate' }).textContent()).toMatch(/^[\d,]+ frames\/s$/);
    // A request during the load is answered: another connection's handshake tab shows its request.
    await connectionRow('/load/3').first().dispatchEvent('mousedown');
    await ui.page.getByRole('tab', { name: 'Handshake' }).click();
    await ui.page.getByText('GET', { exact: false }).first().waitFor();
    await connectionRow('/load/0').first().dispatchEvent('mousedown');
    await ui.page.getByRole('tab', { name: 'Frames' }).click();
    const sent = (await load.counts())[0]!.sent;
    await poll(() => newestShown(0)).toBeGreaterThanOrEqual(sent - 1);
    // Scrolling to the top while following stops following and shows the first rows, under load.
    await ui.page.locator('.frames-table .vlist').evaluate((el) => { el.scrollTop = 0; });
    await ui.page.locator('[data-frame="0"]').waitFor();
    expect(await ui.page.locator('[data-frame="0"]').textContent()).toContain('c=0 n=0 ');
    await ui.page.getByRole('button', { name: /Latest/ }).click();
    const later = (await load.counts())[0]!.sent;
    await poll(() => newestShown(0)).toBeGreaterThanOrEqual(later - 1);

    // A scroll landing in the same animation frame as the list's own follow scroll is the user's: the
    // browser fires one scroll event for both. Held at a known point, not timed: the observer runs in the
    // microtask right after the commit that grew the list and pinned it to its end, before the browser
    // can render (and fire that scroll event), and moves the list to the top there.
    await poll(() => ui.page.getByRole('button', { name: /Latest/ }).count()).toBe(0);
    const grownTo = await ui.page.evaluate<number>(`new Promise((resolve) => {
      const list = document.querySelector('.frames-table .vlist');
      const observer = new MutationObserver((records) => {
        const count = Number(list.getAttribute('aria-rowcount'));
        const grew = records.some((r) => Number(r.oldValue) < count);
        if (!grew || Math.abs(list.scrollTop - (list.scrollHeight - list.clientHeight)) >= 1) return;
        observer.disconnect();
        list.scrollTop = 0;
        resolve(count);
      });
      observer.observe(list, { attributes: true, attributeFilter: ['aria-rowcount'], attributeOldValue: true });
    })`);
    // Following stopped, and the list stays at the top while rows keep arriving.
    await ui.page.getByRole('button', { name: /Latest/ }).waitFor();
    await poll(() => ui.page.locator('.frames-table .vlist').getAttribute('aria-rowcount').then(Number)).toBeGreaterThan(grownTo);
    await ui.page.locator('[data-frame="0"]').waitFor();
    expect(await ui.page.evaluate<number>(`document.querySelector('.frames-table .vlist').scrollTop`)).toBe(0);
    await ui.page.getByRole('button', { name: /Latest/ }).click();
    const latest = (await load.counts())[0]!.sent;
    await poll(() => newestShown(0)).toBeGreaterThanOrEqual(latest - 1);
  });

  it('asks the engine only for the rows in view and for a batch at a bounded pace while it follows, and the list of connections hears of counts at a bounded pace', { timeout: 60_000 }, async () => {
    // What the page sends and receives, seen at its WebSocket and its control client. The bounds below are
    // spacings the page itself keeps (its own timers), not how fast this machine is.
    await ui.page.evaluate(`(() => {
      const sent = window.__sent = [];
      const send = WebSocket.prototype.send;
      WebSocket.prototype.send = function (data) {
        try {
          const m = JSON.parse(String(data));
          sent.push({ at: performance.now(), method: m.method, params: m.params });
        } catch {}
        return send.call(this, data);
      };
      const windows = window.__windows = [];
      window.framescope.client.onEvents((events) => {
        for (const e of events) if (e.kind === 'frames') windows.push({ frames: e.frames.length, rows: document.querySelectorAll('.frames-table [data-frame]').length });
      });
      const shown = window.__countsShown = [];
      window.framescope.connections.subscribe(() => shown.push(performance.now()));
    })()`);
    const acks = () => ui.page.evaluate<number[]>(`window.__sent.filter((s) => s.method === 'ackEvents').map((s) => s.at)`);
    await poll(async () => (await acks()).length).toBeGreaterThanOrEqual(8);
    await poll(() => ui.page.evaluate<number>('window.__countsShown.length')).toBeGreaterThanOrEqual(4);
    const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);
    // Seen at the socket or a store's listener, a few code steps after the page's timer fired: each may
    // lag its timer by a little (a garbage collection), so a spacing may look up to SLACK_MS short.
    // Each batch is acknowledged (and so asked for) at least MIN_BATCH_MS after the one before: the list
    // renders a fast tail a handful of times a second, not once per engine tick (50 ms).
    expect(Math.min(...gaps(await acks()))).toBeGreaterThanOrEqual(MIN_BATCH_MS - SLACK_MS);
    // Counts alone reach the connections list (and the status bar) at least COUNTS_RENDER_MS apart.
    expect(Math.min(...gaps(await ui.page.evaluate<number[]>('window.__countsShown')))).toBeGreaterThanOrEqual(COUNTS_RENDER_MS - SLACK_MS);
    // The followed tail's window is the rows on screen and a few more, not the list's overscan of 64 each way.
    // Counted against the rows the list shows when the batch comes; a batch that comes before the list has
    // drawn any row (the first, as following starts) has nothing to be counted against.
    const windows = (await ui.page.evaluate<{ frames: number; rows: number }[]>('window.__windows')).filter((w) => w.rows > 0);
    expect(windows.length).toBeGreaterThan(0);
    for (const w of windows) expect(w.frames).toBeLessThanOrEqual(w.rows + FOLLOW_MARGIN);
    expect(await ui.page.getByRole('status', { name: 'Live rate' }).textContent()).toMatch(/^[\d,]+ frames\/s$/);
  });

  it('asks for batches less often while the page renders them slowly, up to MAX_BATCH_MS apart', { timeout: 60_000 }, async () => {
    // Rendering made slow on purpose: each change of the frame list costs 40 ms more, so ten times the
    // rendering (400 ms) is past the bound and every acknowledgement waits MAX_BATCH_MS after the last.
    const from = await ui.page.evaluate<number>(`(() => {
      window.__unslow = window.framescope.frames.subscribe(() => {
        const until = performance.now() + 40;
        while (performance.now() < until);
      });
      return window.__sent.length;
    })()`);
    // The first acknowledgement after that may be of a batch rendered before: counted from the one after it.
    const acks = () => ui.page.evaluate<number[]>(`window.__sent.slice(${from}).filter((s) => s.method === 'ackEvents').map((s) => s.at)`);
    await poll(async () => (await acks()).length).toBeGreaterThanOrEqual(6);
    await ui.page.evaluate('window.__unslow()');
    const times = (await acks()).slice(1);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // (Seen at the socket, as above.)
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(MAX_BATCH_MS - SLACK_MS);
    // The tail still shows the newest frames.
    const sent = (await load.counts())[0]!.sent;
    await poll(() => newestShown(0)).toBeGreaterThanOrEqual(sent - 1);
  });

  it('asks for the detail of a clicked frame at once, under load', { timeout: 60_000 }, async () => {
    // Sent within the click's own event: no wait (the wait that spares the engine key repeat is for
    // selections in quick succession).
    const asked = await ui.page.evaluate<{ number: number; asked: number[] }>(`(() => {
      const row = document.querySelector('.frames-table [data-frame]');
      const number = Number(row.getAttribute('data-frame'));
      const before = window.__sent.length;
      row.dispatchEvent(new MouseEvent('mousedown', { bubbles: true }));
      return { number, asked: window.__sent.slice(before).filter((s) => s.method === 'getFrame').map((s) => s.params.number) };
    })()`);
    expect(asked.asked).toEqual([asked.number]);
    await ui.page.locator(`[data-frame-detail="${asked.number}"]`).waitFor();
    // Opening a frame stopped nothing: the tail goes on.
    const sent = (await load.counts())[0]!.sent;
    await poll(() => newestShown(0)).toBeGreaterThanOrEqual(sent - 1);
  });

  it('shows exact counts and the last rows once the load stops', { timeout: 60_000 }, async () => {
    totals = await load.halt();
    for (const t of totals) {
      // Frames sent (client to server) and received (the echoes), as the list's columns show them.
      await poll(async () => [digits(await connectionRow(t.path).first().locator('.td').nth(5).textContent()), digits(await connectionRow(t.path).first().locator('.td').nth(6).textContent())])
        .toEqual([t.sent, t.received]);
    }
    const mine = totals[0]!;
    // The last frame is the echo of the last message: number sent + received − 1.
    await poll(lastFrameShown).toBe(mine.sent + mine.received - 1);
    expect(await newestShown(0)).toBe(mine.sent - 1);
    const last = ui.page.locator(`[data-frame="${mine.sent + mine.received - 1}"]`);
    expect(await last.textContent()).toContain(`c=0 n=${mine.sent - 1} `);
    expect(ui.errors).toEqual([]);
  });
});
