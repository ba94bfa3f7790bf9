// Real traffic captured on loopback by tshark, directly between ws peers and through the proxy (both its
// legs): the capture imported with `framescope import` and exported as HAR shows every frame that
// tshark's WebSocket dissector shows in the same file, field for field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { startWsServer, opened, nextMessage, closed } from '../../support/peers.js';
import { startProxyProcess, exited, BIN } from '../../support/cli.js';
import { startLoopbackCapture, tsharkFrames, TSHARK, type TsharkFrame } from '../../support/live-capture.js';

interface HarFrame { type: string; fin: boolean; rsv1: boolean; rsv2: boolean; rsv3: boolean; opcode: number; masked: boolean; maskKey?: string; payloadLength: number; closeCode?: number; closeReason?: string }
interface HarEntry { request: { url: string }; _framescope?: { clientAddress?: string; serverAddress?: string }; _webSocketFrames: HarFrame[]; _webSocketMessages: { type: string; opcode: number; data: string }[] }

const MANY = 12;

/** One conversation: text, binary, a fragmented message, a ping, and a close with a code and reason. */
async function talk(url: string, deflate: boolean): Promise<void> {
  const ws = new WebSocket(url, { perMessageDeflate: deflate ? { threshold: 0 } : false });
  await opened(ws);
  ws.send('plain text ✓');
  await nextMessage(ws);
  ws.send(Buffer.from([0, 1, 2, 255]));
  await nextMessage(ws);
  ws.send('fragment one, ', { fin: false });
  ws.send('fragment two', { fin: true });
  await nextMessage(ws);
  ws.ping('are you there');
  await once(ws, 'pong');
  const done = closed(ws);
  ws.close(4001, 'bye ✓');
  await done;
}

async function many(url: string): Promise<void> {
  await Promise.all(Array.from({ length: MANY }, async (_, i) => {
    const ws = new WebSocket(`${url}/many/${i}`, { perMessageDeflate: false });
    await opened(ws);
    ws.send(`number ${i}`);
    await nextMessage(ws);
    const done = closed(ws);
    ws.close(1000);
    await done;
  }));
}

