// Handshakes that do not become WebSockets: the client gets the server's answer untouched, or the
// proxy's clear 502/504 naming what failed, and every attempt is recorded.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { exportHar } from '../../src/capture/har-export.js';
import { rawClientHandshake } from '../support/peers.js';
import { startProxy, connectionClosed } from '../support/proxy.js';
import type { HarEntryJson } from '../support/har-schema.js';

describe('failed handshakes', () => {
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let upstream: net.Server | undefined;
  beforeEach(async () => {
    proxy = await startProxy({ responseTimeout: 300 });
  });
  afterEach(async () => {
    await proxy.close();
    upstream?.close();
    upstream = undefined;
  });

  async function serve(handler: (socket: net.Socket) => void): Promise<number> {
    upstream = net.createServer(handler);
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    return (upstream.address() as net.AddressInfo).port;
  }

  it('passes a 403 with its body back untouched and records it', async () => {
    const answer = 'HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 14\r\nX-Why: token\r\n\r\nno token given';
    const port = await serve((socket) => socket.once('data', () => socket.write(answer)));
    const client = await rawClientHandshake(proxy.port, `ws://127.0.0.1:${port}/secret`, `127.0.0.1:${port}`);
    await client.peer.waitForBytes(14);
    expect(client.responseHead + client.peer.bytes.toString('latin1')).toBe(answer);
    await connectionClosed(proxy.session);
    const entry = exportHar(proxy.session.connections).log.entries[0] as unknown as HarEntryJson & { response: { content: { text: string }; statusText: string } };
    expect(entry.response.status).toBe(403);
    expect(entry.response.statusText).toBe('Forbidden');
    expect(entry.response.headers).toEqual([
      { name: 'Content-Type', value: 'text/plain' }, { name: 'Content-Length', value: '14' }, { name: 'X-Why', value: 'token' },
    ]);
    expect(entry.response.content.text).toBe('no token given');
    expect(entry._error).toBe('the server answered the handshake with 403 Forbidden');
    expect(proxy.session.connections[0]!.checks.find((c) => c.id === 'status-101')).toMatchObject({ ok: false });
  });

  it('answers 504 when the server accepts the connection but never answers the handshake', async () => {
    const port = await serve(() => {});
    const client = await rawClientHandshake(proxy.port, `ws://127.0.0.1:${port}/silent`, `127.0.0.1:${port}`);
    expect(client.responseHead).toMatch(/^HTTP\/1\.1 504 Gateway Timeout\r\n/);
    await client.peer.ended;
    expect(client.peer.bytes.toString()).toBe('Framescope: the upstream did not answer the handshake within 300 ms\n');
    await connectionClosed(proxy.session);
    expect(proxy.session.connections[0]).toMatchObject({ state: 'failed', error: 'the upstream did not answer the handshake within 300 ms' });
  });

  it('answers 502 when the server closes without answering', async () => {
    const port = await serve((socket) => socket.once('data', () => socket.end()));
    const client = await rawClientHandshake(proxy.port, `ws://127.0.0.1:${port}/rude`, `127.0.0.1:${port}`);
    expect(client.responseHead).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
    await client.peer.ended;
    expect(client.peer.bytes.toString()).toBe('Framescope: the upstream closed the connection without answering the handshake\n');
  });

  it('answers 502 naming a DNS failure', async () => {
    const client = await rawClientHandshake(proxy.port, 'ws://no-such-host.invalid/x', 'no-such-host.invalid');
    expect(client.responseHead).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
    await client.peer.ended;
    expect(client.peer.bytes.toString()).toMatch(/^Framescope: DNS lookup failed for no-such-host\.invalid:80 \((ENOTFOUND|EAI_AGAIN)\)\n$/);
    await connectionClosed(proxy.session);
    expect(proxy.session.connections[0]!.error).toMatch(/^DNS lookup failed for no-such-host\.invalid:80/);
  });

  it('answers an origin-form upgrade on the explicit proxy port with 400 saying how to use it', async () => {
    const client = await rawClientHandshake(proxy.port, '/not-a-proxy-request', `127.0.0.1:${proxy.port}`);
    expect(client.responseHead).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    await client.peer.ended;
    expect(client.peer.bytes.toString()).toContain('send absolute-form requests (ws://host/path) or CONNECT');
  });
});
