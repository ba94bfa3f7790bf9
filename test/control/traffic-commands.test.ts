// Changing traffic through the control API, over real sockets: inject, resend, hand-crafted frames,
// breakpoints (hold, edit, drop), close. Each test asserts the exact bytes the peers receive.
import { type HarEntryJson, type HarFrameJson } from '../support/har-schema.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import { exportHar } from '../../src/capture/har-export.js';
import { startWsServer, wsViaAbsoluteForm, opened, nextMessage, type RawPeer } from '../support/peers.js';
import { startTestEngine, type TestEngine } from '../support/engine.js';
import { openRawConnection, closeRawConnection, type RawConnection, framesOf, receivedFrames } from '../support/raw-connection.js';

const key = Buffer.from([1, 2, 3, 4]);
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');



describe('traffic commands on a raw connection', () => {
  let t: TestEngine;
  let client: RawPeer;
  let upstream: RawPeer;
  let connectionId: number;

  let c: RawConnection;
  beforeEach(async () => {
    c = await openRawConnection();
    ({ t, client, upstream, connectionId } = c);
  });
  afterEach(() => closeRawConnection(c));

  it('injects a text message toward the client unmasked, byte for byte', async () => {
    await t.api.call('inject', { connectionId, direction: 'receive', message: { kind: 'text', dataBase64: b64('hi') } });
    expect([...(await client.waitForBytes(4))]).toEqual([0x81, 0x02, 0x68, 0x69]);
  });

  it('injects a text message toward the server masked with a fresh key', async () => {
    await t.api.call('inject', { connectionId, direction: 'send', message: { kind: 'text', dataBase64: b64('hello') } });
    const [frame] = await receivedFrames(upstream, 'client', 1);
    expect(frame).toMatchObject({ fin: true, opcode: 1, masked: true, payloadLength: 5, violations: [] });
    expect(frame!.payload.toString()).toBe('hello');
    expect(upstream.bytes.equals(encodeFrameBytes({ opcode: 1, mask: frame!.maskKey!, payload: 'hello' }))).toBe(true);
    // A second injection gets another key.
    await t.api.call('inject', { connectionId, direction: 'send', message: { kind: 'text', dataBase64: b64('hello') } });
    const frames = await receivedFrames(upstream, 'client', 2);
    expect(frames[1]!.maskKey!.equals(frames[0]!.maskKey!)).toBe(false);
  });

  it('injects ping, pong and close with code and reason', async () => {
    await t.api.call('inject', { connectionId, direction: 'receive', message: { kind: 'ping', dataBase64: b64('p') } });
    await t.api.call('inject', { connectionId, direction: 'receive', message: { kind: 'pong', dataBase64: b64('q') } });
    await t.api.call('inject', { connectionId, direction: 'receive', message: { kind: 'close', closeCode: 4000, closeReason: 'bye' } });
    const expected = Buffer.from([0x89, 0x01, 0x70, 0x8a, 0x01, 0x71, 0x88, 0x05, 0x0f, 0xa0, 0x62, 0x79, 0x65]);
    expect((await client.waitForBytes(expected.length)).equals(expected)).toBe(true);
  });

  it('never puts an injected data message inside a fragmented message, but lets control frames between fragments', async () => {
    const first = encodeFrameBytes({ opcode: 1, fin: false, mask: key, payload: 'frag-' });
    client.socket.write(first);
    await upstream.waitForBytes(first.length);
    await t.api.call('inject', { connectionId, direction: 'send', message: { kind: 'text', dataBase64: b64('injected') } });
    await t.api.call('inject', { connectionId, direction: 'send', message: { kind: 'ping', dataBase64: b64('between') } });
    const afterPing = await receivedFrames(upstream, 'client', 2);
    expect(afterPing.map((f) => [f.opcode, f.payload.toString()])).toEqual([[1, 'frag-'], [9, 'between']]);
    const last = encodeFrameBytes({ opcode: 0, fin: true, mask: key, payload: 'end' });
    client.socket.write(last);
    const frames = await receivedFrames(upstream, 'client', 4);
    expect(frames.map((f) => [f.opcode, f.fin, f.payload.toString()])).toEqual([[1, false, 'frag-'], [9, true, 'between'], [0, true, 'end'], [1, true, 'injected']]);
  });

  it('waits for the end of a frame being passed through before injecting', async () => {
    const big = encodeFrameBytes({ opcode: 2, mask: key, payload: Buffer.alloc(10_000, 7) });
    client.socket.write(big.subarray(0, 5000));
    await upstream.waitForBytes(5000);
    await t.api.call('inject', { connectionId, direction: 'send', message: { kind: 'ping', dataBase64: b64('x') } });
    client.socket.write(big.subarray(5000));
    const frames = await receivedFrames(upstream, 'client', 2);
    expect(upstream.bytes.subarray(0, big.length).equals(big)).toBe(true);
    expect(frames.map((f) => f.opcode)).toEqual([2, 9]);
  });

  it('keeps a frame whole when an injection comes while only part of its header has arrived', async () => {
    const frame = encodeFrameBytes({ opcode: 2, mask: key, payload: Buffer.alloc(300, 1) });
    client.socket.write(frame.subarray(0, 1));
    await upstream.waitForBytes(1);
    await t.api.call('inject', { connectionId, direction: 'send', message: { kind: 'ping', dataBase64: b64('y') } });
    client.socket.write(frame.subarray(1, 3));
    await upstream.waitForBytes(3);
    client.socket.write(frame.subarray(3));
    const frames = await receivedFrames(upstream, 'client', 2);
    expect(upstream.bytes.subarray(0, frame.length).equals(frame)).toBe(true);
    expect(frames.map((f) => [f.opcode, f.payloadLength])).toEqual([[2, 300], [9, 1]]);
  });

  it('records injected frames and messages as injected', async () => {
    await t.api.call('inject', { connectionId, direction: 'receive', message: { kind: 'text', dataBase64: b64('note') } });
    await client.waitForBytes(6);
    t.engine.store.flush();
    const har = exportHar(t.engine.store.toConnectionRecords()).log.entries[0] as unknown as HarEntryJson;
    expect(har._webSocketFrames).toEqual([expect.objectContaining({ type: 'receive', opcode: 1, payloadLength: 4, injected: true })]);
    expect(har._webSocketMessages.map((m: { type: string; data: string }) => [m.type, m.data])).toEqual([['receive', 'note']]);
  });

  it('resends a captured message as it was and edited, either way', async () => {
    client.socket.write(encodeFrameBytes({ opcode: 1, mask: key, payload: 'original' }));
    await receivedFrames(upstream, 'client', 1);
    await t.api.call('resend', { connectionId, messageNumber: 0 });
    await t.api.call('resend', { connectionId, messageNumber: 0, edited: { opcode: 1, dataBase64: b64('changed') } });
    await t.api.call('resend', { connectionId, messageNumber: 0, direction: 'receive' });
    const atServer = await receivedFrames(upstream, 'client', 3);
    expect(atServer.map((f) => f.payload.toString())).toEqual(['original', 'original', 'changed']);
    expect((await client.waitForBytes(10)).equals(encodeFrameBytes({ opcode: 1, payload: 'original' }))).toBe(true);
  });

  it('sends hand-crafted frames exactly as specified: reserved opcode, RSV bits, a false length, a non-minimal form', async () => {
    await t.api.call('sendRawFrame', { connectionId, direction: 'send', frame: { fin: false, rsv1: true, rsv2: false, rsv3: true, opcode: 5, mask: true, maskKey: '0a0b0c0d', payloadBase64: b64('abc'), payloadLength: 3, lengthForm: 16 } });
    const expected = Buffer.from([0x55, 0xfe, 0x00, 0x03, 0x0a, 0x0b, 0x0c, 0x0d, 0x61 ^ 0x0a, 0x62 ^ 0x0b, 0x63 ^ 0x0c]);
    expect((await upstream.waitForBytes(expected.length)).equals(expected)).toBe(true);
    await t.api.call('sendRawFrame', { connectionId, direction: 'receive', frame: { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, mask: false, payloadBase64: b64('hi'), payloadLength: 9 } });
    expect((await client.waitForBytes(4)).equals(Buffer.from([0x81, 0x09, 0x68, 0x69]))).toBe(true);
    const frames = t.engine.store;
    frames.flush();
    const injected = frames.frames(connectionId, 0, 10);
    expect(injected[0]).toMatchObject({ opcode: 5, injected: true, violations: ['reserved-opcode', 'rsv-without-extension', 'non-minimal-length'] });
  });

  it('sends a hand-crafted length field past 2^53 exactly, given as decimal digits, and refuses one past 2^64 − 1', async () => {
    const frame = { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 2, mask: false, payloadBase64: b64('hi') };
    await t.api.call('sendRawFrame', { connectionId, direction: 'receive', frame: { ...frame, payloadLength: '18446744073709551615' } });
    const expected = Buffer.from('827fffffffffffffffff6869', 'hex');
    expect((await client.waitForBytes(expected.length)).equals(expected)).toBe(true);
    await expect(t.api.call('sendRawFrame', { connectionId, direction: 'receive', frame: { ...frame, payloadLength: '18446744073709551616' } }))
      .rejects.toThrow('payloadLength must be a whole number from 0 to 2^64 − 1 (a number, or a string of digits)');
  });

  it('holds a matching message and everything after it in that direction, while the other direction flows', async () => {
    await t.api.call('setBreakpoint', { rule: { id: 0, enabled: true, phase: 'message', direction: 'send', text: 'secret' } });
    client.socket.write(encodeFrameBytes({ opcode: 1, mask: key, payload: 'before' }));
    await receivedFrames(upstream, 'client', 1);
    client.socket.write(Buffer.concat([
      encodeFrameBytes({ opcode: 1, mask: key, payload: 'the secret' }),
      encodeFrameBytes({ opcode: 9, mask: key, payload: 'ping' }),
      encodeFrameBytes({ opcode: 1, mask: key, payload: 'after' }),
    ]));
    // Everything behind it counts as queued: the ping and the data message gathered after it.
    const held = await t.api.waitForEvent((e) => e.kind === 'held' && e.items.length === 1 && e.items[0]!.queuedCount === 2);
    expect(held.kind === 'held' && held.items[0]).toMatchObject({ kind: 'message', direction: 'send', opcode: 1, dataBase64: b64('the secret'), queued: [{ opcode: 9, length: 4 }, { opcode: 1, length: 5 }], queuedCount: 2 });
    // The other direction is not held.
    upstream.socket.write(encodeFrameBytes({ opcode: 1, payload: 'server talks' }));
    await client.waitForBytes(14);
    expect(framesOf(upstream.bytes, 'client').map((f) => f.payload.toString())).toEqual(['before']);

    const [item] = await t.api.call('listHeld', {});
    await t.api.call('resolveHeld', { id: item!.id, action: 'forward', editedMessage: { opcode: 1, dataBase64: b64('the redacted') } });
    const frames = await receivedFrames(upstream, 'client', 4);
    expect(frames.map((f) => [f.opcode, f.payload.toString()])).toEqual([[1, 'before'], [1, 'the redacted'], [9, 'ping'], [1, 'after']]);

    t.engine.store.flush();
    const har = exportHar(t.engine.store.toConnectionRecords()).log.entries[0] as unknown as HarEntryJson;
    const sent = (har._webSocketFrames as HarFrameJson[]).filter((f) => f.type === 'send');
    expect(sent.map((f) => [f.opcode, f.payloadLength, f.dropped ?? false, f.edited ?? false])).toEqual([
      // The original is dropped and edited: replaced by the edit that follows it.
      [1, 6, false, false], [1, 10, true, true], [1, 12, false, true], [9, 4, false, false], [1, 5, false, false],
    ]);
    const messages = (har._webSocketMessages as (HarEntryJson['_webSocketMessages'][number] & { edited?: true; dropped?: true })[]).filter((m) => m.type === 'send');
    expect(messages.map((m) => [m.data, m.dropped ?? false, m.edited ?? false])).toEqual([
      ['before', false, false], ['the secret', true, true], ['the redacted', false, true], ['after', false, false],
    ]);
    // Export, import and export again keep the flags.
    const { importHar } = await import('../../src/capture/har-import.js');
    const again = exportHar(importHar(JSON.stringify(exportHar(t.engine.store.toConnectionRecords()))).connections);
    expect(again).toEqual(exportHar(t.engine.store.toConnectionRecords()));
  });

  it('passes every byte unchanged while a rule reads every message and matches none', async () => {
    await t.api.call('setBreakpoint', { rule: { id: 0, enabled: true, phase: 'message', direction: 'send', regex: 'never-(here)' } });
    const parts: Buffer[] = [];
    for (let i = 0; i < 100; i++) {
      if (i % 10 === 3) {
        parts.push(encodeFrameBytes({ opcode: 1, fin: false, mask: key, payload: `part-${i}-` }));
        parts.push(encodeFrameBytes({ opcode: 9, mask: key, payload: 'between' }));
        parts.push(encodeFrameBytes({ opcode: 0, mask: key, payload: 'end' }));
      } else {
        parts.push(encodeFrameBytes({ opcode: i % 2 ? 2 : 1, mask: key, payload: Buffer.alloc(i * 7, i) }));
      }
    }
    const all = Buffer.concat(parts);
    // In one write and then in awkward pieces: either way the same bytes arrive, in order.
    client.socket.write(all);
    for (let i = 0; i < all.length; i += 333) client.socket.write(all.subarray(i, i + 333));
    expect((await upstream.waitForBytes(2 * all.length)).equals(Buffer.concat([all, all]))).toBe(true);
    expect(await t.api.call('listHeld', {})).toEqual([]);
  });

  it('drops a held message: the server never sees it, what queued behind it goes on', async () => {
    await t.api.call('setBreakpoint', { rule: { id: 0, enabled: true, phase: 'message', direction: 'both', regex: '^drop' } });
    client.socket.write(Buffer.concat([encodeFrameBytes({ opcode: 1, mask: key, payload: 'drop me' }), encodeFrameBytes({ opcode: 1, mask: key, payload: 'keep me' })]));
    const held = await t.api.waitForEvent((e) => e.kind === 'held' && e.items.length === 1);
    expect(upstream.bytes.length).toBe(0);
    await t.api.call('resolveHeld', { id: held.kind === 'held' ? held.items[0]!.id : 0, action: 'drop' });
    const frames = await receivedFrames(upstream, 'client', 1);
    expect(frames.map((f) => f.payload.toString())).toEqual(['keep me']);
  });

  it('forwards everything held when breakpoints are switched off', async () => {
    await t.api.call('setBreakpoint', { rule: { id: 0, enabled: true, phase: 'message', direction: 'receive' } });
    upstream.socket.write(encodeFrameBytes({ opcode: 1, payload: 'one' }));
    await t.api.waitForEvent((e) => e.kind === 'held' && e.items.length === 1);
    expect(await t.api.call('setBreakpointsEnabled', { on: false })).toEqual({ enabled: false });
    expect((await client.waitForBytes(5)).equals(encodeFrameBytes({ opcode: 1, payload: 'one' }))).toBe(true);
    upstream.socket.write(encodeFrameBytes({ opcode: 1, payload: 'two' }));
    expect((await client.waitForBytes(10)).subarray(5).equals(encodeFrameBytes({ opcode: 1, payload: 'two' }))).toBe(true);
  });

  it('closes cleanly toward both sides with code and reason', async () => {
    await t.api.call('closeConnection', { connectionId, mode: 'clean', toward: 'both', code: 1001, reason: 'going' });
    expect((await client.waitForBytes(9)).equals(encodeFrameBytes({ opcode: 8, payload: Buffer.from([0x03, 0xe9, ...Buffer.from('going')]) }))).toBe(true);
    const [frame] = await receivedFrames(upstream, 'client', 1);
    expect(frame).toMatchObject({ opcode: 8, masked: true, closeCode: 1001, closeReason: 'going' });
  });

  it('closes abruptly: both peers see the connection reset, recorded as 1006', async () => {
    await t.api.call('closeConnection', { connectionId, mode: 'abrupt', toward: 'both' });
    await Promise.all([client.ended, upstream.ended]);
    await t.api.waitForEvent((e) => e.kind === 'connection' && e.connection.state === 'closed');
    expect(t.engine.store.connection(connectionId)!.close).toMatchObject({ code: 1006 });
  });
});

