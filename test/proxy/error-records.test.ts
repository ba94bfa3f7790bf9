// What the session's error record says about failures at the proxy's edges: a forwarding failure
// names the host and port it could not reach, and a failed TLS handshake with a client is one record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateAuthority } from '../../src/proxy/certificate-authority.js';
import { startProxy, until } from '../support/proxy.js';
import { rawExchange, statusLine } from '../support/raw-http.js';

describe('error records', () => {
  let home: string;
  let proxy: Awaited<ReturnType<typeof startProxy>>;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'framescope-records-'));
    const ca = CertificateAuthority.loadOrCreate(join(home, 'ca'));
    proxy = await startProxy({ certificateAuthority: () => ca, connectTimeout: 5_000 });
  });
  afterAll(async () => {
    await proxy.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('names the host and port a plain HTTP request could not be forwarded to', async () => {
    proxy.session.errors.length = 0;
    const { answer } = await rawExchange(proxy.port, 'GET http://no-such-host.invalid:8081/page HTTP/1.1\r\nHost: no-such-host.invalid:8081\r\n\r\n');
    expect(statusLine(answer)).toBe('HTTP/1.1 502 Bad Gateway');
    expect(proxy.session.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^could not forward GET http:\/\/no-such-host\.invalid:8081\/page: DNS lookup failed for no-such-host\.invalid:8081 \((ENOTFOUND|EAI_AGAIN)\)$/),
    ]);
    expect(answer.toString('latin1')).toContain('Framescope: could not forward GET http://no-such-host.invalid:8081/page: DNS lookup failed for no-such-host.invalid:8081');
  });

  it('names the host and port a refused forward went to', async () => {
    proxy.session.errors.length = 0;
    const { answer } = await rawExchange(proxy.port, 'GET http://127.0.0.1:1/ HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n');
    expect(statusLine(answer)).toBe('HTTP/1.1 502 Bad Gateway');
    expect(proxy.session.errors.map((e) => e.message)).toEqual([
      'could not forward GET http://127.0.0.1:1/: upstream 127.0.0.1:1 refused the connection (ECONNREFUSED)',
    ]);
  });

  it('records a failed TLS handshake with a client once', async () => {
    proxy.session.errors.length = 0;
    // A TLS record that holds no valid ClientHello: the intercepting TLS server fails on it.
    const { answer, closed } = await rawExchange(proxy.port, ['CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', Buffer.from('16030100050100000100', 'hex')]);
    expect(answer.toString('latin1')).toMatch(/^HTTP\/1\.1 200 Connection Established\r\n\r\n/);
    expect(closed).toBe(true);
    await until(proxy.session, () => proxy.session.errors.length > 0);
    // Give a second record every chance to appear.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(proxy.session.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^TLS with the client for example\.com failed: ERR_SSL_[A-Z_]+$/),
    ]);
  });
});
