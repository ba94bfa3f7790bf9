// wss://127.0.0.1 and wss://localhost both validate for a ws client that tunnels through the proxy with
// https-proxy-agent and trusts the CA through NODE_EXTRA_CA_CERTS only. The agent gives tls.connect
// neither servername nor host for an IP literal, so Node checks the leaf against "localhost": the leaf
// for an IP literal names localhost beside its IP address (see IP_LEAF_EXTRA_NAME).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import https from 'node:https';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { exportHar } from '../../src/capture/har-export.js';
import { type HarEntryJson } from '../support/har-schema.js';
import { CertificateAuthority } from '../../src/proxy/certificate-authority.js';
import { startProxy, until } from '../support/proxy.js';

const CLIENT = fileURLToPath(new URL('./fixtures/ws-through-proxy-agent.mjs', import.meta.url));

function runClient(proxyPort: number, url: string, caPath: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLIENT, `http://127.0.0.1:${proxyPort}`, url], { env: { ...process.env, NODE_EXTRA_CA_CERTS: caPath } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('leaf certificates for IP literals', () => {
  let home: string;
  let proxyCa: CertificateAuthority;
  let upstream: https.Server;
  let upstreamPort: number;
  let proxy: Awaited<ReturnType<typeof startProxy>>;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'framescope-ip-leaf-'));
    proxyCa = CertificateAuthority.loadOrCreate(join(home, 'proxy-ca'));
    const upstreamCa = CertificateAuthority.loadOrCreate(join(home, 'upstream-ca'));
    const leaf = upstreamCa.certificateFor('127.0.0.1');
    // The leaf for 127.0.0.1 by default (no SNI for an IP), the leaf for the name asked for otherwise.
    upstream = https.createServer({ cert: leaf.cert, key: leaf.key, SNICallback: upstreamCa.sniCallback });
    const wss = new WebSocketServer({ server: upstream });
    wss.on('connection', (ws: WebSocket) => ws.on('message', (d) => ws.send(`echo: ${d.toString()}`)));
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    upstreamPort = (upstream.address() as { port: number }).port;
    proxy = await startProxy({ certificateAuthority: () => proxyCa, upstreamCa: upstreamCa.certPem });
  });
  afterAll(async () => {
    await proxy.close();
    upstream.close();
    rmSync(home, { recursive: true, force: true });
  });

  it.each(['127.0.0.1', 'localhost'])('wss://%s validates through https-proxy-agent with NODE_EXTRA_CA_CERTS alone', async (host) => {
    const before = proxy.session.connections.length;
    const result = await runClient(proxy.port, `wss://${host}:${upstreamPort}/feed`, proxyCa.certPath);
    expect(result.stdout).toBe(`${JSON.stringify({ reply: 'echo: hello' })}\n`);
    expect(result.code).toBe(0);
    await until(proxy.session, () => proxy.session.connections.length > before && proxy.session.connections[before]!.state === 'closed');
    const entry = exportHar([proxy.session.connections[before]!]).log.entries[0] as unknown as HarEntryJson;
    expect(entry.request.url).toBe(`wss://${host}:${upstreamPort}/feed`);
    expect(entry._webSocketMessages.map((m) => [m.type, m.data])).toEqual([['send', 'hello'], ['receive', 'echo: hello']]);
  });

  it('names localhost beside the IP address in the leaf for an IP literal, and nothing else', async () => {
    const { X509Certificate } = await import('node:crypto');
    expect(new X509Certificate(proxyCa.certificateFor('127.0.0.1').cert).subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost');
    expect(new X509Certificate(proxyCa.certificateFor('10.1.2.3').cert).subjectAltName).toBe('IP Address:10.1.2.3, DNS:localhost');
    expect(new X509Certificate(proxyCa.certificateFor('example.test').cert).subjectAltName).toBe('DNS:example.test');
  });
});
