// `framescope send` against peers that punish an early close: Python's websockets echo server stops
// reading once a close arrives while it is still answering, so every line must be on the wire and
// answered before the close goes; and a server that never answers the close makes the command fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../support/cli.js';
import { startRawServer } from '../support/peers.js';

const PYTHON = '/usr/bin/python3';
const hasWebsockets = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import websockets'], { encoding: 'utf8' }).status === 0;

// Echoes every message and, when the connection is over, writes what it received (one per line) to
// <dir>/<n>.txt, n counting connections.
const ECHO_SERVER = `
import asyncio, itertools, os, sys, websockets
count = itertools.count(1)
async def handler(ws, path=None):
    n = next(count)
    got = []
    try:
        async for m in ws:
            got.append(m)
            await ws.send(m)
    finally:
        tmp = os.path.join(sys.argv[1], f"{n}.tmp")
        with open(tmp, "w") as f:
            f.write("".join(line + "\\n" for line in got))
        os.rename(tmp, os.path.join(sys.argv[1], f"{n}.txt"))
async def serve():
    server = await websockets.serve(handler, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Future()
asyncio.run(serve())
`;

function runSend(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'send', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

async function pollFor<T>(read: () => T | undefined, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.runIf(hasWebsockets)('framescope send against a Python websockets echo server', () => {
  let dir: string;
  let python: ChildProcess;
  let port: number;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'framescope-send-'));
    python = spawn(PYTHON, ['-c', ECHO_SERVER, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    python.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    port = await pollFor(() => (/^(\d+)\n/.exec(out) ? Number(/^(\d+)\n/.exec(out)![1]) : undefined), 'the Python server to listen');
  });
  afterAll(() => {
    python.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const received = (n: number) => pollFor(() => (existsSync(join(dir, `${n}.txt`)) ? readFileSync(join(dir, `${n}.txt`), 'utf8') : undefined), `connection ${n}'s record`);

  it('delivers three piped lines in order, prints their echoes and the close, and exits 0', async () => {
    const r = await runSend([`ws://127.0.0.1:${port}/echo`], 'one\ntwo\nthree\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await received(1)).toBe('one\ntwo\nthree\n');
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.message?.data ?? `close ${l.closeCode}`)).toEqual(['one', 'two', 'three', 'close 1000']);
  });

  it('delivers 1,000 piped lines in order: the server receives exactly that sequence', async () => {
    const input = Array.from({ length: 1000 }, (_, i) => `line ${i} ${'x'.repeat(i % 37)}`);
    const r = await runSend([`ws://127.0.0.1:${port}/echo`], `${input.join('\n')}\n`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((await received(2)).split('\n').slice(0, -1)).toEqual(input);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1001);
    expect(lines.slice(0, 1000).map((l) => l.message.data)).toEqual(input);
    expect(lines[1000]).toMatchObject({ opcode: 8, closeCode: 1000 });
  });
});

describe('framescope send against a server that never answers the close', () => {
  it('waits --timeout for the close handshake, then exits 1 and says why; the lines were sent first', async () => {
    const server = await startRawServer();
    try {
      const r = await runSend([`ws://127.0.0.1:${server.port}/mute`, '--linger', '50', '--timeout', '300'], 'a\nb\n');
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('framescope send: the server did not answer the close within 300 ms\n');
      const peer = server.connections[0]!;
      // Two masked text frames ("a", "b"), then the masked close 1000: 7 + 7 + 8 bytes.
      const bytes = await peer.waitForBytes(22);
      expect(bytes.length).toBe(22);
      expect([bytes[0], bytes[1], bytes[7], bytes[8], bytes[14], bytes[15]]).toEqual([0x81, 0x81, 0x81, 0x81, 0x88, 0x82]);
      const unmask = (at: number, n: number) => Buffer.from(Array.from({ length: n }, (_, i) => bytes[at + 6 + i]! ^ bytes[at + 2 + (i % 4)]!));
      expect([unmask(0, 1).toString(), unmask(7, 1).toString(), unmask(14, 2).readUInt16BE(0)]).toEqual(['a', 'b', 1000]);
    } finally {
      await server.close();
    }
  });
});