describe.runIf(existsSync(TSHARK))('capture import against tshark on real loopback captures', () => {
  let dir: string;
  let entries: HarEntry[];
  let theirs: TsharkFrame[];
  let importOutput: string;
  const ports: { server: number; deflateServer: number; proxy: number } = { server: 0, deflateServer: 0, proxy: 0 };
  let server: Awaited<ReturnType<typeof startWsServer>>;
  let harFile = '';
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'framescope-pcap-oracle-'));
    env = { ...process.env, FRAMESCOPE_HOME: join(dir, 'home') };
    server = await startWsServer({ perMessageDeflate: false });
    const deflateServer = await startWsServer({ perMessageDeflate: { threshold: 0 } });
    for (const s of [server, deflateServer]) s.wss.on('connection', (ws) => ws.on('message', (d, isBinary) => ws.send(d, { binary: isBinary })));
    const proxy = await startProxyProcess(['--upstream', `ws://127.0.0.1:${server.port}`], env);
    const deflateProxy = await startProxyProcess(['--upstream', `ws://127.0.0.1:${deflateServer.port}`], env);
    Object.assign(ports, { server: server.port, deflateServer: deflateServer.port, proxy: proxy.port });
    const file = join(dir, 'traffic.pcapng');
    const all = [server.port, deflateServer.port, proxy.port, deflateProxy.port];
    try {
      const capture = await startLoopbackCapture(file, all);
      try {
        await talk(`ws://127.0.0.1:${server.port}/direct`, false);
        await talk(`ws://127.0.0.1:${deflateServer.port}/direct-deflate`, true);
        await talk(`ws://127.0.0.1:${proxy.port}/proxied`, false);
        await talk(`ws://127.0.0.1:${deflateProxy.port}/proxied-deflate`, true);
        await many(`ws://127.0.0.1:${server.port}`);
        await many(`ws://127.0.0.1:${proxy.port}`);
      } finally {
        await capture.stop();
      }
    } finally {
      for (const p of [proxy, deflateProxy]) {
        p.child.kill('SIGTERM');
        await exited(p.child);
      }
      await deflateServer.close();
    }
    const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
    const imported = run('import', file, '--session', 'captured');
    importOutput = imported.stdout + imported.stderr;
    expect(imported.status, importOutput).toBe(0);
    const har = join(dir, 'captured.har');
    harFile = har;
    expect(run('export', 'captured', '--har', har).status).toBe(0);
    entries = (JSON.parse(readFileSync(har, 'utf8')) as { log: { entries: HarEntry[] } }).log.entries;
    theirs = tsharkFrames(file, all);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds every connection: direct, both legs of each proxied one, with and without deflate', () => {
    const expected = 2 + 2 * 2 + MANY + 2 * MANY;
    expect(importOutput).toBe(`imported ${expected} WebSocket connections (pcapng, ${/pcapng, (\d+) packets/.exec(importOutput)![1]} packets) into session "captured"\n`);
    const paths = entries.map((e) => new URL(e.request.url).pathname);
    expect(paths.filter((p) => p === '/direct')).toHaveLength(1);
    expect(paths.filter((p) => p === '/proxied')).toHaveLength(2);
    expect(paths.filter((p) => p === '/proxied-deflate')).toHaveLength(2);
    expect(paths.filter((p) => p.startsWith('/many/'))).toHaveLength(3 * MANY);
  });

  it('shows every frame tshark shows, field for field, in the same order per connection', () => {
    const byPorts = new Map<string, TsharkFrame[]>();
    for (const f of theirs) byPorts.set(f.ports, [...(byPorts.get(f.ports) ?? []), f]);
    expect(byPorts.size).toBe(entries.length);
    let compared = 0;
    for (const entry of entries) {
      const client = Number(/:(\d+)$/.exec((entry as unknown as { _framescope: { clientAddress: string } })._framescope.clientAddress)![1]);
      const server = Number(/:(\d+)$/.exec((entry as unknown as { _framescope: { serverAddress: string } })._framescope.serverAddress)![1]);
      const key = [client, server].sort((a, b) => a - b).join('-');
      const frames = byPorts.get(key)!;
      expect(frames, key).toBeDefined();
      const messages = { send: entry._webSocketMessages.filter((m) => m.type === 'send'), receive: entry._webSocketMessages.filter((m) => m.type === 'receive') };
      const seen = { send: 0, receive: 0 };
      expect(entry._webSocketFrames.map((f) => ({
        type: f.type, fin: f.fin, rsv1: f.rsv1, rsv2: f.rsv2, rsv3: f.rsv3, opcode: f.opcode, masked: f.masked, maskKey: f.maskKey,
        payloadLength: f.payloadLength, closeCode: f.closeCode, closeReason: f.closeReason,
      }))).toEqual(frames.map((f) => ({
        type: f.srcPort === client ? 'send' : 'receive', fin: f.fin, rsv1: f.rsv1, rsv2: f.rsv2, rsv3: f.rsv3, opcode: f.opcode, masked: f.masked, maskKey: f.maskKey,
        payloadLength: f.payloadLength, closeCode: f.closeCode, closeReason: f.closeReason,
      })));
      // A text message in one frame: tshark's text (decompressed) is the message's data.
      entry._webSocketFrames.forEach((f, i) => {
        const type = f.type as 'send' | 'receive';
        const isMessageEnd = f.fin && (f.opcode === 0 || f.opcode === 1 || f.opcode === 2);
        if (f.fin && f.opcode === 1 && frames[i]!.text !== undefined) {
          expect(frames[i]!.text, key).toBe(messages[type][seen[type]]!.data);
          compared++;
        }
        if (isMessageEnd) seen[type]++;
      });
    }
    expect(compared).toBeGreaterThanOrEqual(4 * 4 + 3 * MANY * 2);
  });

  it('replays a connection imported from the capture against the live server, with the same answers', async () => {
    const n = entries.findIndex((e) => new URL(e.request.url).pathname === '/direct') + 1;
    const replay = spawn(process.execPath, [BIN, 'replay', harFile, '--connection', String(n)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    replay.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    replay.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const [code] = (await once(replay, 'exit')) as [number];
    expect(code, out).toBe(0);
    expect(out).toMatch(/^same: 3, different: 0, missing: 0, extra: 0$/m);
  });
});
