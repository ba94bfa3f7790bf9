// A UI gets what it shows: it subscribes to a connection's frame list (a window of rows, the tail or
// not, a filter) and the engine sends that window's changed rows and every connection's counts,
// coalesced. A UI that reads slowly is sent nothing until it catches up, and then the state of that
// moment, never a backlog; its requests are answered at once whatever waits for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Socket } from 'node:net';
import { startTestEngine, type TestEngine } from '../support/engine.js';
import { startLoadProcess, type LoadProcess } from '../support/load-process.js';
import { HIGH_WATER, MAX_WINDOW } from '../../src/control/event-batcher.js';
import { COUNT_FIELDS } from '../../src/control/api-types.js';
import type { ConnectionSummary, ControlCommands, ControlEvent, ControlMethod, ControlServerMessage, FrameWindow } from '../../src/control/api-types.js';

type FramesEvent = Extract<ControlEvent, { kind: 'frames' }>;

/** A control client that sees every message as it arrives, and can stop reading its socket. */
class RawClient {
  readonly batches: { batch: number; events: ControlEvent[] }[] = [];
  bytesRead = 0;
  private nextId = 1;
  private readonly pending = new Map<number, (m: ControlServerMessage) => void>();
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.bytesRead += data.length;
      const m = JSON.parse(data.toString()) as ControlServerMessage;
      if (m.type === 'events') this.batches.push({ batch: m.batch, events: m.events });
      else this.pending.get(m.id)?.(m);
    });
  }
  static async open(t: TestEngine): Promise<RawClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${t.control.port}/control?token=${t.control.token}`);
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    return new RawClient(ws);
  }
  call<M extends ControlMethod>(method: M, params: ControlCommands[M]['params']): Promise<ControlCommands[M]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (m) => ('error' in m ? reject(new Error(m.error.message)) : resolve((m as { result: ControlCommands[M]['result'] }).result)));
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }
  get events(): ControlEvent[] {
    return this.batches.flatMap((b) => b.events);
  }
  frames(): FramesEvent[] {
    return this.events.filter((e): e is FramesEvent => e.kind === 'frames');
  }
  /** The newest summary of each connection this client was sent, with the newest counts it was sent for it. */
  counts(): Map<number, ConnectionSummary> {
    const latest = new Map<number, ConnectionSummary>();
    for (const e of this.events) {
      if (e.kind === 'connection') latest.set(e.connection.id, e.connection);
      if (e.kind !== 'counts') continue;
      // Its id, then its counts in COUNT_FIELDS order.
      for (let at = 0; at < e.counts.length; at += 1 + COUNT_FIELDS.length) {
        const id = e.counts[at]!;
        const counts = Object.fromEntries(COUNT_FIELDS.map((field, i) => [field, e.counts[at + 1 + i]!]));
        latest.set(id, { ...latest.get(id)!, ...counts });
      }
    }
    return latest;
  }
  get socket(): Socket {
    return (this.ws as unknown as { _socket: Socket })._socket;
  }
  close(): void {
    this.ws.terminate();
  }
}

async function until(condition: () => boolean | Promise<boolean>, what: string, limitMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function idOf(t: TestEngine, path: string): Promise<number> {
  let id: number | undefined;
  await until(async () => {
    id = (await t.api.call('listConnections', {})).find((c) => c.url.endsWith(path))?.id;
    return id !== undefined;
  }, `connection ${path}`);
  return id!;
}

describe('live subscriptions', () => {
  let t: TestEngine;
  let load: LoadProcess;

  beforeAll(async () => {
    t = await startTestEngine();
    load = await startLoadProcess();
  });
  afterAll(async () => {
    await load?.stop();
    await t?.close();
  });

  it('sends a followed list its newest rows and counts, exact once traffic stops; no rows of other connections', { timeout: 60_000 }, async () => {
    const follower = await RawClient.open(t);
    const filtered = await RawClient.open(t);
    const first = (await load.start({ proxyPort: t.proxyPort, connections: 2, inFlight: 4, size: 64 })).connections - 2;
    const id = await idOf(t, `/load/${first}`);
    const subscribed = await follower.call('subscribe', { connectionId: id, start: 0, end: 40, follow: true, tag: 7 });
    expect(subscribed.window).toMatchObject({ connectionId: id, tag: 7 });
    await filtered.call('subscribe', { connectionId: id, start: 0, end: 30, follow: true, filter: { direction: 'receive' } });
    await until(() => follower.frames().length >= 3 && filtered.frames().length >= 3, 'live rows');
    await load.halt();

    const final = (await t.api.call('listConnections', {})).find((c) => c.id === id)!;
    const total = final.frameCount;
    await until(() => follower.frames().at(-1)?.total === total, 'the final count in a frames event');
    const last = follower.frames().at(-1)!;
    const expected = await t.api.call('queryFrames', { connectionId: id, start: total - 40, end: total });
    // The newest 40 rows, once each: the last event carries the ones not sent before it.
    expect(last.start + last.frames.length).toBe(total);
    expect(last.frames).toEqual(expected.frames.slice(expected.frames.length - last.frames.length));
    expect(follower.frames().every((e) => e.connectionId === id && e.tag === 7)).toBe(true);
    await until(() => follower.counts().get(id)?.frameCount === total, 'the final summary');
    expect(follower.counts().get(id)).toEqual(final);
    // Its counts came as numbers in 'counts' events; a whole summary only when its state changed.
    const countsEvents = follower.events.filter((e) => e.kind === 'counts' && e.counts.some((v, i) => i % (1 + COUNT_FIELDS.length) === 0 && v === id));
    expect(countsEvents.length).toBeGreaterThan(1);
    // A whole summary comes when the connection opens or its record changes (and again to a UI that starts
    // watching), never for counts alone: a handful, against a counts event per tick while traffic flows.
    const states = follower.events.flatMap((e) => (e.kind === 'connection' && e.connection.id === id ? [e.connection.state] : []));
    expect(states.length).toBeGreaterThan(0);
    expect(states.length).toBeLessThanOrEqual(4);
    expect(countsEvents.length).toBeGreaterThan(states.length);

    const received = final.framesReceived;
    await until(() => filtered.frames().at(-1)?.total === received, 'the filtered count');
    const lastFiltered = filtered.frames().at(-1)!;
    const expectedFiltered = await t.api.call('queryFrames', { connectionId: id, start: received - 30, end: received, filter: { direction: 'receive' } });
    expect(lastFiltered.start + lastFiltered.frames.length).toBe(received);
    expect(lastFiltered.frames).toEqual(expectedFiltered.frames.slice(expectedFiltered.frames.length - lastFiltered.frames.length));
    expect(filtered.frames().flatMap((e) => e.frames).every((f) => f.direction === 'receive')).toBe(true);
    follower.close();
    filtered.close();
  });

  it('holds a slow reader\'s batches within a bound, then sends it the current counts and tail, not the backlog', { timeout: 60_000 }, async () => {
    const slow = await RawClient.open(t);
    const first = (await load.start({ proxyPort: t.proxyPort, connections: 10, inFlight: 8, size: 64 })).connections - 10;
    const id = await idOf(t, `/load/${first}`);
    await slow.call('subscribe', { connectionId: id, start: 0, end: MAX_WINDOW, follow: true });
    await until(() => slow.frames().length > 0, 'the first rows');
    slow.socket.pause();
    const index = t.control.backlog().length - 1;
    let maxBuffered = 0;
    let maxQueued = 0;
    const sampler = setInterval(() => {
      const b = t.control.backlog()[index];
      if (!b) return;
      maxBuffered = Math.max(maxBuffered, b.bufferedBytes);
      maxQueued = Math.max(maxQueued, b.queuedEvents);
    }, 5);
    // The kernel's buffers fill, then the engine holds batches back: many of them, under load.
    const heldAtPause = t.control.backlog()[index]!.heldBack;
    await until(() => t.control.backlog()[index]!.heldBack > heldAtPause + 100, 'batches held back');
    const totals = await load.halt();
    clearInterval(sampler);
    // What a batch can hold beyond the high-water mark: every connection's summary and a window of rows.
    expect(maxBuffered).toBeLessThanOrEqual(HIGH_WATER + 512 * 1024);
    // Coalesced: a summary per connection of this session and a few snapshots, whatever the traffic was.
    expect(maxQueued).toBeLessThanOrEqual(40);

    const summaries = await t.api.call('listConnections', {});
    const final = summaries.find((c) => c.id === id)!;
    // Every message went through the proxy and back: 2 frames each, the numbers are the load's own.
    const mine = totals.find((l) => final.url.endsWith(l.path))!;
    expect(final.frameCount).toBe(mine.sent + mine.received);
    const readBeforeResume = slow.bytesRead;
    slow.socket.resume();
    await until(() => slow.frames().at(-1)?.total === final.frameCount, 'the current tail after resuming');
    const last = slow.frames().at(-1)!;
    const expected = await t.api.call('queryFrames', { connectionId: id, start: final.frameCount - MAX_WINDOW, end: final.frameCount });
    expect(last.start + last.frames.length).toBe(final.frameCount);
    expect(last.frames).toEqual(expected.frames.slice(expected.frames.length - last.frames.length));
    // Each connection of the load changed while it was paused: its newest summary, exact.
    const mineTen = totals.slice(first).map((l) => l.path);
    const loaded = summaries.filter((s) => mineTen.some((path) => s.url.endsWith(path)));
    expect(loaded.length).toBe(10);
    await until(() => loaded.every((s) => slow.counts().get(s.id)?.frameCount === s.frameCount), 'every connection\'s current counts');
    for (const s of loaded) expect(slow.counts().get(s.id)).toEqual(s);
    // The batch numbers run on without a gap: nothing was sent and lost, the held ones were never made.
    const numbers = slow.batches.map((b) => b.batch);
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
    // After resuming it read what the socket held and the batches of that moment, not the traffic's rows.
    expect(slow.bytesRead - readBeforeResume).toBeLessThan(16 * 1024 * 1024);
    slow.close();
  });

  it('answers a paced client\'s requests while its next batch waits for its acknowledgement', { timeout: 60_000 }, async () => {
    const paced = await RawClient.open(t);
    const first = (await load.start({ proxyPort: t.proxyPort, connections: 1, inFlight: 2, size: 64 })).connections - 1;
    const id = await idOf(t, `/load/${first}`);
    await paced.call('subscribe', { connectionId: id, start: 0, end: 20, follow: true, paced: true });
    await until(() => paced.frames().length > 0, 'the first rows');
    const index = t.control.backlog().length - 1;
    const held = t.control.backlog()[index]!.heldBack;
    await until(() => t.control.backlog()[index]!.heldBack > held + 5, 'batches held for the acknowledgement');
    const sent = paced.batches.length;
    // Requests are answered at once: listConnections comes back while no further batch was sent.
    const list = await paced.call('listConnections', {});
    expect(list.some((c) => c.id === id)).toBe(true);
    expect(paced.batches.length).toBe(sent);
    // Events that answer its own request do not wait: a search's hits come before the acknowledgement.
    const { searchId } = await paced.call('search', { connectionId: id, filter: { text: `c=${first} n=1 ` } });
    await until(() => paced.events.some((e) => e.kind === 'search-done' && e.searchId === searchId), 'the search\'s answer');
    const answers = paced.batches.slice(sent).flatMap((b) => b.events);
    expect(answers.every((e) => e.kind === 'search-hits' || e.kind === 'search-done')).toBe(true);
    const hits = answers.flatMap((e) => (e.kind === 'search-hits' ? e.hits : []));
    // The message and its echo.
    expect(hits.map((h) => [h.connectionId, h.direction, h.snippet.includes(`c=${first} n=1 `)])).toEqual([[id, 'send', true], [id, 'receive', true]]);
    const before = paced.batches.length;
    await paced.call('ackEvents', { batch: paced.batches.at(-1)!.batch });
    await until(() => paced.batches.length === before + 1, 'the next batch after the acknowledgement');
    expect(paced.batches[before]!.batch).toBe(paced.batches[before - 1]!.batch + 1);
    const rows = paced.batches[before]!.events.filter((e): e is FramesEvent => e.kind === 'frames');
    expect(rows.length).toBe(1);
    expect(rows[0]!.frames.length).toBeLessThanOrEqual(20);
    await load.halt();
    paced.close();
  });

  it('refuses a subscription with positions that are not a range', async () => {
    await expect(t.api.call('subscribe', { connectionId: 1, start: 5, end: 2, follow: false })).rejects.toThrow('start and end must be list positions, start ≤ end');
    expect(await t.api.call('subscribe', { connectionId: null, start: 0, end: 0, follow: false })).toEqual({ window: null });
  });
});

export type { FrameWindow };
