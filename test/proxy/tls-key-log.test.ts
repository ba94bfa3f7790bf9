// `framescope proxy --keylog FILE` (and SSLKEYLOGFILE): both intercepted legs' TLS secrets in NSS key log
// format, mode 0600, so that tshark decrypts a loopback capture taken at the same time and shows the
// WebSocket frames inside both legs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from 'node:https';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { WebSocketServer, type WebSocket } from 'ws';
import { CertificateAuthority } from '../../src/proxy/certificate-authority.js';
import { caDir } from '../../src/home.js';
import { wsViaConnect, opened, nextMessage, closed } from '../support/peers.js';
import { startProxyProcess, exited, BIN } from '../support/cli.js';
import { execFileSync, spawnSync } from 'node:child_process';

interface HarEntry { request: { url: string }; _webSocketFrames: ({ time: number } & Record<string, unknown>)[]; _webSocketMessages: { type: string; data: string }[] }
import { startLoopbackCapture, tsharkFrames, TSHARK } from '../support/live-capture.js';

const SECRET_LINE = /^(CLIENT_HANDSHAKE_TRAFFIC_SECRET|SERVER_HANDSHAKE_TRAFFIC_SECRET|CLIENT_TRAFFIC_SECRET_0|SERVER_TRAFFIC_SECRET_0|EXPORTER_SECRET|CLIENT_RANDOM) [0-9a-f]{64} [0-9a-f]{64,96}$/;

