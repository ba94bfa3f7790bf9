// The lenses inside the engine: a Socket.IO chat through the proxy, read back through the control
// API (packets, links, latency, the Protocol column, the filter, the user's lens choice kept in the
// session) and in the HAR export's `_protocol`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { startTestEngine, type TestEngine } from '../support/engine.js';
import { harText } from '../../src/capture/har-text.js';
import { exportHar } from '../../src/capture/har-export.js';
import { connectionsOf } from '../../src/capture/session-reader.js';
import { CaptureStore } from '../../src/capture/capture-store.js';
import { storedLensChoice } from '../../src/lenses/protocol-views.js';
import { protocolWriter } from '../../src/capture/har-protocol.js';
import type { CapturedMessage, ConnectionRecord } from '../../src/capture/capture-model.js';

const once = <T>(socket: Socket, event: string) => new Promise<T>((resolve) => socket.once(event, resolve as (v: T) => void));

async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(predicate()).toBe(true);
}

describe('lenses in the engine', () => {
  let t: TestEngine;
  let server: Server;
  let client: Socket;

  beforeAll(async () => {
    const http = createServer();
    server = new Server(http, { pingInterval: 60_000, pingTimeout: 60_000 });
    server.of('/chat').on('connection', (socket) => {
      socket.on('message', (body: { text: string }, ack: (r: string) => void) => {
        socket.emit('message', { text: `echo ${body.text}` });
        ack('ok');
      });
      socket.on('upload', (bytes: Buffer, ack: (n: number) => void) => ack(bytes.length));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    t = await startTestEngine({ upstream: `ws://127.0.0.1:${(http.address() as AddressInfo).port}` });
    client = io(`http://127.0.0.1:${t.proxyPort}/chat`, { transports: ['websocket'], reconnection: false });
    await once(client, 'connect');
    expect(await client.emitWithAck('message', { text: 'one' })).toBe('ok');
    expect(await client.emitWithAck('upload', Buffer.from([1, 2, 3, 4]))).toBe(4);
    expect(await client.emitWithAck('message', { text: 'two' })).toBe('ok');
    client.close();
    await until(() => t.engine.store.connections()[0]?.state === 'closed');
    t.engine.store.flush();
  });

  afterAll(async () => {
    client?.close();
    await t?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('detects Socket.IO and reads every message as packets, with links and latency', async () => {
    const lens = await t.api.call('getProtocolLens', { connectionId: 1 });
    expect(lens).toMatchObject({ connectionId: 1, choice: 'auto', lens: 'socket.io' });
    expect(lens.scores[0]).toEqual({ name: 'socket.io', score: 1 });
    const { lens: name, messages } = await t.api.call('queryProtocol', { connectionId: 1, start: 0, end: 100 });
    expect(name).toBe('socket.io');
    expect(messages.map((m) => (m.pending ? 'pending' : m.packets.map((p) => p.summary).join()))).toEqual([
      expect.stringMatching(/^open sid /),
      'CONNECT /chat',
      expect.stringMatching(/^CONNECT \/chat sid /),
      'EVENT message /chat ack 0',
      'EVENT message /chat',
      'ACK /chat ack 0',
      'pending',
      'BINARY_EVENT upload /chat ack 1',
      'ACK /chat ack 1',
      'EVENT message /chat ack 2',
      'EVENT message /chat',
      'ACK /chat ack 2',
      'DISCONNECT /chat',
    ]);
    const request = messages[3]!.packets[0]!;
    const frameOf = (message: number) => t.engine.store.messageFrameNumbers(1, message).at(-1);
    expect(request.answers).toEqual([{ message: 5, packet: 0, frame: frameOf(5) }]);
    expect(frameOf(5)).toBeGreaterThan(frameOf(3)!);
    expect(request.latencyMs).toBeGreaterThanOrEqual(0);
    const answer = messages[5]!.packets[0]!;
    expect(answer.request).toEqual({ message: 3, packet: 0, frame: frameOf(3) });
    expect(answer.latencyMs).toBe(request.latencyMs);
    expect(messages[7]!.packets[0]!.data).toEqual([{ _binary: 'AQIDBA==' }]);
  });

  it('gives the Protocol column the line of the message each frame completes', async () => {
    const frameCount = t.engine.store.frameCount(1);
    const { frames } = await t.api.call('protocolForFrames', { connectionId: 1, frames: [...Array(frameCount).keys()] });
    expect(frames.map((f) => f.summary).slice(0, 4)).toEqual([expect.stringMatching(/^open sid /), 'CONNECT /chat', expect.stringMatching(/^CONNECT \/chat sid /), 'EVENT message /chat ack 0']);
    expect(frames.find((f) => f.message === 3)).toMatchObject({ summary: 'EVENT message /chat ack 0', link: 'request' });
    expect(frames.find((f) => f.message === 6)?.summary).toBe('(continued in a later message)');
  });

  it('filters messages by protocol fields', async () => {
    const found = await t.api.call('filterProtocol', { connectionId: 1, filter: 'socket.io.event:message' });
    expect(found).toMatchObject({ numbers: [3, 4, 9, 10], total: 13 });
    expect(found.next).toBeUndefined();
    expect(found.hits.map((h) => [h.message, h.frame, h.summary])).toEqual([
      [3, t.engine.store.messageFrameNumbers(1, 3).at(-1), 'EVENT message /chat ack 0'],
      [4, t.engine.store.messageFrameNumbers(1, 4).at(-1), 'EVENT message /chat'],
      [9, t.engine.store.messageFrameNumbers(1, 9).at(-1), 'EVENT message /chat ack 2'],
      [10, t.engine.store.messageFrameNumbers(1, 10).at(-1), 'EVENT message /chat'],
    ]);
    expect((await t.api.call('filterProtocol', { connectionId: 1, filter: 'proto.type:ACK' })).numbers).toEqual([5, 8, 11]);
    expect(await t.api.call('filterProtocol', { connectionId: 1, filter: 'socket.io.event:message', limit: 1, from: 4 })).toMatchObject({ numbers: [4], next: 5, total: 13 });
    await expect(t.api.call('filterProtocol', { connectionId: 1, filter: 'nope.event:x' })).rejects.toThrow(/does not name a protocol/);
  });

  it('encodes a Socket.IO emit with an ack for the composer, read back by the lens', async () => {
    const encoded = await t.api.call('encodeProtocolPacket', { connectionId: 1, packet: { kind: 'socket.io-emit', namespace: '/chat', event: 'message', args: [{ text: 'hey' }], ackId: 7 } });
    expect(encoded).toEqual({ opcode: 1, dataBase64: Buffer.from('42/chat,7["message",{"text":"hey"}]').toString('base64'), summary: 'EVENT message /chat ack 7' });
    const mqtt = await t.api.call('encodeProtocolPacket', { connectionId: 1, packet: { kind: 'mqtt-publish', topic: 'a/b', payload: 'hi', qos: 1, packetId: 3 } });
    expect(Buffer.from(mqtt.dataBase64, 'base64')).toEqual(Buffer.from([0x32, 9, 0, 3, 0x61, 0x2f, 0x62, 0, 3, 0x68, 0x69]));
    expect(mqtt.opcode).toBe(2);
    await expect(t.api.call('encodeProtocolPacket', { connectionId: 1, packet: { kind: 'socket.io-emit', event: '', args: [] } })).rejects.toThrow('a Socket.IO emit names its event');
  });

  it('writes `_protocol` on each HAR message: one packet, none for a message that only starts one', () => {
    const har = JSON.parse([...harText(connectionsOf(t.engine.store))].join('')) as { log: { entries: { _webSocketMessages: { _protocol?: unknown }[] }[] } };
    const items = har.log.entries[0]!._webSocketMessages;
    expect(items[3]!._protocol).toEqual({ name: 'socket.io', type: 'EVENT', summary: 'EVENT message /chat ack 0', event: 'message', channel: '/chat', id: 0, data: [{ text: 'one' }] });
    expect(items[6]!._protocol).toBeUndefined();
    expect(items[7]!._protocol).toEqual({ name: 'socket.io', type: 'BINARY_EVENT', summary: 'BINARY_EVENT upload /chat ack 1', event: 'upload', channel: '/chat', id: 1, data: [{ _binary: 'AQIDBA==' }] });
    expect(items[0]!._protocol).toMatchObject({ name: 'engine.io', type: 'open' });
    expect([...harText(connectionsOf(t.engine.store))].join('')).toBe(JSON.stringify(exportHar(t.engine.store.toConnectionRecords()), null, 2));
  });

  it('keeps the user\'s lens choice in the session: the API, the HAR and a note saved later follow it', async () => {
    expect(await t.api.call('setProtocolLens', { connectionId: 1, lens: 'engine.io' })).toMatchObject({ choice: 'engine.io', lens: 'engine.io' });
    expect((await t.api.call('queryProtocol', { connectionId: 1, start: 3, end: 4 })).messages[0]!.packets[0]).toMatchObject({ name: 'engine.io', type: 'message', summary: 'message 2/chat,0["message",{"text":"one"}]' });
    await t.api.call('setAnnotation', { annotation: { connectionId: 1, target: 'connection', number: 0, note: 'chat', pinned: false } });
    expect((await t.api.call('getProtocolLens', { connectionId: 1 })).choice).toBe('engine.io');
    const har = JSON.parse([...harText(connectionsOf(t.engine.store))].join('')) as { log: { entries: { _webSocketMessages: { _protocol?: { name: string } }[] }[] } };
    expect(har.log.entries[0]!._webSocketMessages[3]!._protocol?.name).toBe('engine.io');
    t.engine.store.flush();
    const reopened = await CaptureStore.open(t.engine.store.path);
    try {
      expect(storedLensChoice(reopened, 1)).toBe('engine.io');
    } finally {
      reopened.close();
    }
    expect(await t.api.call('setProtocolLens', { connectionId: 1, lens: 'none' })).toMatchObject({ choice: 'none' });
    expect((await t.api.call('queryProtocol', { connectionId: 1, start: 0, end: 5 })).messages).toEqual([]);
    expect(await t.api.call('setProtocolLens', { connectionId: 1, lens: 'auto' })).toMatchObject({ choice: 'auto', lens: 'socket.io' });
    expect((await t.api.call('listAnnotations', { connectionId: 1 }))[0]).toMatchObject({ note: 'chat' });
    await expect(t.api.call('setProtocolLens', { connectionId: 1, lens: 'socketio' as never })).rejects.toThrow('lens must be a lens name, "auto" or "none"');
    await expect(t.api.call('setProtocolLens', { connectionId: 99, lens: 'auto' })).rejects.toThrow('there is no connection 99');
  });
});

describe('`_protocol` for a message of several packets', () => {
  it('is an array: a JSON-RPC batch', () => {
    const record = { request: { method: 'GET', target: '/rpc', httpVersion: '1.1', rawHeaders: [], time: 0 } } as unknown as ConnectionRecord;
    const message = (direction: 'send' | 'receive', text: string): CapturedMessage => ({ direction, time: 1, message: { opcode: 1, data: Buffer.from(text), truncated: false, compressed: false, size: text.length, frameIndexes: [], violations: [] } });
    const batch = message('send', '[{"jsonrpc":"2.0","id":1,"method":"a"},{"jsonrpc":"2.0","method":"b","params":[1]}]');
    const write = protocolWriter(record, [batch]);
    expect(write(batch, { type: 'send', time: 0.001, opcode: 1, data: '' })._protocol).toEqual([
      { name: 'json-rpc', type: 'request', summary: 'request a #1', event: 'a', id: 1 },
      { name: 'json-rpc', type: 'notification', summary: 'notification b', event: 'b', data: [1] },
    ]);
  });
});
