// compareConnections and compareMessages over the control API, on real traffic through the proxy:
// two connections aligned by content and direction (a changed request and its changed answer, an
// extra message), a pair diffed by JSON path, and a connection of a saved session compared with one
// of the live session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWsServer, converseThrough } from '../support/peers.js';
import { startTestEngine, type TestEngine } from '../support/engine.js';

describe('compare commands', () => {
  let t: TestEngine;
  let server: Awaited<ReturnType<typeof startWsServer>>;

  /** Opens a connection through the proxy, sends each text and waits for its answer, closes; resolves with its id. */
  async function converse(path: string, texts: string[]): Promise<number> {
    await converseThrough(t.proxyPort, `ws://127.0.0.1:${server.port}${path}`, texts);
    const summary = await t.api.waitForEvent((e) => e.kind === 'connection' && e.connection.url.endsWith(path) && e.connection.state === 'closed');
    return summary.kind === 'connection' ? summary.connection.id : -1;
  }

  beforeAll(async () => {
    t = await startTestEngine({}, 'first');
    server = await startWsServer();
    server.wss.on('connection', (ws) => ws.on('message', (d) => {
      const text = d.toString();
      try {
        ws.send(JSON.stringify({ ok: true, got: JSON.parse(text) }));
      } catch {
        ws.send(`echo: ${text}`);
      }
    }));
  });
  afterAll(async () => {
    await t.close();
    await server.close();
  });

  let a: number;
  let b: number;

  it('aligns two connections: same, changed (request and answer), added', async () => {
    a = await converse('/a', ['join', '{"qty":10,"sku":"x"}', 'bye']);
    b = await converse('/b', ['join', '{"qty":99,"sku":"x"}', 'extra', 'bye']);
    const result = await t.api.call('compareConnections', { left: { connectionId: a }, right: { connectionId: b } });
    expect(result.left.session).toBe('first');
    expect(result.left.connection.url).toBe(`ws://127.0.0.1:${server.port}/a`);
    expect(result.right.connection.url).toBe(`ws://127.0.0.1:${server.port}/b`);
    expect(result.rows.map((r) => [r.kind, r.left?.number ?? null, r.right?.number ?? null, r.left?.direction ?? r.right!.direction, r.left?.preview ?? null, r.right?.preview ?? null])).toEqual([
      ['same', 0, 0, 'send', 'join', 'join'],
      ['same', 1, 1, 'receive', 'echo: join', 'echo: join'],
      ['changed', 2, 2, 'send', '{"qty":10,"sku":"x"}', '{"qty":99,"sku":"x"}'],
      ['changed', 3, 3, 'receive', '{"ok":true,"got":{"qty":10,"sku":"x"}}', '{"ok":true,"got":{"qty":99,"sku":"x"}}'],
      ['added', null, 4, 'send', null, 'extra'],
      ['added', null, 5, 'receive', null, 'echo: extra'],
      ['same', 4, 6, 'send', 'bye', 'bye'],
      ['same', 5, 7, 'receive', 'echo: bye', 'echo: bye'],
    ]);
    expect(result.counts).toEqual({ same: 4, changed: 2, added: 2, removed: 0 });
    expect(result.exact).toBe(true);
    expect(result.omitted).toEqual({ left: 0, right: 0 });
  });

  it('diffs a changed pair by JSON path', async () => {
    const result = await t.api.call('compareMessages', { left: { connectionId: a, message: 3 }, right: { connectionId: b, message: 3 } });
    expect(result.left.text).toBe('{"ok":true,"got":{"qty":10,"sku":"x"}}');
    expect(result.right.text).toBe('{"ok":true,"got":{"qty":99,"sku":"x"}}');
    expect(result.left.direction).toBe('receive');
    expect(result.diff).toEqual({ kind: 'json', truncated: false, entries: [{ path: '$.got.qty', kind: 'changed', left: '10', right: '99' }] });
  });

  it('compares a connection of a saved session with one of the live session', async () => {
    await t.api.call('newSession', { name: 'second' });
    const c = await converse('/c', ['join', 'bye']);
    const result = await t.api.call('compareConnections', { left: { session: 'first', connectionId: a }, right: { connectionId: c } });
    expect(result.left.session).toBe('first');
    expect(result.right.session).toBe('second');
    expect(result.rows.map((r) => r.kind)).toEqual(['same', 'same', 'removed', 'removed', 'same', 'same']);
    const pair = await t.api.call('compareMessages', { left: { session: 'first', connectionId: a, message: 0 }, right: { session: 'second', connectionId: c, message: 0 } });
    expect(pair.diff).toEqual({ kind: 'equal' });
  });

  it('lists the connections of the browsed session and of a saved one', async () => {
    const live = await t.api.call('listSessionConnections', {});
    expect(live.session).toBe('second');
    expect(live.connections.map((c) => c.url.replace(/^.*\//, ''))).toEqual(['c']);
    const saved = await t.api.call('listSessionConnections', { session: 'first' });
    expect(saved.connections.map((c) => [c.id, c.url.replace(/^.*\//, ''), c.messageCount])).toEqual([[a, 'a', 6], [b, 'b', 8]]);
  });

  it('says which connection or session does not exist', async () => {
    await expect(t.api.call('compareConnections', { left: { connectionId: 999 }, right: { connectionId: 1 } })).rejects.toThrow('session "second" has no connection 999');
    await expect(t.api.call('compareConnections', { left: { session: 'nope', connectionId: 1 }, right: { connectionId: 1 } })).rejects.toThrow('there is no session named "nope"');
    await expect(t.api.call('compareConnections', { left: { connectionId: 'x' }, right: null } as never)).rejects.toThrow('each side must be {connectionId, session?} with a whole-number connectionId');
    await expect(t.api.call('compareMessages', { left: { session: 'first', connectionId: a, message: 50 }, right: { session: 'first', connectionId: a, message: 0 } })).rejects.toThrow(`connection ${a} has no message 50`);
  });
});