describe.runIf(existsSync(TSHARK))('TLS key log of both intercepted legs', () => {
  let home: string;
  let upstream: https.Server;
  let upstreamPort: number;
  let proxyCa: CertificateAuthority;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'framescope-keylog-'));
    proxyCa = CertificateAuthority.loadOrCreate(caDir({ FRAMESCOPE_HOME: home }));
    const upstreamCa = CertificateAuthority.loadOrCreate(join(home, 'upstream-ca'));
    const leaf = upstreamCa.certificateFor('localhost');
    upstream = https.createServer({ cert: leaf.cert, key: leaf.key });
    const wss = new WebSocketServer({ server: upstream, perMessageDeflate: false });
    wss.on('connection', (ws: WebSocket) => ws.on('message', (d) => ws.send(`secure echo: ${d.toString()}`)));
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    upstreamPort = (upstream.address() as { port: number }).port;
  });
  afterAll(() => {
    upstream.close();
    rmSync(home, { recursive: true, force: true });
  });

  async function converse(proxyPort: number): Promise<void> {
    const client = wsViaConnect(proxyPort, `wss://localhost:${upstreamPort}/secret`, { tls: { ca: proxyCa.certPem }, perMessageDeflate: false });
    await opened(client);
    client.send('hidden in tls');
    expect((await nextMessage(client)).data.toString()).toBe('secure echo: hidden in tls');
    const done = closed(client);
    client.close(1000, 'done');
    await done;
  }

  it('lets tshark decrypt a capture of a wss session and show its frames on both legs', async () => {
    const keylog = join(home, 'keys.log');
    const env: NodeJS.ProcessEnv = { ...process.env, FRAMESCOPE_HOME: home };
    delete env.SSLKEYLOGFILE;
    const proxy = await startProxyProcess(['--keylog', keylog, '--insecure', '--session', 'proxied'], env);
    const file = join(home, 'tls.pcapng');
    try {
      const capture = await startLoopbackCapture(file, [proxy.port, upstreamPort]);
      try {
        await converse(proxy.port);
      } finally {
        await capture.stop();
      }
    } finally {
      proxy.child.kill('SIGTERM');
      await exited(proxy.child);
    }
    expect(statSync(keylog).mode & 0o777).toBe(0o600);
    const lines = readFileSync(keylog, 'utf8').trim().split('\n');
    for (const line of lines) expect(line).toMatch(SECRET_LINE);
    // TLS 1.3 on both legs: each handshake writes its five secrets under its own client random.
    const randoms = new Set(lines.map((l) => l.split(' ')[1]));
    expect(randoms.size).toBe(2);
    expect(lines.filter((l) => l.startsWith('CLIENT_TRAFFIC_SECRET_0'))).toHaveLength(2);

    const decrypt = ['-o', `tls.keylog_file:${keylog}`, '-d', `tcp.port==${upstreamPort},tls`, '-d', `tls.port==${upstreamPort},http`];
    const frames = tsharkFrames(file, [proxy.port], decrypt);
    const legs = new Set(frames.map((f) => f.ports));
    expect(legs.size).toBe(2);
    for (const leg of legs) {
      expect(frames.filter((f) => f.ports === leg).map((f) => [f.opcode, f.masked, f.text ?? f.closeReason])).toEqual([
        [1, true, 'hidden in tls'], [1, false, 'secure echo: hidden in tls'], [8, true, 'done'], [8, false, 'done'],
      ]);
    }
    // Without the key log tshark sees no WebSocket at all.
    expect(tsharkFrames(file, [proxy.port], decrypt.slice(2))).toEqual([]);

    // framescope import --keylog decrypts both legs (the client's inside its CONNECT tunnel): each shows the
    // frames of the proxy's own record, field for field.
    const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
    const imported = cli('import', file, '--keylog', keylog, '--session', 'decrypted');
    expect([imported.status, imported.stderr, imported.stdout]).toEqual([0, '', `imported 2 WebSocket connections (pcapng, ${/(\d+) packets/.exec(imported.stdout)?.[1]} packets) into session "decrypted"\n`]);
    const har = (name: string) => (JSON.parse(cli('export', name, '--har', '-').stdout) as { log: { entries: HarEntry[] } }).log.entries;
    const [recorded] = har('proxied');
    const decrypted = har('decrypted');
    expect(decrypted).toHaveLength(2);
    for (const entry of decrypted) {
      expect(entry.request.url).toBe(`wss://localhost:${upstreamPort}/secret`);
      expect(entry._webSocketFrames.map(({ time: _t, ...f }) => f)).toEqual(recorded!._webSocketFrames.map(({ time: _t, ...f }) => f));
      expect(entry._webSocketMessages.map((m) => [m.type, m.data])).toEqual([['send', 'hidden in tls'], ['receive', 'secure echo: hidden in tls']]);
    }
    // The proxy's session exported as pcapng: the wss connection is written decrypted, and the file says so.
    const exported = join(home, 'proxied.pcapng');
    expect(cli('export', 'proxied', '--pcapng', exported).status).toBe(0);
    expect(execFileSync('/usr/bin/capinfos', [exported], { encoding: 'utf8' })).toContain('Capture comment:     wss:// connection 1: written as the proxy saw them inside TLS, decrypted, on their real ports');
    expect(tsharkFrames(exported, [upstreamPort]).map((f) => f.text ?? f.closeReason)).toEqual(['hidden in tls', 'secure echo: hidden in tls', 'done', 'done']);

    // Without the key log both legs are listed as encrypted, with the SNI their ClientHello asked for.
    const listed = cli('import', file, '--session', 'encrypted');
    expect(listed.stdout).toMatch(/^imported 0 WebSocket connections and 2 encrypted connections /);
    expect(har('encrypted').map((e) => e.request.url)).toEqual([`wss://localhost:${upstreamPort}/`, `wss://localhost:${upstreamPort}/`]);
  }, 60_000);

  it('takes SSLKEYLOGFILE when --keylog is not given, appends to it and makes it 0600', async () => {
    const keylog = join(home, 'env-keys.log');
    writeFileSync(keylog, '# earlier lines stay\n');
    chmodSync(keylog, 0o644);
    const proxy = await startProxyProcess(['--insecure'], { ...process.env, FRAMESCOPE_HOME: home, SSLKEYLOGFILE: keylog });
    try {
      await converse(proxy.port);
    } finally {
      proxy.child.kill('SIGTERM');
      await exited(proxy.child);
    }
    expect(statSync(keylog).mode & 0o777).toBe(0o600);
    const lines = readFileSync(keylog, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('# earlier lines stay');
    expect(lines.slice(1).filter((l) => l.startsWith('CLIENT_TRAFFIC_SECRET_0'))).toHaveLength(2);
  }, 30_000);
});
