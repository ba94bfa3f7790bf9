// listLaunches and launchBrowser through the control API: a CONNECT carrying a launch tag is counted
// while its tunnel is open; launchBrowser starts nothing for a kind or a URL it does not take.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { startTestEngine, type TestEngine } from '../support/engine.js';

async function until(predicate: () => Promise<boolean>, timeout = 15_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('launch commands', () => {
  let t: TestEngine;
  let target: net.Server;
  let targetPort: number;

  beforeAll(async () => {
    t = await startTestEngine();
    target = net.createServer((socket) => socket.on('data', () => {}));
    target.listen(0, '127.0.0.1');
    await once(target, 'listening');
    targetPort = (target.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    target.close();
    await t.close();
  });

  it('lists a tagged CONNECT tunnel while it is open, and only tagged ones', async () => {
    const tunnel = (authorization?: string) => {
      const socket = net.connect(t.proxyPort, '127.0.0.1');
      socket.write(`CONNECT 127.0.0.1:${targetPort} HTTP/1.1\r\nHost: 127.0.0.1:${targetPort}\r\n${authorization ? `Proxy-Authorization: ${authorization}\r\n` : ''}\r\n`);
      return socket;
    };
    const untagged = tunnel();
    const tagged = tunnel(`Basic ${Buffer.from('run.python3:0a0b0c0d').toString('base64')}`);
    await once(tagged, 'data');
    await once(untagged, 'data');
    const launches = await t.api.call('listLaunches', {});
    expect(launches).toHaveLength(1);
    expect(launches[0]).toMatchObject({ kind: 'run', program: 'python3', id: '0a0b0c0d', openTunnels: 1, connectionIds: [] });
    // Bytes that are neither TLS nor HTTP make a raw tunnel to the target, which ends with the client.
    tagged.write('raw bytes');
    tagged.destroy();
    await until(async () => (await t.api.call('listLaunches', {}))[0]!.openTunnels === 0);
    untagged.destroy();
  });

  it('refuses a browser kind or a URL it does not take', async () => {
    await expect(t.api.call('launchBrowser', { kind: 'safari' as 'chromium' })).rejects.toThrow('cannot launch "safari": chromium or firefox');
    await expect(t.api.call('launchBrowser', { kind: 'chromium', url: '--remote-debugging-port=9222' })).rejects.toThrow('url must be an http(s) URL or about:blank, not "--remote-debugging-port=9222"');
    await expect(t.api.call('launchBrowser', { kind: 'firefox', url: 'file:///etc/passwd' })).rejects.toThrow('url must be an http(s) URL or about:blank, not "file:///etc/passwd"');
  });
});
