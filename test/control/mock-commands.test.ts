// Mocks started through the control API (the UI's "Mock this connection"): a ws client gets the
// recorded answers from the mock's address, its connection is recorded in the live session, and an
// unexpected message is listed and noted on the message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { rawClientHandshake, startWsServer, wsViaAbsoluteForm, opened } from '../support/peers.js';
import { startTestEngine, type TestEngine } from '../support/engine.js';

async function until(predicate: () => boolean, timeout = 15_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Opens a ws client and collects what it receives as text. */
async function client(url: string): Promise<{ ws: WebSocket; received: string[] }> {
  const ws = new WebSocket(url);
  const received: string[] = [];
  ws.on('message', (d) => received.push(d.toString()));
  await opened(ws);
  return { ws, received };
}

describe('mocks through the control API', () => {
  let t: TestEngine;
  let server: Awaited<ReturnType<typeof startWsServer>>;

  beforeAll(async () => {
    t = await startTestEngine();
    server = await startWsServer();
    server.wss.on('connection', (ws) => {
      ws.send('hello');
      ws.on('message', (d) => ws.send(`answer to ${d.toString()}`));
    });
    const ws = wsViaAbsoluteForm(t.proxyPort, `ws://127.0.0.1:${server.port}/feed`);
    const received: string[] = [];
    ws.on('message', (d) => received.push(d.toString()));
    await opened(ws);
    await until(() => received.length === 1);
    ws.send('q1');
    await until(() => received.length === 2);
    ws.close();
    await until(() => t.engine.store.connections()[0]?.state === 'closed');
  });

  afterAll(async () => {
    for (const mock of await t.api.call('listMocks', {})) await t.api.call('stopMock', { id: mock.id });
    await t.close();
    await server.close();
  });

  it('serves the recorded answers at the address it gives, records the connection and reports an unexpected message', async () => {
    const mock = await t.api.call('startMock', { connectionId: 1, timing: 'fast' });
    expect(mock).toEqual({
      id: 1, url: `ws://127.0.0.1:${mock.port}/`, port: mock.port,
      source: { session: t.engine.liveName, connectionId: 1, url: `ws://127.0.0.1:${server.port}/feed` },
      timing: 'fast', match: 'order', connectionIds: [], unexpectedCount: 0, unexpected: [],
    });
    const c = await client(`${mock.url}feed`);
    await until(() => c.received.length === 1);
    c.ws.send('q1');
    await until(() => c.received.length === 2);
    c.ws.send('not in the recording');
    const noted = await t.api.waitForEvent((e) => e.kind === 'annotation' && e.annotation.connectionId === 2);
    expect(c.received).toEqual(['hello', 'answer to q1']);
    expect(noted.kind === 'annotation' && noted.annotation).toMatchObject({
      target: 'message', number: 3, note: `unexpected: the recording (session ${t.engine.liveName}, connection 1) has no answer for this message`, highlight: 'red',
    });
    const [listed] = await t.api.call('listMocks', {});
    expect(listed).toMatchObject({ id: 1, connectionIds: [2], unexpectedCount: 1, unexpected: [{ connectionId: 2, index: 1, opcode: 1, preview: 'not in the recording' }] });
    c.ws.close();
    await until(() => t.engine.liveStore.connections().find((x) => x.id === 2)?.state === 'closed');
    const recorded = t.engine.liveStore.messages(2, 0, t.engine.liveStore.messageCount(2)).map((m) => [m.direction, m.message.data.toString()]);
    expect(recorded).toEqual([['receive', 'hello'], ['send', 'q1'], ['receive', 'answer to q1'], ['send', 'not in the recording']]);
    expect(t.engine.liveStore.connection(2)!.url).toBe(`ws://127.0.0.1:${mock.port}/feed`);
    // The run against the mock compares with the original: the same conversation, and the message it added.
    const comparison = await t.api.call('compareConnections', { left: { connectionId: 1 }, right: { connectionId: 2 } });
    expect(comparison.counts).toEqual({ same: 3, changed: 0, added: 1, removed: 0 });
    expect(comparison.rows.map((r) => r.kind)).toEqual(['same', 'same', 'same', 'added']);
  });

  it('survives WebSocket garbage from a client after the handshake and serves the next one', async () => {
    const mock = await t.api.call('startMock', { connectionId: 1, timing: 'fast' });
    const { peer, responseHead } = await rawClientHandshake(mock.port, '/feed', `127.0.0.1:${mock.port}`);
    expect(responseHead).toBe('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n');
    // Unmasked, reserved opcodes, bad lengths, invalid UTF-8: whatever the bytes, nothing throws.
    let seed = 7;
    const garbage = Buffer.alloc(64 * 1024, 0).map(() => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff);
    peer.socket.end(garbage);
    await peer.ended;
    const c = await client(`${mock.url}feed`);
    await until(() => c.received.length === 1);
    c.ws.send('q1');
    await until(() => c.received.length === 2);
    expect(c.received).toEqual(['hello', 'answer to q1']);
    c.ws.close();
    await t.api.call('stopMock', { id: mock.id });
  });

  it('stops a mock: it is no longer listed and its port refuses connections', async () => {
    const mock = await t.api.call('startMock', { connectionId: 1 });
    expect((await t.api.call('listMocks', {})).map((m) => m.id)).toContain(mock.id);
    await t.api.call('stopMock', { id: mock.id });
    expect((await t.api.call('listMocks', {})).map((m) => m.id)).not.toContain(mock.id);
    const socket = net.connect({ host: '127.0.0.1', port: mock.port });
    const [error] = (await once(socket, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');
    await expect(t.api.call('stopMock', { id: mock.id })).rejects.toThrow(`there is no mock ${mock.id}`);
  });

  it('refuses bad parameters with what is wrong', async () => {
    await expect(t.api.call('startMock', { connectionId: 99 })).rejects.toThrow(`session ${t.engine.liveName} has no connection 99 (it has `);
    await expect(t.api.call('startMock', { connectionId: 1, timing: 'slow' as never })).rejects.toThrow('timing must be recorded or fast');
    await expect(t.api.call('startMock', { connectionId: 1, match: 'fuzzy' as never })).rejects.toThrow('match must be content, protocol, order');
    await expect(t.api.call('startMock', { connectionId: 1, port: 70_000 })).rejects.toThrow('port must be a whole number from 0 to 65535');
  });
});

describe('a mock started through the control API when the engine stops', () => {
  it('stops with the engine: its port refuses connections afterwards', async () => {
    const t = await startTestEngine();
    const server = await startWsServer();
    try {
      server.wss.on('connection', (ws) => ws.on('message', (d) => ws.send(`answer to ${d.toString()}`)));
      const ws = wsViaAbsoluteForm(t.proxyPort, `ws://127.0.0.1:${server.port}/feed`);
      await opened(ws);
      ws.send('q1');
      await once(ws, 'message');
      ws.close();
      await until(() => t.engine.store.connections()[0]?.state === 'closed');
      const mock = await t.api.call('startMock', { connectionId: 1, timing: 'fast' });
      const reached = await client(mock.url);
      reached.ws.send('q1');
      await until(() => reached.received.length === 1);
      expect(reached.received).toEqual(['answer to q1']);
      await t.close();
      const refused = net.connect(mock.port, '127.0.0.1');
      const [error] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
      expect(error.code).toBe('ECONNREFUSED');
    } finally {
      await server.close();
    }
  });
});
