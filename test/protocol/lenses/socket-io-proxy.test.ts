// Socket.IO's own server and client talking through the proxy (reverse mode): the lens reads every
// packet they exchanged, with its namespace, ack id, binary attachments and links.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io, Manager, type Socket } from 'socket.io-client';
import { startProxy, until } from '../../support/proxy.js';
import { defaultLensRegistry } from '../../../src/protocol/lenses/registry.js';
import type { ConnectionRecord } from '../../../src/capture/capture-model.js';
import { decodeAll, lensConnectionFor, lensMessagesOf, linkPairs } from './lens-test-support.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function chatServer(): Promise<{ io: Server; port: number }> {
  const http: HttpServer = createServer();
  const server = new Server(http, { pingInterval: 60_000, pingTimeout: 60_000 });
  const chat = server.of('/chat');
  chat.on('connection', (socket) => {
    socket.emit('welcome', 'alice');
    socket.on('message', (body: { text: string }, ack: (...args: unknown[]) => void) => ack('ok', body.text.length));
    socket.on('upload', (bytes: Buffer, ack: (b: Buffer) => void) => ack(Buffer.from([...bytes].reverse())));
    socket.on('ask me', async () => {
      const answer: unknown = await socket.timeout(10_000).emitWithAck('question', 1);
      socket.emit('answered', answer);
    });
    socket.on('drop me', () => socket.conn.close());
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { io: server, port: (http.address() as AddressInfo).port };
}

const once = <T>(socket: Socket, event: string) => new Promise<T>((resolve) => socket.once(event, resolve as (v: T) => void));

describe('Socket.IO through the proxy', () => {
  it('decodes namespaces, acks both ways, binary events and a reconnect, with their links', async () => {
    const server = await chatServer();
    const proxy = await startProxy({ upstream: `ws://127.0.0.1:${server.port}` });
    cleanups.push(() => proxy.close());
    const client = io(`http://127.0.0.1:${proxy.port}/chat`, { transports: ['websocket'], reconnectionDelay: 10, randomizationFactor: 0 });
    cleanups.push(() => { client.close(); });
    client.on('question', (n: number, ack: (a: string) => void) => ack(`answer ${n}`));

    expect(await once<string>(client, 'welcome')).toBe('alice');
    expect(await client.emitWithAck('message', { text: 'hi' })).toBe('ok');
    expect([...(await client.emitWithAck('upload', Buffer.from([1, 2, 3]))) as Buffer]).toEqual([3, 2, 1]);
    const answered = once<string>(client, 'answered');
    client.emit('ask me');
    expect(await answered).toBe('answer 1');
    const welcomeAgain = once<string>(client, 'welcome');
    client.emit('drop me');
    expect(await welcomeAgain).toBe('alice');
    await until(proxy.session, () => proxy.session.connections.length === 2 && proxy.session.connections[1]!.messages.length >= 4);
    const [first, second] = proxy.session.connections as [ConnectionRecord, ConnectionRecord];

    const registry = defaultLensRegistry();
    const lens = registry.detect(lensConnectionFor(first), lensMessagesOf(first))!.lens;
    expect(lens.name).toBe('socket.io');
    const results = decodeAll(lens, first);
    expect(results.every((r) => !r.problems)).toBe(true);
    const sid = (results[2]!.packets[0]!.data as { sid: string }).sid;
    expect(results.map((r, i) => [first.messages[i]!.direction, r.pending ? 'pending' : r.packets.map((p) => `${p.name} ${p.summary}`).join(', ')])).toEqual([
      ['receive', expect.stringMatching(/^engine\.io open sid \S+$/)],
      ['send', 'socket.io CONNECT /chat'],
      ['receive', `socket.io CONNECT /chat sid ${sid}`],
      ['receive', 'socket.io EVENT welcome /chat'],
      ['send', 'socket.io EVENT message /chat ack 0'],
      ['receive', 'socket.io ACK /chat ack 0'],
      ['send', 'pending'],
      ['send', 'socket.io BINARY_EVENT upload /chat ack 1'],
      ['receive', 'pending'],
      ['receive', 'socket.io BINARY_ACK /chat ack 1'],
      ['send', 'socket.io EVENT ask me /chat'],
      ['receive', 'socket.io EVENT question /chat ack 0'],
      ['send', 'socket.io ACK /chat ack 0'],
      ['receive', 'socket.io EVENT answered /chat'],
      ['send', 'socket.io EVENT drop me /chat'],
    ]);
    expect(results[4]!.packets[0]).toMatchObject({ type: 'EVENT', event: 'message', channel: '/chat', id: 0, data: [{ text: 'hi' }] });
    expect(results[5]!.packets[0]).toMatchObject({ type: 'ACK', channel: '/chat', id: 0, data: ['ok', 2] });
    expect(results[7]!.packets[0]).toMatchObject({ event: 'upload', id: 1, data: [{ _binary: 'AQID' }] });
    expect(results[9]!.packets[0]).toMatchObject({ type: 'BINARY_ACK', id: 1, data: [{ _binary: 'AwIB' }] });
    expect(results[13]!.packets[0]!.data).toEqual(['answer 1']);
    expect(linkPairs(first, results)).toEqual([
      'CONNECT /chat -> CONNECT /chat sid ' + sid,
      'EVENT message /chat ack 0 -> ACK /chat ack 0',
      'BINARY_EVENT upload /chat ack 1 -> BINARY_ACK /chat ack 1',
      'EVENT question /chat ack 0 -> ACK /chat ack 0',
    ]);

    const again = decodeAll(lens, second);
    expect(again.slice(0, 4).map((r) => r.packets.map((p) => p.type).join())).toEqual(['open', 'CONNECT', 'CONNECT', 'EVENT']);
    expect(again[3]!.packets[0]).toMatchObject({ event: 'welcome', channel: '/chat', data: ['alice'] });
  });

  it('reads the upgrade from polling: the probe, then upgrade, then Socket.IO', async () => {
    const server = await chatServer();
    const proxy = await startProxy({ upstream: `ws://127.0.0.1:${server.port}` });
    cleanups.push(() => proxy.close());
    // The engine upgrades before the namespace is joined, so every Socket.IO packet goes over the WebSocket.
    const manager = new Manager(`http://127.0.0.1:${proxy.port}`, { reconnection: false, autoConnect: false });
    cleanups.push(() => { manager.engine?.close(); });
    manager.open();
    await new Promise<void>((resolve) => manager.engine.once('upgrade', () => resolve()));
    const client = manager.socket('/chat').connect();
    await once(client, 'welcome');
    expect(await client.emitWithAck('message', { text: 'over ws' })).toBe('ok');
    await until(proxy.session, () => (proxy.session.connections[0]?.messages.length ?? 0) >= 8);
    const connection = proxy.session.connections[0]!;
    const results = decodeAll(defaultLensRegistry().get('socket.io')!, connection);
    expect(results.map((r) => r.packets.map((p) => `${p.name} ${p.summary}`).join())).toEqual([
      'engine.io ping probe',
      'engine.io pong probe',
      'engine.io upgrade',
      'socket.io CONNECT /chat',
      expect.stringMatching(/^socket\.io CONNECT \/chat sid \S+$/),
      'socket.io EVENT welcome /chat',
      'socket.io EVENT message /chat ack 0',
      'socket.io ACK /chat ack 0',
    ]);
    expect(linkPairs(connection, results)).toEqual(['ping probe -> pong probe', expect.stringMatching(/^CONNECT \/chat -> CONNECT \/chat sid/), 'EVENT message /chat ack 0 -> ACK /chat ack 0']);
  });
});
