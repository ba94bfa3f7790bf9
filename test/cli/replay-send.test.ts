// framescope replay and framescope send, run as child processes against real ws servers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { exportHar } from '../../src/capture/har-export.js';
import { startWsServer, wsViaAbsoluteForm, opened, nextMessage, closed } from '../support/peers.js';
import { startProxy, connectionClosed } from '../support/proxy.js';
import { BIN } from '../support/cli.js';

function runCli(args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('framescope replay and send', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startWsServer>>;
  let har: string;
  let answerChanged = false;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'framescope-replay-'));
    server = await startWsServer();
    server.wss.on('connection', (ws, req) => {
      ws.on('message', (d, isBinary) => {
        if (isBinary) ws.send(d, { binary: true });
        else ws.send(answerChanged && d.toString() === 'two' ? 'TWO!' : `${d.toString()} (${req.headers.authorization ?? 'anonymous'})`);
      });
    });
    const proxy = await startProxy();
    const ws = wsViaAbsoluteForm(proxy.port, `ws://127.0.0.1:${server.port}/feed`, { headers: { Authorization: 'Bearer abc' } });
    await opened(ws);
    for (const m of ['one', 'two']) {
      ws.send(m);
      await nextMessage(ws);
    }
    ws.send(Buffer.from([9, 8, 7]));
    await nextMessage(ws);
    const done = closed(ws);
    ws.close();
    await done;
    await connectionClosed(proxy.session);
    har = join(dir, 'recorded.har');
    writeFileSync(har, JSON.stringify(exportHar(proxy.session.connections)));
    await proxy.close();
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replays a connection from a HAR with its auth header and reports every answer the same', async () => {
    answerChanged = false;
    const r = await runCli(['replay', har, '--connection', '1']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe([
      `replayed ws://127.0.0.1:${server.port}/feed (3 client messages)`,
      '   0  same       one (Bearer abc)',
      '   1  same       two (Bearer abc)',
      '   2  same       base64:CQgH',
      'same: 3, different: 0, missing: 0, extra: 0',
      '',
    ].join('\n'));
    expect(r.code).toBe(0);
  });

  it('exits 1 and shows the difference when an answer changed', async () => {
    answerChanged = true;
    const r = await runCli(['replay', har, '--connection', '1', '--json']);
    expect(r.code).toBe(1);
    const comparison = JSON.parse(r.stdout);
    expect(comparison).toMatchObject({ same: 2, different: 1, missing: 0, extra: 0 });
    expect(comparison.rows[1]).toEqual({ index: 1, status: 'different', originalIndex: 1, replayedIndex: 1, original: 'two (Bearer abc)', replayed: 'TWO!' });
  });

  it('prints the URL it replayed against with --target, not the recorded one', async () => {
    answerChanged = false;
    const target = `ws://localhost:${server.port}/feed`;
    const r = await runCli(['replay', har, '--connection', '1', '--target', target]);
    expect(r.stdout.split('\n')[0]).toBe(`replayed ${target} (recorded at ws://127.0.0.1:${server.port}/feed) (3 client messages)`);
    expect(r.code).toBe(0);
  });

  it('says that nothing answered when the replay target refuses the connection, and what to do', async () => {
    const r = await runCli(['replay', har, '--connection', '1', '--target', 'ws://127.0.0.1:1/feed']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('framescope replay: could not open ws://127.0.0.1:1/feed: nothing answered; 127.0.0.1:1 refused the connection (ECONNREFUSED). Is the server running and listening on that port?\n');
  });

  it('says which connection is missing', async () => {
    const r = await runCli(['replay', har, '--connection', '7']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`framescope: ${har} has no connection 7 (it has 1)\n`);
  });

  it('sends stdin lines and prints the frames received as JSON lines', async () => {
    answerChanged = false;
    const r = await runCli(['send', `ws://127.0.0.1:${server.port}/cli`, '--header', 'Authorization: Bearer xyz'], 'first\nsecond\n');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, masked: false, payloadLength: 18, payload: Buffer.from('first (Bearer xyz)').toString('base64'), message: { opcode: 1, data: 'first (Bearer xyz)' } },
      { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, masked: false, payloadLength: 19, payload: Buffer.from('second (Bearer xyz)').toString('base64'), message: { opcode: 1, data: 'second (Bearer xyz)' } },
      { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 8, masked: false, payloadLength: 2, closeCode: 1000, closeReason: '', payload: 'A+g=' },
    ]);
  });

  it('says that nothing answered when the connection is refused, naming the host, and what to do', async () => {
    const r = await runCli(['send', 'ws://127.0.0.1:1/nothing'], '');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('framescope send: could not open ws://127.0.0.1:1/nothing: nothing answered; 127.0.0.1:1 refused the connection (ECONNREFUSED). Is the server running and listening on that port?\n');
  });

  it('says the host name could not be resolved when DNS fails', async () => {
    const r = await runCli(['send', 'ws://no-such-host.invalid/x'], '');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^framescope send: could not open ws:\/\/no-such-host\.invalid\/x: the host name of no-such-host\.invalid:80 could not be resolved \(DNS, (ENOTFOUND|EAI_AGAIN)\)\. Check the host name in the URL\.\n$/);
  });

  it('tells a send user to run send with --insecure when the certificate does not verify', async () => {
    const { CertificateAuthority } = await import('../../src/proxy/certificate-authority.js');
    const https = await import('node:https');
    const ca = CertificateAuthority.loadOrCreate(join(dir, 'self-signed'));
    const leaf = ca.certificateFor('localhost');
    const tlsServer = https.createServer({ cert: leaf.cert, key: leaf.key });
    tlsServer.listen(0, '127.0.0.1');
    await once(tlsServer, 'listening');
    const port = (tlsServer.address() as { port: number }).port;
    try {
      const r = await runCli(['send', `wss://localhost:${port}/x`], '');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^framescope send: could not open wss://localhost:${port}/x: the TLS certificate of localhost:${port} failed verification \\([A-Z_]+\\)\\. If you trust this server, run framescope send again with --insecure\\.\n$`));
    } finally {
      tlsServer.close();
    }
  });
});
