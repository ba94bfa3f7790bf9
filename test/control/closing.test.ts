// Closing through the proxy, over raw sockets: the proxy's own close frames never make a peer receive
// two, the peers' answers to them are recorded but not forwarded, and a connection always reaches
// CLOSED with the code of the first close frame, whoever ended it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import { RawPeer } from '../support/peers.js';
import type { TestEngine } from '../support/engine.js';
import { openRawConnection, closeRawConnection, type RawConnection, framesOf } from '../support/raw-connection.js';

const key = Buffer.from([1, 2, 3, 4]);
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const closePayload = (code: number, reason = '') => Buffer.concat([Buffer.from([code >> 8, code & 0xff]), Buffer.from(reason)]);

/** A raw client that, like a browser, keeps its side open after the proxy's FIN (allowHalfOpen). */
async function halfOpenClient(proxyPort: number, serverPort: number): Promise<RawPeer> {
  const socket = net.connect({ host: '127.0.0.1', port: proxyPort, allowHalfOpen: true });
  await once(socket, 'connect');
  socket.write(`GET ws://127.0.0.1:${serverPort}/close HTTP/1.1\r\nHost: 127.0.0.1:${serverPort}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  const peer = new RawPeer(socket);
  while (peer.bytes.indexOf('\r\n\r\n') < 0) await peer.waitForBytes(peer.bytes.length + 1);
  peer.take(peer.bytes.indexOf('\r\n\r\n') + 4);
  return peer;
}

async function until(predicate: () => boolean, timeout = 15_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('closing through the proxy', () => {
  let t: TestEngine;
  let client: RawPeer;
  let upstream: RawPeer;
  let connectionId: number;

  let c: RawConnection;
  beforeEach(async () => {
    c = await openRawConnection(halfOpenClient);
    ({ t, client, upstream, connectionId } = c);
  });
  afterEach(() => closeRawConnection(c));

  const recorded = () => {
    t.engine.store.flush();
    return t.engine.store.frames(connectionId, 0, 100).map((f) => [f.direction, f.opcode, f.closeCode, f.injected, f.dropped]);
  };

  it('closes both peers with exactly one close frame on each wire; the peers\' answers are recorded, not forwarded', async () => {
    await t.api.call('closeConnection', { connectionId, mode: 'clean', toward: 'both', code: 1001, reason: 'going' });
    const toClient = encodeFrameBytes({ opcode: 8, payload: closePayload(1001, 'going') });
    expect((await client.waitForBytes(toClient.length)).equals(toClient)).toBe(true);
    const [toServer] = framesOf(await upstream.waitForBytes(13), 'client');
    expect(toServer).toMatchObject({ opcode: 8, masked: true, payloadLength: 7, closeCode: 1001, closeReason: 'going' });
    // Each peer answers the close it got, as RFC 6455 section 5.5.1 asks; the server then ends TCP.
    client.socket.write(encodeFrameBytes({ opcode: 8, mask: key, payload: closePayload(1001, 'going') }));
    upstream.socket.write(encodeFrameBytes({ opcode: 8, payload: closePayload(1001, 'going') }));
    await until(() => recorded().length === 4);
    upstream.socket.end();
    client.socket.end();
    await until(() => t.engine.store.connection(connectionId)?.state === 'closed');
    await Promise.all([client.ended, upstream.ended]);
    // Exactly the proxy's one close frame on each wire, nothing after it.
    expect(client.bytes.equals(toClient)).toBe(true);
    expect(upstream.bytes.length).toBe(13);
    expect(recorded().sort()).toEqual([
      ['receive', 8, 1001, false, true],
      ['receive', 8, 1001, true, false],
      ['send', 8, 1001, false, true],
      ['send', 8, 1001, true, false],
    ].sort());
    expect(t.engine.store.connection(connectionId)!.close).toMatchObject({ code: 1001, reason: 'going' });
  });

  it('closes toward the server only: the server\'s answer goes to the client, the client\'s answer is not sent to the server again', async () => {
    await t.api.call('closeConnection', { connectionId, mode: 'clean', toward: 'server', code: 4000 });
    expect(framesOf(await upstream.waitForBytes(8), 'client').map((f) => [f.opcode, f.closeCode])).toEqual([[8, 4000]]);
    const answer = encodeFrameBytes({ opcode: 8, payload: closePayload(4000) });
    upstream.socket.write(answer);
    expect((await client.waitForBytes(answer.length)).equals(answer)).toBe(true);
    client.socket.write(encodeFrameBytes({ opcode: 8, mask: key, payload: closePayload(4000) }));
    await until(() => recorded().length === 3);
    upstream.socket.end();
    client.socket.end();
    await until(() => t.engine.store.connection(connectionId)?.state === 'closed');
    expect(upstream.bytes.length).toBe(8);
    expect(client.bytes.equals(answer)).toBe(true);
    expect(recorded()).toEqual([['send', 8, 4000, true, false], ['receive', 8, 4000, false, false], ['send', 8, 4000, false, true]]);
  });

  it('drops what the client sends after the proxy closed toward the server, so the server gets nothing after the close', async () => {
    await t.api.call('closeConnection', { connectionId, mode: 'clean', toward: 'server', code: 1000 });
    await upstream.waitForBytes(8);
    client.socket.write(encodeFrameBytes({ opcode: 1, mask: key, payload: 'late' }));
    await until(() => recorded().length === 2);
    t.engine.store.flush();
    expect(recorded()[1]).toEqual(['send', 1, undefined, false, true]);
    expect(t.engine.store.messages(connectionId, 0, 1).map((m) => [m.message.data.toString(), m.dropped])).toEqual([['late', true]]);
    expect(upstream.bytes.length).toBe(8);
  });

  it('refuses to inject after a close, but sends a hand-crafted frame and records its violation as the proxy\'s own', async () => {
    await t.api.call('inject', { connectionId, direction: 'receive', message: { kind: 'close', closeCode: 1000 } });
    await client.waitForBytes(4);
    await expect(t.api.call('inject', { connectionId, direction: 'receive', message: { kind: 'text', dataBase64: b64('more') } }))
      .rejects.toThrow('the client has already received a close frame');
    await expect(t.api.call('closeConnection', { connectionId, mode: 'clean', toward: 'client', code: 1000 })).rejects.toThrow('the client has already received a close frame');
    await t.api.call('sendRawFrame', { connectionId, direction: 'receive', frame: { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, mask: false, payloadBase64: b64('raw') } });
    expect((await client.waitForBytes(9)).subarray(4).equals(Buffer.from([0x81, 0x03, 0x72, 0x61, 0x77]))).toBe(true);
    t.engine.store.flush();
    expect(t.engine.store.frames(connectionId, 0, 10).map((f) => [f.opcode, f.injected, f.violations])).toEqual([[8, true, []], [1, true, ['frame-after-close']]]);
  });

  it('reaches CLOSED with the server\'s 1002 when the server closes and ends TCP, and the client answers on its half-open socket', async () => {
    // The server fails the connection (as ws does on a protocol error): close 1002, then FIN at once.
    upstream.socket.end(encodeFrameBytes({ opcode: 8, payload: closePayload(1002) }));
    await client.waitForBytes(4);
    // The client, like Chromium, answers the close after the proxy passed the FIN on, then closes.
    client.socket.end(encodeFrameBytes({ opcode: 8, mask: key, payload: closePayload(1002) }));
    await until(() => t.engine.store.connection(connectionId)?.state === 'closed', 8_000);
    const c = t.engine.store.connection(connectionId)!;
    expect(c.close).toEqual({ code: 1002, reason: '', closedBy: 'server' });
    expect(c.endedAt).toBeGreaterThanOrEqual(c.startedAt);
    const summary = (await t.api.call('listConnections', {})).find((s) => s.id === connectionId)!;
    expect(summary).toMatchObject({ state: 'closed', close: { code: 1002, closedBy: 'server' } });
    expect(summary.endedAt).toBe(c.endedAt);
  });
});
