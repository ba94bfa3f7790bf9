// Replay through the control API after breakpoints changed the traffic: by default the server gets
// what the original server received, on request what the client sent; a message injected toward the
// client is not an answer; every replay is kept in the connection's history.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWsServer, wsViaAbsoluteForm, opened } from '../support/peers.js';
import { startTestEngine, type TestEngine } from '../support/engine.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function until(predicate: () => boolean, timeout = 15_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('replay after a drop and an edit', () => {
  let t: TestEngine;
  let server: Awaited<ReturnType<typeof startWsServer>>;
  /** What each server-side connection received, in order. */
  const received: string[][] = [];
  let originalId: number;

  beforeEach(async () => {
    received.length = 0;
    t = await startTestEngine();
    server = await startWsServer();
    server.wss.on('connection', (ws) => {
      const mine: string[] = [];
      received.push(mine);
      ws.on('message', (d) => {
        mine.push(d.toString());
        ws.send(`got ${d.toString()}`);
      });
    });
    await t.api.call('setBreakpoint', { rule: { id: 0, enabled: true, phase: 'message', direction: 'send', regex: '^(drop|edit) me$' } });
    const ws = wsViaAbsoluteForm(t.proxyPort, `ws://127.0.0.1:${server.port}/orders`);
    await opened(ws);
    originalId = t.engine.liveSession.connections[0]!.id;
    ws.send('first');
    ws.send('drop me');
    const drop = await t.api.waitForEvent((e) => e.kind === 'held' && e.items.length === 1);
    await t.api.call('resolveHeld', { id: drop.kind === 'held' ? drop.items[0]!.id : 0, action: 'drop' });
    ws.send('edit me');
    const edit = await t.api.waitForEvent((e) => e.kind === 'held' && e.items.length === 1 && e.items[0]!.dataBase64 === b64('edit me'));
    await t.api.call('resolveHeld', { id: edit.kind === 'held' ? edit.items[0]!.id : 0, action: 'forward', editedMessage: { opcode: 1, dataBase64: b64('edited') } });
    await until(() => received[0]?.length === 2);
    await t.api.call('inject', { connectionId: originalId, direction: 'receive', message: { kind: 'text', dataBase64: b64('a note from the proxy') } });
    await until(() => t.engine.store.messageCount(originalId) === 7);
    await t.api.call('setBreakpointsEnabled', { on: false });
    ws.close();
    await until(() => t.engine.store.connection(originalId)?.state === 'closed');
  });
  afterEach(async () => {
    await t.close();
    await server.close();
  });

  it('sends what the server received and finds every answer the same, the injected note not missing', async () => {
    expect(received[0]).toEqual(['first', 'edited']);
    const { connectionId } = await t.api.call('replay', { connectionId: originalId, timing: 'fast' });
    const done = await t.api.waitForEvent((e) => e.kind === 'replay-done' && e.comparison.replayId === connectionId);
    expect(received[1]).toEqual(['first', 'edited']);
    expect(done.kind === 'replay-done' && done.comparison).toEqual({
      originalId, replayId: connectionId, same: 2, different: 0, missing: 0, extra: 0,
      rows: [
        { index: 0, status: 'same', originalIndex: 0, replayedIndex: 0, original: 'got first', replayed: 'got first' },
        { index: 1, status: 'same', originalIndex: 1, replayedIndex: 1, original: 'got edited', replayed: 'got edited' },
      ],
    });
  });

  it('sends what the client sent on request, and keeps both replays in the history', async () => {
    const first = await t.api.call('replay', { connectionId: originalId, timing: 'fast' });
    await t.api.waitForEvent((e) => e.kind === 'replay-done' && e.comparison.replayId === first.connectionId);
    const second = await t.api.call('replay', { connectionId: originalId, timing: 'fast', source: 'sent' });
    const done = await t.api.waitForEvent((e) => e.kind === 'replay-done' && e.comparison.replayId === second.connectionId);
    expect(received[2]).toEqual(['first', 'drop me', 'edit me']);
    expect(done.kind === 'replay-done' && done.comparison).toMatchObject({ same: 1, different: 1, missing: 0, extra: 1 });
    await until(() => t.engine.store.connection(second.connectionId)?.state === 'closed');
    const history = await t.api.call('listReplays', { connectionId: originalId });
    expect(history.map((h) => [h.replayId, h.url, h.state, h.comparison.same, h.comparison.different, h.comparison.extra])).toEqual([
      [first.connectionId, `ws://127.0.0.1:${server.port}/orders`, 'closed', 2, 0, 0],
      [second.connectionId, `ws://127.0.0.1:${server.port}/orders`, 'closed', 1, 1, 1],
    ]);
    expect(await t.api.call('listReplays', { connectionId: first.connectionId })).toEqual([]);
  });
});
