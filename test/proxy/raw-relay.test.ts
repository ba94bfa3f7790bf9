// Raw TCP peers on both ends: the proxy passes every byte through unchanged, malformed frames
// included, records their violations, and keeps serving other connections.
import { type HarEntryJson } from '../support/har-schema.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import { exportHar } from '../../src/capture/har-export.js';
import { startRawServer, rawClientHandshake, startWsServer, wsViaAbsoluteForm, opened, nextMessage } from '../support/peers.js';
import { startProxy, until } from '../support/proxy.js';

const key = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

describe('the relay at the byte level', () => {
  let server: Awaited<ReturnType<typeof startRawServer>>;
  let proxy: Awaited<ReturnType<typeof startProxy>>;

  beforeEach(async () => {
    server = await startRawServer();
    proxy = await startProxy();
  });
  afterEach(async () => {
    await proxy.close();
    await server.close();
  });

  async function pair() {
    const client = await rawClientHandshake(proxy.port, `ws://127.0.0.1:${server.port}/raw`, `127.0.0.1:${server.port}`);
    const upstream = await server.nextConnection();
    return { client, upstream };
  }

  it('delivers exactly the bytes each peer sent, in both directions, malformed frames included', async () => {
    const { client, upstream } = await pair();
    expect(client.responseHead).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(upstream.request).toMatch(/^GET \/raw HTTP\/1\.1\r\n/);

    const fromClient = Buffer.concat([
      encodeFrameBytes({ opcode: 1, mask: key, payload: 'Hello' }),
      encodeFrameBytes({ opcode: 2, fin: false, mask: Buffer.from([1, 2, 3, 4]), payload: Buffer.alloc(300, 7) }),
      encodeFrameBytes({ opcode: 9, mask: key, payload: 'ping' }),
      encodeFrameBytes({ opcode: 0, mask: Buffer.from([9, 9, 9, 9]), payload: Buffer.alloc(1000, 1), lengthForm: 64 }),
      encodeFrameBytes({ opcode: 1, payload: 'unmasked!' }),
      encodeFrameBytes({ opcode: 3, mask: key, rsv2: true, payload: 'odd' }),
    ]);
    const fromServer = Buffer.concat([
      encodeFrameBytes({ opcode: 1, payload: 'Hi' }),
      encodeFrameBytes({ opcode: 10, payload: 'pong' }),
      encodeFrameBytes({ opcode: 1, mask: key, payload: 'masked by the server' }),
      encodeFrameBytes({ opcode: 8, payload: Buffer.from([0x03, 0xe8]) }),
    ]);
    // Written in uneven pieces so frames span TCP segments.
    for (let i = 0; i < fromClient.length; i += 997) client.peer.socket.write(fromClient.subarray(i, i + 997));
    upstream.socket.write(fromServer);

    expect((await upstream.waitForBytes(fromClient.length)).equals(fromClient)).toBe(true);
    expect((await client.peer.waitForBytes(fromServer.length)).equals(fromServer)).toBe(true);
    await until(proxy.session, () => proxy.session.connections[0]!.frames.length === 10);

    const frames = proxy.session.connections[0]!.frames;
    const byDirection = (d: string) => frames.filter((f) => f.direction === d).map((f) => [f.frame.opcode, f.frame.violations]);
    expect(byDirection('send')).toEqual([
      [1, []], [2, []], [9, []], [0, ['non-minimal-length']], [1, ['unmasked-client-frame']],
      [3, ['reserved-opcode', 'rsv-without-extension']],
    ]);
    expect(byDirection('receive')).toEqual([[1, []], [10, []], [1, ['masked-server-frame']], [8, []]]);
    const sizes = (d: string) => proxy.session.connections[0]!.messages.filter((m) => m.direction === d).map((m) => m.message.data.length);
    expect(sizes('send')).toEqual([5, 1300, 9]);
    expect(sizes('receive')).toEqual([2, 20]);
  });

  it('records a frame cut off by the end of the connection as truncated-frame', async () => {
    const { client, upstream } = await pair();
    const whole = encodeFrameBytes({ opcode: 2, mask: key, payload: Buffer.alloc(1000, 3) });
    client.peer.socket.end(whole.subarray(0, 500));
    await upstream.waitForBytes(500);
    await until(proxy.session, () => proxy.session.connections[0]!.state === 'closed');
    const c = proxy.session.connections[0]!;
    expect(c.frames).toHaveLength(1);
    expect(c.frames[0]!.frame).toMatchObject({ opcode: 2, payloadLength: 1000, truncated: true, violations: ['truncated-frame'] });
    expect(c.close).toEqual({ code: 1006, reason: '', closedBy: 'client' });
    const har = exportHar(proxy.session.connections).log.entries[0] as unknown as HarEntryJson;
    expect(har._webSocketFrames[0].violations).toEqual(['truncated-frame']);
  });

  it('records an oversized control frame and an unmasked client frame while a second connection keeps working', async () => {
    const { client, upstream } = await pair();
    const bad = Buffer.concat([
      encodeFrameBytes({ opcode: 9, mask: key, payload: Buffer.alloc(200, 0x61) }),
      encodeFrameBytes({ opcode: 1, payload: 'no mask' }),
    ]);
    client.peer.socket.write(bad);
    expect((await upstream.waitForBytes(bad.length)).equals(bad)).toBe(true);

    const echo = await startWsServer();
    echo.wss.on('connection', (ws) => ws.on('message', (d) => ws.send(d)));
    const other = wsViaAbsoluteForm(proxy.port, `ws://127.0.0.1:${echo.port}/second`);
    await opened(other);
    other.send('still here');
    expect((await nextMessage(other)).data.toString()).toBe('still here');
    other.close();
    await echo.close();

    const first = proxy.session.connections[0]!;
    expect(first.frames.map((f) => f.frame.violations)).toEqual([['control-frame-too-long'], ['unmasked-client-frame']]);
  });

  it('holds both senders while the capture store is behind and delivers everything once it caught up', async () => {
    const { client, upstream } = await pair();
    proxy.proxy.holdForStore(true);
    const frame = encodeFrameBytes({ opcode: 1, mask: key, payload: 'held back' });
    client.peer.socket.write(frame);
    upstream.socket.write(encodeFrameBytes({ opcode: 1, payload: 'me too' }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(upstream.bytes.length).toBe(0);
    expect(client.peer.bytes.length).toBe(0);
    // A connection that starts meanwhile starts held too.
    const late = await rawClientHandshake(proxy.port, `ws://127.0.0.1:${server.port}/late`, `127.0.0.1:${server.port}`);
    const lateUpstream = await server.nextConnection();
    late.peer.socket.write(frame);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lateUpstream.bytes.length).toBe(0);
    proxy.proxy.holdForStore(false);
    expect((await upstream.waitForBytes(frame.length)).equals(frame)).toBe(true);
    expect((await client.peer.waitForBytes(8)).equals(encodeFrameBytes({ opcode: 1, payload: 'me too' }))).toBe(true);
    expect((await lateUpstream.waitForBytes(frame.length)).equals(frame)).toBe(true);
  });

  it('answers garbage on the proxy port with 400, records it, and keeps serving', async () => {
    const garbage = net.connect({ host: '127.0.0.1', port: proxy.port });
    await once(garbage, 'connect');
    garbage.write(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a]));
    const [answer] = (await once(garbage, 'data')) as [Buffer];
    expect(answer.toString('latin1')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(proxy.session.errors[0]!.message).toBe(`bad request from 127.0.0.1:${garbage.localPort} answered 400: the request could not be parsed (HPE_INVALID_METHOD)`);

    const { client, upstream } = await pair();
    const frame = encodeFrameBytes({ opcode: 1, mask: key, payload: 'after garbage' });
    client.peer.socket.write(frame);
    expect((await upstream.waitForBytes(frame.length)).equals(frame)).toBe(true);
  });
});
