// Each connection action of a rules file, through the proxy between raw peers. Timing is asserted
// with generous lower bounds only; the exact accuracy is the bench's.
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import { rawClientHandshake } from '../support/peers.js';
import { receivedFrames } from '../support/raw-connection.js';
import { connect, harEntry, startRulesEngine, until, writeRules, type RulesEngine } from './support/rules-engine.js';
import type { RawPeer } from '../support/peers.js';

const key = Buffer.from([9, 8, 7, 6]);
const fromClient = (payload: string | Buffer, opcode = 1) => encodeFrameBytes({ opcode, mask: key, payload });
const fromServer = (payload: string | Buffer, opcode = 1) => encodeFrameBytes({ opcode, payload });

let e: RulesEngine;
afterEach(async () => e?.close());

/** Everything a raw socket receives until it closes. */
async function allUntilClosed(peer: RawPeer): Promise<Buffer> {
  await peer.ended;
  return peer.bytes;
}

describe('connection actions', () => {
  it('refuses the handshake with the status and body, and never connects upstream', async () => {
    e = await startRulesEngine([{ name: 'down', scope: { url: '/denied' }, actions: [{ type: 'refuseHandshake', status: 503, body: 'maintenance' }] }]);
    const { peer, responseHead } = await rawClientHandshake(e.t.proxyPort, `ws://127.0.0.1:${e.server.port}/denied`, `127.0.0.1:${e.server.port}`);
    expect(responseHead).toBe('HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 11\r\nConnection: close\r\n\r\n');
    expect((await allUntilClosed(peer)).toString()).toBe('maintenance');
    expect(e.server.connections.length).toBe(0);
    const c = e.t.engine.store.connections()[0]!;
    expect([c.state, c.error, c.response?.statusCode]).toEqual(['failed', 'the handshake was refused by rule "down"', 503]);
    // Another URL is not refused.
    await connect(e, '/fine');
  });

  it('delays the handshake', async () => {
    e = await startRulesEngine([{ name: 'slow-open', actions: [{ type: 'delayHandshake', ms: 250 }] }]);
    const started = Date.now();
    await connect(e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(245);
  });

  it('drops the connection after N messages: the Nth goes on, then both TCP connections are reset', async () => {
    e = await startRulesEngine([{ name: 'cut', scope: { direction: 'send' }, actions: [{ type: 'dropConnection', afterMessages: 2 }] }]);
    const { client, upstream } = await connect(e);
    // Answers in between do not count: the rule watches what the client sends.
    upstream.socket.write(fromServer('hello'));
    client.socket.write(fromClient('one'));
    await upstream.waitForBytes(fromClient('one').length);
    client.socket.write(fromClient('two'));
    const expected = Buffer.concat([fromClient('one'), fromClient('two')]);
    expect((await allUntilClosed(upstream)).equals(expected)).toBe(true);
    expect((await allUntilClosed(client)).equals(fromServer('hello'))).toBe(true);
  });

  it('keeps counting across a reload of the rules file: a count already at the new N cuts at the next message', async () => {
    const cut = (afterMessages: number) => ({ name: 'cut', scope: { direction: 'send' as const }, actions: [{ type: 'dropConnection' as const, afterMessages }] });
    e = await startRulesEngine([cut(5)]);
    const { client, upstream } = await connect(e);
    client.socket.write(fromClient('one'));
    client.socket.write(fromClient('two'));
    await upstream.waitForBytes(fromClient('one').length + fromClient('two').length);
    // Another rule added and this one's N lowered to 2: the connection has sent 2 already.
    writeRules(e.rulesPath, [cut(2), { name: 'other', scope: { direction: 'receive' }, match: { contains: 'zzz' }, actions: [{ type: 'drop' }] }]);
    await until(() => e.t.engine.proxy.rules.rules()[1]?.name === 'other', 'the reload');
    client.socket.write(fromClient('three'));
    const expected = Buffer.concat([fromClient('one'), fromClient('two'), fromClient('three')]);
    expect((await allUntilClosed(upstream)).equals(expected)).toBe(true);
  });

  it('drops the connection after a time with a close frame when the rule gives one', async () => {
    e = await startRulesEngine([{ name: 'timeout', actions: [{ type: 'dropConnection', afterMs: 200, close: { code: 4008, reason: 'time is up' } }] }]);
    const started = Date.now();
    const { client, upstream, connectionId } = await connect(e);
    const [toClient] = await receivedFrames(client, 'server', 1);
    const [toServer] = await receivedFrames(upstream, 'client', 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
    expect([toClient!.opcode, toClient!.closeCode, toClient!.closeReason]).toEqual([8, 4008, 'time is up']);
    expect([toServer!.opcode, toServer!.closeCode, toServer!.closeReason, toServer!.masked]).toEqual([8, 4008, 'time is up', true]);
    await until(() => e.t.engine.store.frameCount(connectionId) === 2, 'two close frames recorded');
    expect(harEntry(e, connectionId)._webSocketFrames.map((f) => [f.opcode, f.closeCode, f._rule])).toEqual([[8, 4008, 'timeout'], [8, 4008, 'timeout']]);
  });

  it('throttles a direction to a rate: the bytes arrive whole and in order, no faster than the rate allows', async () => {
    e = await startRulesEngine([{ name: 'modem', scope: { direction: 'receive' }, actions: [{ type: 'throttle', bytesPerSecond: 10_000 }] }]);
    const { client, upstream, connectionId } = await connect(e);
    const payload = Buffer.alloc(15_000, 0x61);
    const frames = Buffer.concat([fromServer(payload, 2), fromServer('end')]);
    const started = Date.now();
    upstream.socket.write(frames);
    expect((await client.waitForBytes(frames.length)).equals(frames)).toBe(true);
    // 15 kB at 10 kB/s: one and a half seconds at the least, less the first slice (10 ms worth).
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    await until(() => e.t.engine.store.messageCount(connectionId) === 2, 'two messages recorded');
    const messages = harEntry(e, connectionId)._webSocketMessages;
    expect(messages.map((m) => m._rule)).toEqual(['modem', 'modem']);
    // Recorded when the throttle let the last byte go: at least 1.4 s after they arrived together.
    expect(Math.round((messages[1]!.time - messages[1]!._arrived!) * 1000)).toBeGreaterThanOrEqual(1_390);
  });

  it('adds latency to every frame of a direction, control frames included', async () => {
    e = await startRulesEngine([{ name: 'far', scope: { direction: 'send' }, actions: [{ type: 'latency', ms: 200 }] }]);
    const connected = await connect(e);
    const { client, upstream } = connected;
    const ping = fromClient('p', 9);
    const started = Date.now();
    client.socket.write(Buffer.concat([ping, fromClient('m')]));
    const expected = Buffer.concat([ping, fromClient('m')]);
    expect((await upstream.waitForBytes(expected.length)).equals(expected)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
    // The other direction is not delayed: an answer arrives as the server sends it.
    upstream.socket.write(fromServer('back'));
    expect((await client.waitForBytes(fromServer('back').length)).equals(fromServer('back'))).toBe(true);
    // The record says when each frame went on (its wire time), with its arrival beside it: 200 ms apart.
    const { connectionId } = connected;
    await until(() => e.t.engine.store.messageCount(connectionId) === 2, 'two messages recorded');
    const har = harEntry(e, connectionId);
    const frames = har._webSocketFrames.map((f) => ({ type: f.type, opcode: f.opcode, rule: f._rule, held: f._arrived === undefined ? undefined : Math.round((f.time - f._arrived) * 1000) }));
    expect(frames.slice(0, 2).map((f) => [f.type, f.opcode, f.rule])).toEqual([['send', 9, 'far'], ['send', 1, 'far']]);
    for (const f of frames.slice(0, 2)) expect(f.held).toBeGreaterThanOrEqual(199);
    expect(frames[2]).toEqual({ type: 'receive', opcode: 1, rule: undefined, held: undefined });
    const [sent, back] = har._webSocketMessages;
    expect(sent!._rule).toBe('far');
    expect(Math.round((sent!.time - sent!._arrived!) * 1000)).toBeGreaterThanOrEqual(199);
    expect(back!._arrived).toBeUndefined();
  });

  it('lets what a shaped direction still holds arrive before the end travels on', async () => {
    e = await startRulesEngine([{ name: 'far', scope: { direction: 'receive' }, actions: [{ type: 'latency', ms: 150 }] }]);
    const { client, upstream } = await connect(e);
    upstream.socket.end(fromServer('last words'));
    expect((await allUntilClosed(client)).equals(fromServer('last words'))).toBe(true);
  });
});