describe('traffic commands with ws peers', () => {
  let t: TestEngine;
  afterEach(async () => t.close());

  it('holds the upgrade request at a handshake breakpoint and sends the edited headers upstream', async () => {
    t = await startTestEngine();
    const server = await startWsServer();
    const seen = new Promise<Record<string, string | string[] | undefined>>((resolve) => server.wss.once('connection', (_ws, req) => resolve(req.headers)));
    await t.api.call('setBreakpoint', { rule: { id: 0, enabled: true, phase: 'handshake', direction: 'send', urlPattern: '/auth' } });
    const ws = wsViaAbsoluteForm(t.proxyPort, `ws://127.0.0.1:${server.port}/auth`);
    const held = await t.api.waitForEvent((e) => e.kind === 'held' && e.items.length === 1);
    const item = held.kind === 'held' ? held.items[0]! : undefined;
    expect(item).toMatchObject({ kind: 'handshake', request: { method: 'GET', target: '/auth' } });
    await t.api.call('resolveHeld', { id: item!.id, action: 'forward', editedRequest: { target: '/auth?edited=1', rawHeaders: [...item!.request!.rawHeaders, 'Authorization', 'Bearer t0ken'] } });
    await opened(ws);
    const headers = await seen;
    expect(headers.authorization).toBe('Bearer t0ken');
    ws.close();
    await server.close();
  });

  it('keeps a compressed connection intact through injections: 1,000 more messages each way arrive', async () => {
    t = await startTestEngine();
    const deflate = { threshold: 0 };
    const server = await startWsServer({ perMessageDeflate: deflate });
    const atServer: string[] = [];
    const serverSide = new Promise<import('ws').WebSocket>((resolve) => server.wss.once('connection', (ws) => {
      ws.on('message', (d) => atServer.push(d.toString()));
      resolve(ws);
    }));
    const client = wsViaAbsoluteForm(t.proxyPort, `ws://127.0.0.1:${server.port}/z`, { perMessageDeflate: deflate });
    const atClient: string[] = [];
    client.on('message', (d) => atClient.push(d.toString()));
    await opened(client);
    const peer = await serverSide;
    const connectionId = t.engine.liveSession.connections[0]!.id;
    // Some traffic first, so both compressors have history.
    for (let i = 0; i < 20; i++) {
      client.send(`warm-up message ${i} with some repeated text repeated text`);
      peer.send(`warm-up reply ${i} with some repeated text repeated text`);
    }
    await until(() => atServer.length === 20 && atClient.length === 20);
    await t.api.call('inject', { connectionId, direction: 'send', message: { kind: 'text', dataBase64: b64('injected toward the server: repeated text') } });
    await t.api.call('inject', { connectionId, direction: 'receive', message: { kind: 'text', dataBase64: b64('injected toward the client: repeated text') } });
    await until(() => atServer.length === 21 && atClient.length === 21);
    expect(t.engine.proxy.relay(connectionId).isReencoding('send')).toBe(true);
    expect(t.engine.proxy.relay(connectionId).isReencoding('receive')).toBe(true);
    const sent: string[] = [];
    const replies: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const a = `client message ${i} ${'x'.repeat(i % 50)} repeated text`;
      const b = `server message ${i} ${'y'.repeat(i % 70)} repeated text`;
      sent.push(a);
      replies.push(b);
      client.send(a);
      peer.send(b);
    }
    await until(() => atServer.length === 1021 && atClient.length === 1021);
    // Frame rows of compressed messages preview the decompressed content, not the wire bytes.
    const { frames } = await t.api.call('queryFrames', { connectionId, start: 0, end: 2 });
    // (Which of the two came first depends on timing.)
    expect(frames.map((f) => [f.rsv1, f.preview, f.previewDecompressed]).sort()).toEqual([
      [true, 'warm-up message 0 with some repeated text repeated text', true],
      [true, 'warm-up reply 0 with some repeated text repeated text', true],
    ]);
    expect(atServer[20]).toBe('injected toward the server: repeated text');
    expect(atClient[20]).toBe('injected toward the client: repeated text');
    expect(atServer.slice(21)).toEqual(sent);
    expect(atClient.slice(21)).toEqual(replies);
    client.close();
    await server.close();
  }, 60_000);

  it('opens a connection in client mode, sends, and records the answers', async () => {
    t = await startTestEngine();
    const server = await startWsServer();
    server.wss.on('connection', (ws, req) => ws.on('message', (d) => ws.send(`echo ${d.toString()} from ${req.headers['x-test']}`)));
    const { connectionId } = await t.api.call('openClient', { url: `ws://127.0.0.1:${server.port}/client`, headers: [['X-Test', 'yes']], protocols: [] });
    await t.api.call('inject', { connectionId, direction: 'send', message: { kind: 'text', dataBase64: b64('hi there') } });
    await until(() => t.engine.store.messageCount(connectionId) === 2);
    const messages = t.engine.store.messages(connectionId, 0, 2).map((m) => [m.direction, m.message.data.toString(), m.injected ?? false]);
    expect(messages).toEqual([['send', 'hi there', false], ['receive', 'echo hi there from yes', false]]);
    await t.api.call('closeConnection', { connectionId, mode: 'clean', toward: 'server', code: 1000 });
    await server.close();
  });

  it('replays a connection and compares the answers message by message', async () => {
    t = await startTestEngine();
    const server = await startWsServer();
    let generation = 0;
    server.wss.on('connection', (ws, req) => {
      const g = generation++;
      ws.on('message', (d) => ws.send(d.toString() === 'b' && g > 0 ? `changed ${d.toString()}` : `re ${d.toString()} ${req.headers.cookie}`));
    });
    const ws = wsViaAbsoluteForm(t.proxyPort, `ws://127.0.0.1:${server.port}/r`, { headers: { Cookie: 'session=42' } });
    await opened(ws);
    for (const m of ['a', 'b', 'c']) {
      ws.send(m);
      await nextMessage(ws);
    }
    ws.close();
    const originalId = t.engine.liveSession.connections[0]!.id;
    await until(() => t.engine.store.connection(originalId)?.state === 'closed');
    const { connectionId } = await t.api.call('replay', { connectionId: originalId, timing: 'fast' });
    const done = await t.api.waitForEvent((e) => e.kind === 'replay-done');
    expect(done.kind === 'replay-done' && done.comparison).toEqual({
      originalId, replayId: connectionId, same: 2, different: 1, missing: 0, extra: 0,
      rows: [
        { index: 0, status: 'same', originalIndex: 0, replayedIndex: 0, original: 're a session=42', replayed: 're a session=42' },
        { index: 1, status: 'different', originalIndex: 1, replayedIndex: 1, original: 're b session=42', replayed: 'changed b' },
        { index: 2, status: 'same', originalIndex: 2, replayedIndex: 2, original: 're c session=42', replayed: 're c session=42' },
      ],
    });
    expect(t.engine.store.connection(connectionId)!.replayOf).toBe(originalId);
    await server.close();
  });
});

async function until(predicate: () => boolean, timeout = 20_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
