// 64-bit length fields through a real `framescope ui` process: a raw client sends frames whose headers
// claim 2^63 − 1, 2^64 − 1 and 2^53 + 1 bytes, with a little payload (32 MiB behind the first, to show that
// memory stays bounded), then ends the connection mid-frame. The recorded length is exact in the control
// API, in its HAR export, and in the capture file (read back by `framescope export` after the engine
// stopped); the engine stays up and its peak RSS stays far below what was sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, exited, memoryOf, startUiProcess } from '../support/cli.js';
import { rawClientHandshake, startRawServer } from '../support/peers.js';
import { ControlClient } from '../support/engine.js';
import { encodeFrame } from '../../src/protocol/frame-encoder.js';
import type { FrameSummary } from '../../src/control/api-types.js';
import type { HarEntryJson } from '../support/har-schema.js';
import { exportOverApi } from '../support/har-jobs.js';

const KEY = Buffer.from([0x0a, 0x0b, 0x0c, 0x0d]);
const CASES = [
  // 32 MiB is past the 16 MiB message cap too: the message is cut, and says so on its frame.
  { path: '/len-2-63', length: 2n ** 63n - 1n, sent: 32 * 1024 * 1024, violations: ['truncated-frame', 'message-too-large'] },
  { path: '/len-2-64', length: 2n ** 64n - 1n, sent: 1000, violations: ['length-top-bit-set', 'truncated-frame'] },
  { path: '/len-2-53', length: 2n ** 53n + 1n, sent: 1000, violations: ['truncated-frame'] },
];

describe('64-bit payload lengths through the proxy', () => {
  let home: string;
  let engine: Awaited<ReturnType<typeof startUiProcess>>;
  let api: ControlClient;
  let raw: Awaited<ReturnType<typeof startRawServer>>;
  const ids = new Map<string, number>();

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'framescope-lengths-'));
    engine = await startUiProcess([], { ...process.env, FRAMESCOPE_HOME: home });
    api = await ControlClient.connect(`ws://127.0.0.1:${engine.uiPort}/control?token=${engine.token}`);
    raw = await startRawServer();
    for (const c of CASES) {
      const serverSide = raw.nextConnection();
      const { peer: client, responseHead } = await rawClientHandshake(engine.proxyPort, `ws://127.0.0.1:${raw.port}${c.path}`, `127.0.0.1:${raw.port}`);
      expect(responseHead).toMatch(/^HTTP\/1\.1 101 /);
      const server = await serverSide;
      const [header] = encodeFrame({ opcode: 2, fin: true, mask: KEY, payloadLength: c.length, lengthForm: 64 });
      client.socket.write(header);
      const piece = Buffer.alloc(64 * 1024, 0x5a);
      for (let sent = 0; sent < c.sent; sent += piece.length) {
        const n = Math.min(piece.length, c.sent - sent);
        if (!client.socket.write(piece.subarray(0, n))) await new Promise((resolve) => client.socket.once('drain', resolve));
      }
      // Cut-through: the server has every byte before the frame ends (it never will).
      await server.waitForBytes(header.length + c.sent);
      client.socket.end();
      await server.ended;
      ids.set(c.path, await closedConnection(`ws://127.0.0.1:${raw.port}${c.path}`));
    }
  }, 120_000);
  afterAll(async () => {
    api?.close();
    if (engine && engine.child.exitCode === null) engine.child.kill('SIGKILL');
    await raw?.close();
    rmSync(home, { recursive: true, force: true });
  });

  async function closedConnection(url: string): Promise<number> {
    for (let attempt = 0; attempt < 400; attempt++) {
      const found = (await api.call('listConnections', {})).find((c) => c.url === url);
      if (found?.state === 'closed') return found.id;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`${url} was not recorded as closed`);
  }

  async function clientFrame(path: string): Promise<FrameSummary> {
    const { frames } = await api.call('queryFrames', { connectionId: ids.get(path)!, start: 0, end: 10, filter: { direction: 'send' } });
    expect(frames).toHaveLength(1);
    return frames[0]!;
  }

  for (const c of CASES) {
    it(`records ${c.length} exactly in the control API: a decimal string, the header bytes, the cut-short frame`, async () => {
      const frame = await clientFrame(c.path);
      expect([frame.payloadLength, frame.lengthForm, frame.headerLength, frame.truncated, frame.violations]).toEqual([c.length.toString(), 64, 14, true, c.violations]);
      // The stored payload is capped (1 MiB by default), however much arrived.
      expect(frame.storedLength).toBe(Math.min(c.sent, 1024 * 1024));
      const detail = await api.call('getFrame', { connectionId: ids.get(c.path)!, number: frame.number });
      expect(detail.headerHex).toBe(`82ff${c.length.toString(16).padStart(16, '0')}0a0b0c0d`);
    });
  }

  it('exports the exact lengths in the HAR, as decimal strings', async () => {
    const { har } = await exportOverApi(api);
    const entries = (JSON.parse(har) as { log: { entries: HarEntryJson[] } }).log.entries;
    for (const c of CASES) {
      const entry = entries.find((e) => e.request.url.endsWith(c.path))!;
      expect(entry._webSocketFrames.filter((f) => f.type === 'send').map((f) => f.payloadLength)).toEqual([c.length.toString()]);
    }
  });

  it('stays up with bounded memory, and the capture file holds the exact lengths after it stops', async () => {
    const { rss, peak } = await memoryOf(engine.child.pid!);
    // 32 MiB went through one frame; the engine keeps at most the 1 MiB cap of it.
    expect(peak).toBeLessThan(300 * 1024 * 1024);
    expect((await api.call('hello', {})).version).toBeGreaterThan(0);
    const session = (await api.call('hello', {})).session.name;
    console.log(`engine RSS ${Math.round(rss / 1048576)} MiB, peak ${Math.round(peak / 1048576)} MiB after 32 MiB in one frame`);
    engine.child.kill('SIGTERM');
    expect(await exited(engine.child)).toBe(0);

    const exported = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'export', session, '--har', '-'], { env: { ...process.env, FRAMESCOPE_HOME: home } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
    expect(exported.code).toBe(0);
    const entries = (JSON.parse(exported.stdout) as { log: { entries: HarEntryJson[] } }).log.entries;
    expect(CASES.map((c) => entries.find((e) => e.request.url.endsWith(c.path))!._webSocketFrames.filter((f) => f.type === 'send').map((f) => f.payloadLength)))
      .toEqual(CASES.map((c) => [c.length.toString()]));
  }, 60_000);
});
