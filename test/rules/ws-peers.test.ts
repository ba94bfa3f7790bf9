// A rules file acting between ws peers (the ws library at both ends), compressed connections included:
// a direction that a rule changes switches to re-encoding, and every later message still arrives intact.
import { afterEach, describe, expect, it } from 'vitest';
import type { PerMessageDeflateOptions } from 'ws';
import { opened, startWsServer, wsViaAbsoluteForm } from '../support/peers.js';
import { harEntry, startRulesEngine, until, type RulesEngine } from './support/rules-engine.js';

const rules = [
  { name: 'tag', scope: { direction: 'receive' }, match: { json: { path: '$.kind', equals: 'news' } }, actions: [{ type: 'rewrite', mergePatch: { tagged: true } }] },
  { name: 'mute', scope: { direction: 'receive' }, match: { contains: 'noise' }, actions: [{ type: 'drop' }] },
  { name: 'echo-id', scope: { direction: 'send' }, match: { json: { path: '$.op', equals: 'ping' } }, actions: [{ type: 'reply', payload: '{"op":"pong","id":{{json.id}}}', forward: false }] },
];

const cases: [string, PerMessageDeflateOptions | false][] = [
  ['uncompressed', false],
  ['compressed with context takeover', { threshold: 0 }],
  ['compressed without context takeover', { threshold: 0, serverNoContextTakeover: true, clientNoContextTakeover: true }],
];

let e: RulesEngine;
let server: Awaited<ReturnType<typeof startWsServer>> | undefined;
afterEach(async () => {
  await server?.close();
  await e?.close();
});

describe.each(cases)('rules between ws peers, %s', (_name, perMessageDeflate) => {
  it('rewrites, drops and replies; messages before and after arrive exactly', async () => {
    e = await startRulesEngine(rules);
    server = await startWsServer({ perMessageDeflate });
    const serverGot: string[] = [];
    server.wss.on('connection', (ws) => ws.on('message', (data) => {
      serverGot.push(data.toString());
      // Each message the server gets is answered with the same news three ways.
      ws.send('{"kind":"news","n":1}');
      ws.send('noise noise noise noise');
      ws.send(`{"kind":"plain","echo":${JSON.stringify(data.toString())}}`);
    }));
    const client = wsViaAbsoluteForm(e.t.proxyPort, `ws://127.0.0.1:${server.port}/feed`, { perMessageDeflate });
    await opened(client);
    const got: string[] = [];
    client.on('message', (data) => got.push(data.toString()));
    client.send('first');
    await until(() => got.length === 2, 'two answers');
    client.send('{"op":"ping","id":5}');
    await until(() => got.length === 3, 'the pong');
    client.send('second');
    await until(() => got.length === 5, 'two more answers');
    expect(got).toEqual([
      '{"kind":"news","n":1,"tagged":true}', '{"kind":"plain","echo":"first"}',
      '{"op":"pong","id":5}',
      '{"kind":"news","n":1,"tagged":true}', '{"kind":"plain","echo":"second"}',
    ]);
    expect(serverGot).toEqual(['first', 'second']);
    const connectionId = e.t.engine.liveSession.connections[0]!.id;
    await until(() => e.t.engine.store.messageCount(connectionId) >= 12, 'the messages recorded');
    const marks = harEntry(e, connectionId)._webSocketMessages.filter((m) => m._rule).map((m) => [m.type, m.data, m._rule]);
    expect(marks).toEqual([
      ['receive', '{"kind":"news","n":1}', 'tag'], ['receive', '{"kind":"news","n":1,"tagged":true}', 'tag'], ['receive', 'noise noise noise noise', 'mute'],
      ['send', '{"op":"ping","id":5}', 'echo-id'], ['receive', '{"op":"pong","id":5}', 'echo-id'],
      ['receive', '{"kind":"news","n":1}', 'tag'], ['receive', '{"kind":"news","n":1,"tagged":true}', 'tag'], ['receive', 'noise noise noise noise', 'mute'],
    ]);
    // With context takeover the changed direction is re-encoded from the first change on; without it, every message stands alone.
    expect(e.t.engine.proxy.relay(connectionId).isReencoding('receive')).toBe(Boolean(perMessageDeflate && !perMessageDeflate.serverNoContextTakeover));
    client.terminate();
  });
});
