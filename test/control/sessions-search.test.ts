// searchSessions over the control API: every connection of several sessions (saved ones opened in
// turn, the live one as it records), hits streamed with their session and URL, a hit limit that
// stops the search and says so, and bad queries refused before anything runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWsServer, converseThrough } from '../support/peers.js';
import { startTestEngine, type TestEngine } from '../support/engine.js';
import type { ControlEvent, SessionSearchHit } from '../../src/control/api-types.js';

type Done = Extract<ControlEvent, { kind: 'sessions-search-done' }>;

describe('search across sessions', () => {
  let t: TestEngine;
  let server: Awaited<ReturnType<typeof startWsServer>>;

  async function converse(path: string, texts: string[]): Promise<void> {
    await converseThrough(t.proxyPort, `ws://127.0.0.1:${server.port}${path}`, texts);
    await t.api.waitForEvent((e) => e.kind === 'connection' && e.connection.url.endsWith(path) && e.connection.state === 'closed');
  }

  /** Runs a search to its end: its hits in the order they came, and its done event. */
  async function search(params: Parameters<typeof t.api.call<'searchSessions'>>[1]): Promise<{ hits: SessionSearchHit[]; done: Done; sessions: string[] }> {
    const { searchId, sessions } = await t.api.call('searchSessions', params);
    const done = await t.api.waitForEvent((e): e is Done => e.kind === 'sessions-search-done' && e.searchId === searchId);
    const hits = t.api.events.flatMap((e) => (e.kind === 'sessions-search-hits' && e.searchId === searchId ? e.hits : []));
    return { hits, done, sessions };
  }

  beforeAll(async () => {
    t = await startTestEngine({}, 'one');
    server = await startWsServer();
    server.wss.on('connection', (ws) => ws.on('message', () => ws.send('ok')));
    await converse('/first', ['needle in one', 'hay']);
    await t.api.call('newSession', { name: 'two' });
    await converse('/second', ['hay', 'NEEDLE in two']);
    await converse('/third', ['needle again']);
    await t.api.call('newSession', { name: 'three' });
    await converse('/live', ['a live needle']);
  });
  afterAll(async () => {
    await t.close();
    await server.close();
  });

  it('finds the matches of every saved session and the live one, each with its session and URL', async () => {
    const { hits, done, sessions } = await search({ sessions: 'all', filter: { text: 'needle', flags: 'i' } });
    expect([...sessions].sort()).toEqual(['one', 'three', 'two']);
    expect(hits.map((h) => [h.session, h.url.replace(/^.*\//, '/'), h.direction, h.message, h.snippet]).sort()).toEqual([
      ['one', '/first', 'send', 0, 'needle in one'],
      ['three', '/live', 'send', 0, 'a live needle'],
      ['two', '/second', 'send', 2, 'NEEDLE in two'],
      ['two', '/third', 'send', 0, 'needle again'],
    ]);
    expect(done).toMatchObject({ sessions: 3, hits: 4, limited: false, cancelled: false, problems: [] });
    // 12 data messages and the 8 close frames (lone frames) of 4 connections.
    expect(done.scanned).toBe(20);
  });

  it('searches only the sessions named, with the filter\'s direction and case', async () => {
    const { hits, done } = await search({ sessions: ['two'], filter: { text: 'needle' } });
    expect(hits.map((h) => [h.session, h.snippet])).toEqual([['two', 'needle again']]);
    expect(done.sessions).toBe(1);
    const answers = await search({ sessions: ['one', 'two'], filter: { direction: 'receive', regex: '^ok$' } });
    expect(answers.hits.map((h) => [h.session, h.direction])).toEqual([['one', 'receive'], ['one', 'receive'], ['two', 'receive'], ['two', 'receive'], ['two', 'receive']]);
  });

  it('stops at the hit limit and says the results are limited', async () => {
    const { hits, done } = await search({ sessions: 'all', filter: { text: 'ok' }, maxHits: 3 });
    expect(hits.length).toBe(3);
    expect(done).toMatchObject({ hits: 3, limited: true, cancelled: false });
  });

  it('refuses a bad pattern, an unknown session or a bad limit before searching', async () => {
    await expect(t.api.call('searchSessions', { sessions: 'all', filter: { regex: '(' } })).rejects.toThrow(/^filter regex does not compile: Invalid regular expression/);
    await expect(t.api.call('searchSessions', { sessions: ['nope'], filter: { text: 'x' } })).rejects.toThrow('there is no session named "nope"');
    await expect(t.api.call('searchSessions', { sessions: 'all', filter: { text: 'x' }, maxHits: 0 })).rejects.toThrow('maxHits must be from 1 to 10000');
  });
});
