// The sessions directory removed while a session records: the engine notices (the open file has no
// name left), writes the file again where it was and goes on, nothing lost; where it cannot (a file
// now stands where the directory was), recording pauses until it can, and the gap is recorded.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CaptureStore } from '../../src/capture/capture-store.js';
import type { ControlEvent } from '../../src/control/api-types.js';
import { exited } from '../support/cli.js';
import { nextMessage, opened, startWsServer } from '../support/peers.js';
import { pollUntil, startEngineProcess, type EngineProcess } from './support/engine-process.js';

type RecordingWrite = Extract<ControlEvent, { kind: 'recording-write' }>;

function payload(n: number): Buffer {
  const bytes = Buffer.alloc(512, n & 0xff);
  bytes.write(`message ${n};`, 0, 'latin1');
  return bytes;
}

describe.runIf(process.platform === 'linux')('the sessions directory removed mid-session', () => {
  let home: string;
  let server: Awaited<ReturnType<typeof startWsServer>>;
  let engine: EngineProcess | undefined;

  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), 'framescope-removed-'));
    server = await startWsServer();
    server.wss.on('connection', (ws) => ws.on('message', (data: Buffer, isBinary) => ws.send(data, { binary: isBinary })));
  });
  afterEach(async () => {
    engine?.api.close();
    engine?.child.kill('SIGKILL');
    engine = undefined;
    await server.close();
    rmSync(home, { recursive: true, force: true });
  });

  async function echo(ws: WebSocket, n: number): Promise<void> {
    const reply = nextMessage(ws);
    ws.send(payload(n));
    expect((await reply).data.equals(payload(n))).toBe(true);
  }

  const recordingWrites = () => engine!.api.events.filter((e): e is RecordingWrite => e.kind === 'recording-write');
  const sessionFile = (name: string) => join(home, 'sessions', `${name}.fscap`);

  /** The data of the connection's client messages in the session file, reopened. */
  async function recordedSends(name: string): Promise<{ sends: Buffer[]; gaps: number }> {
    const store = await CaptureStore.open(sessionFile(name));
    try {
      expect(store.recovery.tornBytes).toBe(0);
      const sends = store.messages(1, 0, store.messageCount(1)).filter((m) => m.direction === 'send').map((m) => m.message.data);
      return { sends, gaps: store.gaps().length };
    } finally {
      store.close();
    }
  }

  it('is created again with everything the session held, and recording goes on without a gap', async () => {
    engine = await startEngineProcess(['--upstream', `ws://127.0.0.1:${server.port}`, '--session', 'again'], { ...process.env, FRAMESCOPE_HOME: home });
    const ws = new WebSocket(`ws://127.0.0.1:${engine.proxyPort}/echo`);
    await opened(ws);
    let n = 0;
    for (; n < 30; n++) await echo(ws, n);
    await new Promise((resolve) => setTimeout(resolve, 200));
    rmSync(join(home, 'sessions'), { recursive: true });
    // Writes go on (to a file no directory holds) until the engine checks, at most a second later.
    const restored = (e: ControlEvent) => e.kind === 'error' && /the capture file was removed; it was written again at its path/.test(e.message);
    while (!engine.api.events.some(restored)) {
      if (n > 20_000) expect.fail('the removed file was never written again');
      await echo(ws, n++);
    }
    for (let i = 0; i < 30; i++) await echo(ws, n++);
    ws.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    engine.child.kill('SIGINT');
    expect(await exited(engine.child)).toBe(0);
    expect(recordingWrites()).toEqual([]);
    const { sends, gaps } = await recordedSends('again');
    expect(gaps).toBe(0);
    expect(sends).toEqual(Array.from({ length: n }, (_, i) => payload(i)));
  }, 60_000);

  it('pauses recording while the file cannot be written again, and resumes with the gap once it can', async () => {
    engine = await startEngineProcess(['--upstream', `ws://127.0.0.1:${server.port}`, '--session', 'blocked'], { ...process.env, FRAMESCOPE_HOME: home });
    const ws = new WebSocket(`ws://127.0.0.1:${engine.proxyPort}/echo`);
    await opened(ws);
    let n = 0;
    for (; n < 30; n++) await echo(ws, n);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // A file where the directory was: the directory cannot be made again.
    rmSync(join(home, 'sessions'), { recursive: true });
    writeFileSync(join(home, 'sessions'), 'in the way', { mode: 0o600 });
    while (recordingWrites().length === 0) {
      if (n > 20_000) expect.fail('recording never paused');
      await echo(ws, n++);
    }
    expect(recordingWrites()[0].pause).toMatchObject({ code: 'removed' });
    expect(recordingWrites()[0].pause!.reason).toMatch(/^the capture file was removed and cannot be written again yet \(/);
    await pollUntil(() => /framescope: warning: recording paused: writes to session blocked fail \(the capture file was removed/.test(engine!.stderr()), 'the stderr line');
    const pausedAt = n;
    for (let i = 0; i < 30; i++) await echo(ws, n++);
    rmSync(join(home, 'sessions'));
    await pollUntil(() => recordingWrites().length === 2, 'the resumed event');
    const gap = recordingWrites()[1].gap!;
    expect(gap).toMatchObject({ code: 'removed', connectionIds: [1] });
    expect(gap.frames).toBeGreaterThanOrEqual(60);
    const afterFrom = n;
    for (let i = 0; i < 30; i++) await echo(ws, n++);
    ws.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    engine.child.kill('SIGINT');
    expect(await exited(engine.child)).toBe(0);
    const { sends, gaps } = await recordedSends('blocked');
    expect(gaps).toBe(1);
    // Everything before the pause (the file was written again from the old one), nothing of the gap, all after.
    const kept = sends.length - 30;
    expect(kept).toBeGreaterThanOrEqual(30);
    expect(kept).toBeLessThanOrEqual(pausedAt);
    expect(sends).toEqual([...Array.from({ length: kept }, (_, i) => payload(i)), ...Array.from({ length: 30 }, (_, i) => payload(afterFrom + i))]);
  }, 60_000);
});
