// While another session is browsed, the live session keeps recording: the engine tells the UI how
// many connections it opened since the view left it (the 'live' event), and 0 once it is browsed again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { WebSocket } from 'ws';
import { opened, startWsServer, wsViaAbsoluteForm } from '../support/peers.js';
import { startTestEngine, type TestEngine } from '../support/engine.js';
import { importOverApi } from '../support/har-jobs.js';
import type { ControlEvent } from '../../src/control/api-types.js';

const CHROME_HAR = new URL('../capture/fixtures/chrome.har', import.meta.url).pathname;
type LiveEvent = Extract<ControlEvent, { kind: 'live' }>;

describe('live activity while another session is browsed', () => {
  let t: TestEngine;
  let server: Awaited<ReturnType<typeof startWsServer>>;
  const clients: WebSocket[] = [];
  const liveEvents = () => t.api.events.filter((e): e is LiveEvent => e.kind === 'live');

  beforeAll(async () => {
    t = await startTestEngine({}, 'live');
    server = await startWsServer();
  });
  afterAll(async () => {
    for (const ws of clients) ws.terminate();
    await t.close();
    await server.close();
  });

  const connect = async (path: string) => {
    const ws = wsViaAbsoluteForm(t.proxyPort, `ws://127.0.0.1:${server.port}${path}`);
    clients.push(ws);
    await opened(ws);
  };

  it('says nothing while the live session is the one browsed', async () => {
    await connect('/while-live');
    await t.api.waitForEvent((e) => e.kind === 'connection' && e.connection.url.endsWith('/while-live'));
    expect(liveEvents()).toEqual([]);
  });

  it('counts the connections the live session opens while an imported session is browsed', async () => {
    const imported = await importOverApi(t.api, readFileSync(CHROME_HAR, 'utf8'), 'chrome');
    expect(imported.session).toMatchObject({ name: 'chrome', live: false });
    await t.api.waitForEvent((e) => e.kind === 'live' && e.newConnections === 0);
    await connect('/unseen-1');
    expect(await t.api.waitForEvent((e) => e.kind === 'live' && e.newConnections === 1)).toEqual({ kind: 'live', name: 'live', newConnections: 1 });
    await connect('/unseen-2');
    await connect('/unseen-3');
    await t.api.waitForEvent((e) => e.kind === 'live' && e.newConnections === 3);
    // The browsed session's list does not grow with live traffic.
    expect((await t.api.call('listConnections', {})).some((c) => c.url.includes('/unseen'))).toBe(false);
  });

  it('starts again from 0 when the live session is browsed again', async () => {
    const before = liveEvents().length;
    await t.api.call('openSession', { name: 'live' });
    const back = await t.api.waitForEvent((e) => e.kind === 'live' && liveEvents().indexOf(e as LiveEvent) >= before);
    expect(back).toEqual({ kind: 'live', name: 'live', newConnections: 0 });
    expect((await t.api.call('listConnections', {})).filter((c) => c.url.includes('/unseen')).length).toBe(3);
  });
});
