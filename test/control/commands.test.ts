// The control API's reading and session commands, over the real control socket, on traffic from
// real ws peers through the engine's proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { startWsServer, wsViaAbsoluteForm, opened, nextMessage, closed } from '../support/peers.js';
import { startTestEngine, type TestEngine } from '../support/engine.js';
import { harProblems } from '../support/har-schema.js';
import { exportOverApi, importOverApi } from '../support/har-jobs.js';
import type { SearchHitInfo } from '../../src/control/api-types.js';

const FIXTURES = new URL('../capture/fixtures/', import.meta.url).pathname;

describe('control API commands', () => {
  let t: TestEngine;
  let server: Awaited<ReturnType<typeof startWsServer>>;
  let id: number;

  beforeAll(async () => {
    t = await startTestEngine({}, 'live');
    server = await startWsServer({ handleProtocols: (protocols) => (protocols.has('chat') ? 'chat' : false) });
    server.wss.on('connection', (ws) => ws.on('message', (d, isBinary) => ws.send(isBinary ? d : `echo: ${d.toString()}`, { binary: isBinary })));
    const ws = wsViaAbsoluteForm(t.proxyPort, `ws://127.0.0.1:${server.port}/api?x=1`, { protocol: 'chat' } as never);
    const client = new WebSocket(`ws://127.0.0.1:${server.port}/unused`, ['chat']);
    client.on('error', () => {});
    client.terminate();
    await opened(ws);
    for (const text of ['alpha', 'needle-1', 'beta', 'needle-22']) {
      ws.send(text);
      await nextMessage(ws);
    }
    ws.send(Buffer.from([1, 2, 3]));
    await nextMessage(ws);
    const done = closed(ws);
    ws.close(1000, 'done');
    await done;
    id = t.engine.liveSession.connections[0]?.id ?? 1;
    await t.api.waitForEvent((e) => e.kind === 'connection' && e.connection.id === id && e.connection.state === 'closed');
  });
  afterAll(async () => {
    await t.close();
    await server.close();
  });

  it('says hello with the proxy address, the session and the API version', async () => {
    const hello = await t.api.call('hello', {});
    expect(hello).toMatchObject({ version: 1, proxy: { address: `127.0.0.1:${t.proxyPort}`, mode: 'explicit' }, session: { name: 'live', live: true }, recording: true });
  });

  it('lists connections with their counts and close', async () => {
    const [c] = await t.api.call('listConnections', {});
    expect(c).toMatchObject({
      id, url: `ws://127.0.0.1:${server.port}/api?x=1`, state: 'closed', status: 101,
      frameCount: 12, messageCount: 10, framesSent: 6, framesReceived: 6, messagesSent: 5, messagesReceived: 5,
      violationCount: 0, close: { code: 1000, reason: 'done', closedBy: 'client' },
    });
  });

  it('gives a connection\'s handshake with every check and the expected accept', async () => {
    const detail = await t.api.call('getConnection', { id });
    expect(detail.request.method).toBe('GET');
    expect(detail.response?.statusCode).toBe(101);
    expect(detail.checks.every((c) => c.ok)).toBe(true);
    expect(detail.checks.map((c) => c.id)).toContain('accept-matches');
    const key = detail.request.rawHeaders[detail.request.rawHeaders.findIndex((h) => h.toLowerCase() === 'sec-websocket-key') + 1]!;
    const { computeAccept } = await import('../../src/protocol/handshake.js');
    expect(detail.expectedAccept).toBe(computeAccept(key));
  });

  it('pages frames by range and filters them by direction and opcode', async () => {
    const page = await t.api.call('queryFrames', { connectionId: id, start: 0, end: 3 });
    expect(page.total).toBe(12);
    expect(page.frames.map((f) => [f.number, f.direction, f.opcode, f.preview])).toEqual([[0, 'send', 1, 'alpha'], [1, 'receive', 1, 'echo: alpha'], [2, 'send', 1, 'needle-1']]);
    const received = await t.api.call('queryFrames', { connectionId: id, start: 0, end: 100, filter: { direction: 'receive' } });
    expect(received.total).toBe(6);
    const binary = await t.api.call('queryFrames', { connectionId: id, start: 0, end: 100, filter: { opcode: 2 } });
    expect(binary.frames.map((f) => [f.direction, f.previewKind, f.preview])).toEqual([['send', 'hex', '010203'], ['receive', 'hex', '010203']]);
  });

  it('gives a frame in full: the exact header bytes, the payload and its message', async () => {
    const frame = await t.api.call('getFrame', { connectionId: id, number: 2 });
    const key = Buffer.from(frame.maskKey!, 'hex');
    expect(frame.headerHex).toBe(`8188${key.toString('hex')}`);
    expect(Buffer.from(frame.payloadBase64, 'base64').toString()).toBe('needle-1');
    expect(frame.message).toMatchObject({ opcode: 1, dataBase64: Buffer.from('needle-1').toString('base64'), size: 8, compressed: false, truncated: false, frames: [2] });
  });

  it('pages a connection\'s messages and gives one with its data', async () => {
    const { total, messages } = await t.api.call('queryMessages', { connectionId: id, start: 2, end: 4 });
    expect(total).toBe(10);
    expect(messages.map((m) => [m.number, m.direction, m.opcode, m.size, m.preview])).toEqual([[2, 'send', 1, 8, 'needle-1'], [3, 'receive', 1, 14, 'echo: needle-1']]);
    const binary = await t.api.call('getMessage', { connectionId: id, number: 8 });
    expect(binary).toMatchObject({ opcode: 2, previewKind: 'hex', preview: '010203', dataBase64: Buffer.from([1, 2, 3]).toString('base64') });
    await expect(t.api.call('getMessage', { connectionId: id, number: 99 })).rejects.toThrow(`connection ${id} has no message 99`);
  });

  it('streams search hits as events, then says it is done', async () => {
    const { searchId } = await t.api.call('search', { connectionId: id, filter: { regex: 'needle-\\d+', direction: 'send' } });
    const done = await t.api.waitForEvent((e) => e.kind === 'search-done' && e.searchId === searchId);
    const hits = t.api.events.flatMap((e) => (e.kind === 'search-hits' && e.searchId === searchId ? e.hits : [])) as SearchHitInfo[];
    expect(hits.map((h) => [h.frame, h.direction, h.snippet])).toEqual([[2, 'send', 'needle-1'], [6, 'send', 'needle-22']]);
    expect(done).toMatchObject({ hits: 2 });
  });

  it('refuses a bad regular expression with a clear error', async () => {
    await expect(t.api.call('search', { connectionId: id, filter: { regex: '(' } })).rejects.toThrow(/Invalid regular expression/);
  });

  it('exports the session as valid HAR and imports it back as a new session', async () => {
    const { har, fileName } = await exportOverApi(t.api);
    expect(fileName).toBe('live.har');
    const parsed = JSON.parse(har);
    expect(harProblems(parsed)).toEqual([]);
    expect(parsed.log.entries[0]._webSocketMessages).toHaveLength(10);
    const imported = await importOverApi(t.api, har, 'copy', 1000);
    expect(imported).toMatchObject({ state: 'done', session: { name: 'copy', connections: 1, frames: 12, live: false }, problems: [] });
    expect(JSON.parse((await exportOverApi(t.api)).har)).toEqual(parsed);
    await t.api.call('openSession', { name: 'live' });
  });

  it('imports a Chrome HAR', async () => {
    const result = await importOverApi(t.api, readFileSync(`${FIXTURES}chrome.har`, 'utf8'), 'from-chrome');
    expect(result.session!.connections).toBeGreaterThan(0);
    expect(result.problems).toEqual([]);
    await t.api.call('openSession', { name: 'live' });
  });

  it('saves the live session under a name, starts a new one, opens and deletes saved ones', async () => {
    expect(await t.api.call('saveSession', { name: 'kept' })).toMatchObject({ name: 'kept', live: true, connections: 1 });
    const fresh = await t.api.call('newSession', { name: 'next' });
    expect(fresh).toMatchObject({ name: 'next', live: true, connections: 0 });
    const names = (await t.api.call('listSessions', {})).map((s) => [s.name, s.live]).sort();
    expect(names).toEqual([['copy', false], ['from-chrome', false], ['kept', false], ['next', true]]);
    expect(await t.api.call('openSession', { name: 'kept' })).toMatchObject({ name: 'kept', live: false, connections: 1 });
    expect((await t.api.call('listConnections', {}))[0]!.messageCount).toBe(10);
    await t.api.call('deleteSession', { name: 'copy' });
    expect((await t.api.call('listSessions', {})).map((s) => s.name).sort()).toEqual(['from-chrome', 'kept', 'next']);
    await expect(t.api.call('deleteSession', { name: 'next' })).rejects.toThrow('the live session cannot be deleted; start a new session first');
  });

  it('records nothing while recording is off, and again once it is on', async () => {
    await t.api.call('openSession', { name: 'next' });
    expect(await t.api.call('setRecording', { on: false })).toEqual({ recording: false });
    const quiet = wsViaAbsoluteForm(t.proxyPort, `ws://127.0.0.1:${server.port}/quiet`);
    await opened(quiet);
    quiet.send('unrecorded');
    await nextMessage(quiet);
    quiet.close();
    expect(await t.api.call('listConnections', {})).toEqual([]);
    await t.api.call('setRecording', { on: true });
    const loud = wsViaAbsoluteForm(t.proxyPort, `ws://127.0.0.1:${server.port}/loud`);
    await opened(loud);
    loud.send('recorded');
    await nextMessage(loud);
    loud.close();
    await t.api.waitForEvent((e) => e.kind === 'connection' && e.connection.url.endsWith('/loud') && e.connection.state === 'closed');
    expect((await t.api.call('listConnections', {})).map((c) => new URL(c.url).pathname)).toEqual(['/loud']);
  });
});
