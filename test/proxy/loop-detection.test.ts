// Which targets are the proxy's own listener, for each kind of bind, and a real ::1 listener that
// refuses a CONNECT to itself.
import { describe, expect, it } from 'vitest';
import { networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';
import { LoopDetector } from '../../src/proxy/loop-detection.js';
import { startProxy, until } from '../support/proxy.js';
import net from 'node:net';

function boundTo(address: string, port = 8080): LoopDetector {
  return new LoopDetector(() => ({ address, port, family: address.includes(':') ? 'IPv6' : 'IPv4' }) as AddressInfo);
}

/** A non-loopback IPv4 address of this machine, when it has one. */
const interfaceV4 = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

describe('the loop detector', () => {
  it('bound to 127.0.0.1: that address, localhost and the unspecified addresses on its port, nothing else', () => {
    const d = boundTo('127.0.0.1');
    expect(['127.0.0.1', 'localhost', 'LOCALHOST.', 'app.localhost', '0.0.0.0', '::', '::ffff:127.0.0.1', '[::ffff:127.0.0.1]'].map((h) => [h, d.targetsSelf(h, 8080)]))
      .toEqual(['127.0.0.1', 'localhost', 'LOCALHOST.', 'app.localhost', '0.0.0.0', '::', '::ffff:127.0.0.1', '[::ffff:127.0.0.1]'].map((h) => [h, true]));
    expect(['127.0.0.2', '::1', 'example.com', '10.0.0.1'].map((h) => d.targetsSelf(h, 8080))).toEqual([false, false, false, false]);
    expect(d.targetsSelf('127.0.0.1', 8081)).toBe(false);
  });

  it('bound to ::1: that address and localhost, not IPv4 loopback', () => {
    const d = boundTo('::1');
    expect(d.targetsSelf('::1', 8080)).toBe(true);
    expect(d.targetsSelf('[::1]', 8080)).toBe(true);
    expect(d.targetsSelf('localhost', 8080)).toBe(true);
    expect(d.targetsSelf('127.0.0.1', 8080)).toBe(false);
  });

  it('bound to 0.0.0.0: every IPv4 loopback and interface address, not IPv6', () => {
    const d = boundTo('0.0.0.0');
    expect(d.targetsSelf('127.0.0.1', 8080)).toBe(true);
    expect(d.targetsSelf('127.1.2.3', 8080)).toBe(true);
    expect(d.targetsSelf('localhost', 8080)).toBe(true);
    if (interfaceV4) expect(d.targetsSelf(interfaceV4, 8080)).toBe(true);
    expect(d.targetsSelf('::1', 8080)).toBe(false);
    expect(d.targetsSelf('192.0.2.200', 8080)).toBe(interfaceV4 === '192.0.2.200');
  });

  it('bound to :: (both families): loopback of both families and the interfaces', () => {
    const d = boundTo('::');
    expect(d.targetsSelf('::1', 8080)).toBe(true);
    expect(d.targetsSelf('127.0.0.1', 8080)).toBe(true);
    if (interfaceV4) expect(d.targetsSelf(interfaceV4, 8080)).toBe(true);
    expect(d.targetsSelf('example.com', 8080)).toBe(false);
  });

  it('not listening yet: nothing is a loop', () => {
    expect(new LoopDetector(() => null).targetsSelf('127.0.0.1', 8080)).toBe(false);
  });
});

describe('a proxy listening on ::1', () => {
  it('answers a CONNECT to [::1] on its own port with 508 and records it', async () => {
    const proxy = await startProxy({ host: '::1' });
    try {
      const socket = net.connect({ host: '::1', port: proxy.port });
      const chunks: Buffer[] = [];
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.write(`CONNECT [::1]:${proxy.port} HTTP/1.1\r\nHost: [::1]:${proxy.port}\r\n\r\n`);
      await new Promise((resolve) => socket.once('close', resolve));
      expect(Buffer.concat(chunks).toString('latin1').split('\r\n')[0]).toBe('HTTP/1.1 508 Loop Detected');
      await until(proxy.session, () => proxy.session.errors.length > 0);
      expect(proxy.session.errors.map((e) => e.message.replace(/\[::1\]:\d+ answered/, 'C answered'))).toEqual([
        `CONNECT [::1]:${proxy.port} from C answered 508: CONNECT to [::1]:${proxy.port} is this proxy's own listener: refusing the loop`,
      ]);
    } finally {
      await proxy.close();
    }
  });
});
