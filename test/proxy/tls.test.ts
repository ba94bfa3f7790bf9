// wss:// through a CONNECT tunnel with TLS intercepted by Framescope's CA, and upstream certificate
// verification: a self-signed upstream is refused unless the proxy runs with insecure on.
import { type HarEntryJson } from '../support/har-schema.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { WebSocketServer, type WebSocket } from 'ws';
import { CertificateAuthority } from '../../src/proxy/certificate-authority.js';
import { exportHar } from '../../src/capture/har-export.js';
import { wsViaConnect, opened, nextMessage, closed } from '../support/peers.js';
import { startProxy, connectionClosed } from '../support/proxy.js';

describe('TLS', () => {
  let home: string;
  let proxyCa: CertificateAuthority;
  let upstreamCa: CertificateAuthority;
  let upstream: https.Server;
  let upstreamPort: number;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'framescope-tls-'));
    proxyCa = CertificateAuthority.loadOrCreate(join(home, 'proxy-ca'));
    // The upstream's own CA stands in for a self-signed dev server: nobody trusts it by default.
    upstreamCa = CertificateAuthority.loadOrCreate(join(home, 'upstream-ca'));
    const leaf = upstreamCa.certificateFor('localhost');
    upstream = https.createServer({ cert: leaf.cert, key: leaf.key });
    const wss = new WebSocketServer({ server: upstream });
    wss.on('connection', (ws: WebSocket) => ws.on('message', (d) => ws.send(`secure echo: ${d.toString()}`)));
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    upstreamPort = (upstream.address() as { port: number }).port;
  });
  afterAll(() => {
    upstream.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('intercepts wss:// in a CONNECT tunnel for a client that trusts the Framescope CA', async () => {
    const proxy = await startProxy({ certificateAuthority: () => proxyCa, upstreamCa: upstreamCa.certPem });
    try {
      const client = wsViaConnect(proxy.port, `wss://localhost:${upstreamPort}/secure`, { tls: { ca: proxyCa.certPem } });
      await opened(client);
      client.send('over tls');
      expect((await nextMessage(client)).data.toString()).toBe('secure echo: over tls');
      const done = closed(client);
      client.close(1000);
      await done;
      await connectionClosed(proxy.session);
      const entry = exportHar(proxy.session.connections).log.entries[0] as unknown as HarEntryJson;
      expect(entry.request.url).toBe(`wss://localhost:${upstreamPort}/secure`);
      expect(entry._framescope.tls).toEqual({ verified: true, insecure: false });
      expect(entry._webSocketMessages.map((m: { data: string }) => m.data)).toEqual(['over tls', 'secure echo: over tls']);
    } finally {
      await proxy.close();
    }
  });

  it('refuses a client that does not trust the Framescope CA', async () => {
    const proxy = await startProxy({ certificateAuthority: () => proxyCa, upstreamCa: upstreamCa.certPem });
    try {
      const client = wsViaConnect(proxy.port, `wss://localhost:${upstreamPort}/secure`);
      await expect(opened(client)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    } finally {
      await proxy.close();
    }
  });

  it('answers 502 naming the certificate error when the upstream certificate does not verify', async () => {
    const proxy = await startProxy({ certificateAuthority: () => proxyCa });
    try {
      const client = wsViaConnect(proxy.port, `wss://localhost:${upstreamPort}/secure`, { tls: { ca: proxyCa.certPem } });
      const response = new Promise<{ status: number; body: string }>((resolve) => {
        client.once('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
      });
      client.on('error', () => {});
      const { status, body } = await response;
      expect(status).toBe(502);
      expect(body).toMatch(/TLS certificate failed verification \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\); start the proxy with --insecure/);
      await connectionClosed(proxy.session);
      const c = proxy.session.connections[0]!;
      expect(c.state).toBe('failed');
      expect(c.error).toBe(body.replace(/^Framescope: /, '').trim());
    } finally {
      await proxy.close();
    }
  });

  it('accepts the self-signed upstream with insecure on and records that it did not verify', async () => {
    const proxy = await startProxy({ certificateAuthority: () => proxyCa, insecure: true });
    try {
      const client = wsViaConnect(proxy.port, `wss://localhost:${upstreamPort}/secure`, { tls: { ca: proxyCa.certPem } });
      await opened(client);
      client.send('anyway');
      expect((await nextMessage(client)).data.toString()).toBe('secure echo: anyway');
      client.close();
      await connectionClosed(proxy.session);
      expect(proxy.session.connections[0]!.tls).toMatchObject({ verified: false, insecure: true });
      expect(proxy.session.connections[0]!.tls!.error).toMatch(/^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)$/);
    } finally {
      await proxy.close();
    }
  });
});
