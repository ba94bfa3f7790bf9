// A session recorded by the proxy, exported with `framescope export --pcapng`: tshark reads the file
// without warnings and its WebSocket dissector shows the frames the session's HAR export shows, field for
// field, on the client's leg and (with --legs both) on the upstream leg; a payload recorded only in part is
// cut in the packet and says so, never filled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { startWsServer, opened, nextMessage, closed } from '../../support/peers.js';
import { startProxyProcess, exited, BIN } from '../../support/cli.js';
import { tsharkFrames, TSHARK, type TsharkFrame } from '../../support/live-capture.js';

interface HarFrame { type: string; fin: boolean; rsv1: boolean; rsv2: boolean; rsv3: boolean; opcode: number; masked: boolean; maskKey?: string; payloadLength: number; closeCode?: number; closeReason?: string }
interface HarEntry { request: { url: string }; _framescope: { clientAddress: string; serverAddress: string }; _webSocketFrames: HarFrame[]; _webSocketMessages: { type: string; opcode: number; data: string }[] }

const fields = (f: HarFrame | TsharkFrame, type: string) => ({
  type, fin: f.fin, rsv1: f.rsv1, rsv2: f.rsv2, rsv3: f.rsv3, opcode: f.opcode, masked: f.masked, maskKey: f.maskKey,
  payloadLength: f.payloadLength, closeCode: f.closeCode, closeReason: f.closeReason,
});

describe.runIf(existsSync(TSHARK))('pcapng export read by tshark', () => {
  let dir: string;
  let entries: HarEntry[];
  const files = { client: '', both: '' };
  let stderr = '';
  const serverPorts = () => [...new Set(entries.map((e) => Number(/:(\d+)$/.exec(e._framescope.serverAddress)![1])))];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'framescope-pcapng-export-'));
    const env = { ...process.env, FRAMESCOPE_HOME: join(dir, 'home') };
    const server = await startWsServer({ perMessageDeflate: { threshold: 0 } });
    server.wss.on('connection', (ws) => ws.on('message', (d, isBinary) => ws.send(d, { binary: isBinary })));
    const proxy = await startProxyProcess(['--session', 'recorded', '--max-stored-payload', '200', '--upstream', `ws://127.0.0.1:${server.port}`], env);
    try {
      for (const deflate of [false, true]) {
        const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/${deflate ? 'deflate' : 'plain'}`, { perMessageDeflate: deflate ? { threshold: 0 } : false });
        await opened(ws);
        ws.send('short text ✓');
        await nextMessage(ws);
        // 1000 bytes: only the first 200 are recorded.
        ws.send(Buffer.alloc(1000, 7));
        await nextMessage(ws);
        ws.send('one, ', { fin: false });
        ws.send('two', { fin: true });
        await nextMessage(ws);
        ws.ping('anyone');
        await once(ws, 'pong');
        const done = closed(ws);
        ws.close(4002, 'finished');
        await done;
      }
    } finally {
      // Records reach the session's file within 100 ms of the traffic; SIGTERM writes what is pending.
      proxy.child.kill('SIGTERM');
      expect(await exited(proxy.child)).toBe(0);
      await server.close();
    }
    const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
    const har = join(dir, 'recorded.har');
    expect(cli('export', 'recorded', '--har', har).status).toBe(0);
    entries = (JSON.parse(readFileSync(har, 'utf8')) as { log: { entries: HarEntry[] } }).log.entries;
    files.client = join(dir, 'client.pcapng');
    files.both = join(dir, 'both.pcapng');
    const r = cli('export', 'recorded', '--pcapng', files.client);
    stderr = r.stderr;
    expect(r.status, r.stderr).toBe(0);
    expect(cli('export', 'recorded', '--pcapng', files.both, '--legs', 'both').status).toBe(0);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a file only its owner can read and says what it wrote', () => {
    expect(statSync(files.client).mode & 0o777).toBe(0o600);
    expect(stderr).toBe(`wrote ${files.client}: 2 connections, ${/(\d+) packets/.exec(stderr)![1]} packets\n`);
  });

  it('is read by tshark without warnings or errors, checksums verified', () => {
    for (const file of [files.client, files.both]) {
      const out = execFileSync(TSHARK, ['-r', file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-z', 'expert,warn', '-q'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(out, file).not.toMatch(/Warns|Errors/);
    }
  });

  it('shows on the client leg every frame of the session\'s HAR export, field for field, with the client\'s real address', () => {
    const theirs = tsharkFrames(files.client, serverPorts());
    expect(entries).toHaveLength(2);
    const recorded = entries.flatMap((e) => {
      const client = Number(/:(\d+)$/.exec(e._framescope.clientAddress)![1]);
      const server = Number(/:(\d+)$/.exec(e._framescope.serverAddress)![1]);
      return e._webSocketFrames.map((f) => ({ ...fields(f, f.type), ports: [client, server].sort((a, b) => a - b).join('-') }));
    });
    // The client leg runs between the client's port and the server's: the side that is not the server sent 'send' frames.
    expect(theirs.map((f) => ({ ...fields(f, serverPorts().includes(f.srcPort) ? 'receive' : 'send'), ports: f.ports }))).toEqual(recorded);
  });

  it('carries every text message whole where it was recorded whole (tshark inflates the compressed ones)', () => {
    const texts = tsharkFrames(files.client, serverPorts()).filter((f) => f.fin && f.opcode === 1).map((f) => f.text);
    // The client's fragmented message ends in a continuation frame; the server echoes it in one frame.
    const once = ['short text ✓', 'short text ✓', 'one, two'];
    expect(texts).toEqual([...once, ...once]);
    expect(entries.flatMap((e) => e._webSocketMessages.filter((m) => m.opcode === 1).map((m) => m.data))).toEqual(['short text ✓', 'short text ✓', 'one, two', 'one, two', 'short text ✓', 'short text ✓', 'one, two', 'one, two']);
  });

  it('cuts a payload recorded in part where the record ends, and says so in the packet', () => {
    const out = execFileSync(TSHARK, ['-r', files.client, '-Y', 'frame.comment', '-T', 'fields', '-e', 'frame.cap_len', '-e', 'frame.len', '-e', 'frame.comment'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const lines = out.trim().split('\n').map((l) => l.split('\t'));
    // The 1000-byte binary message each way on the plain connection (the deflate one compresses it below 200).
    expect(lines.filter((l) => l[2]!.startsWith('Framescope: payload kept only up to the recording limit: 200 of 1000 bytes recorded'))).toHaveLength(2);
    for (const [cap, len] of lines) expect(Number(cap)).toBeLessThan(Number(len));
  });

  it('adds the upstream leg as a second interface with --legs both', () => {
    const out = execFileSync(TSHARK, ['-r', files.both, ...serverPorts().flatMap((p) => ['-d', `tcp.port==${p},http`]), '-Y', 'websocket', '-T', 'fields', '-e', 'frame.interface_id'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const perInterface = out.trim().split('\n').reduce<Record<string, number>>((n, id) => ({ ...n, [id]: (n[id] ?? 0) + 1 }), {});
    const frames = entries.reduce((n, e) => n + e._webSocketFrames.length, 0);
    expect(perInterface).toEqual({ 0: frames, 1: frames });
  });
});
