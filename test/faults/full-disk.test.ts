// A full disk under FRAMESCOPE_HOME (a real 4 MiB tmpfs; injected ENOSPC where mounting is not
// allowed): recording pauses and says so on stderr and
// through the control API, the proxy keeps passing every message, the gap is recorded once writes
// succeed again, and the session reopens with everything written before and after.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CaptureStore } from '../../src/capture/capture-store.js';
import type { ControlEvent } from '../../src/control/api-types.js';
import { exited, startProxyProcess } from '../support/cli.js';
import { closed, nextMessage, opened, startWsServer } from '../support/peers.js';
import { diskFault, type DiskFault } from './support/disk-fault.js';
import { pollUntil, startEngineProcess, type EngineProcess } from './support/engine-process.js';

type RecordingWrite = Extract<ControlEvent, { kind: 'recording-write' }>;

/** Message n: 1 KiB that says its number. */
function payload(n: number): Buffer {
  const bytes = Buffer.alloc(1024, n & 0xff);
  bytes.write(`message ${n};`, 0, 'latin1');
  return bytes;
}

describe.runIf(process.platform === 'linux')('a full disk', () => {
  let disk: DiskFault;
  let server: Awaited<ReturnType<typeof startWsServer>>;
  let engine: EngineProcess | undefined;

  beforeEach(async () => {
    disk = diskFault();
    server = await startWsServer();
    server.wss.on('connection', (ws) => ws.on('message', (data: Buffer, isBinary) => ws.send(data, { binary: isBinary })));
  });
  afterEach(async () => {
    engine?.api.close();
    engine?.child.kill('SIGKILL');
    engine = undefined;
    await server.close();
    disk.dispose();
  });

  /** Sends message n and checks the exact echo. */
  async function echo(ws: WebSocket, n: number): Promise<void> {
    const reply = nextMessage(ws);
    ws.send(payload(n));
    const { data, isBinary } = await reply;
    expect(isBinary).toBe(true);
    expect(data.equals(payload(n))).toBe(true);
  }

  function recordingWrites(): RecordingWrite[] {
    return engine!.api.events.filter((e): e is RecordingWrite => e.kind === 'recording-write');
  }

  it('pauses recording while the disk is full, keeps the traffic flowing, records the gap and resumes', async () => {
    engine = await startEngineProcess(['--upstream', `ws://127.0.0.1:${server.port}`, '--session', 'full'], disk.env);
    expect((await engine.api.call('hello', {})).recordingPaused).toBe(null);
    const ws = new WebSocket(`ws://127.0.0.1:${engine.proxyPort}/echo`);
    await opened(ws);
    let n = 0;
    // Before: recorded.
    for (; n < 40; n++) await echo(ws, n);
    const before = n;
    await new Promise((resolve) => setTimeout(resolve, 200));
    disk.fill();
    // The disk is full: echoes go on until recording says it paused, and then 60 more.
    while (recordingWrites().length === 0) {
      if (n > 5_000) expect.fail('recording never paused on a full disk');
      await echo(ws, n++);
    }
    const paused = recordingWrites()[0];
    expect(paused.pause).toMatchObject({ code: 'ENOSPC' });
    expect(paused.gap).toBe(undefined);
    expect((await engine.api.call('hello', {})).recordingPaused).toMatchObject({ code: 'ENOSPC', since: paused.pause!.since });
    for (let i = 0; i < 60; i++) await echo(ws, n++);
    await pollUntil(() => /framescope: warning: recording paused: writes to session full fail \(ENOSPC: no space left on device/.test(engine!.stderr()), 'the stderr line');
    // Space again: recording resumes within a retry (every second) and says what it missed.
    disk.free();
    await pollUntil(() => recordingWrites().length === 2, 'the resumed event');
    const gap = recordingWrites()[1].gap!;
    expect(recordingWrites()[1].pause).toBe(null);
    expect(gap).toMatchObject({ from: paused.pause!.since, code: 'ENOSPC', connectionIds: [1] });
    expect(gap.to).toBeGreaterThanOrEqual(gap.from);
    const pausedRounds = n - before;
    const afterFrom = n;
    for (let i = 0; i < 40; i++) await echo(ws, n++);
    const done = closed(ws);
    ws.close(1000, 'done');
    await done;
    await pollUntil(() => /framescope: recording of session full resumed: \d+ frames \(\d+ bytes\) in [\d.]+ s were not recorded \(ENOSPC\)/.test(engine!.stderr()), 'the resumed line');
    expect(await engine.api.call('listGaps', {})).toEqual([gap]);
    expect((await engine.api.call('hello', {})).recordingPaused).toBe(null);
    await new Promise((resolve) => setTimeout(resolve, 300));
    engine.child.kill('SIGINT');
    expect(await exited(engine.child)).toBe(0);

    // Reopened: every message before the pause, none of those while it lasted, every one after.
    const store = await CaptureStore.open(join(disk.home, 'sessions', 'full.fscap'));
    try {
      expect(store.recovery.tornBytes).toBe(0);
      expect(store.gaps()).toEqual([gap]);
      const messages = store.messages(1, 0, store.messageCount(1));
      const sends = messages.filter((m) => m.direction === 'send').map((m) => m.message.data);
      const receives = messages.filter((m) => m.direction === 'receive').map((m) => m.message.data);
      const expected = (recordedDuringPause: number) => [
        ...Array.from({ length: before + recordedDuringPause }, (_, i) => payload(i)),
        ...Array.from({ length: 40 }, (_, i) => payload(afterFrom + i)),
      ];
      // Messages put before the first failed write are all kept (they waited in memory), none after it.
      const keptSends = sends.length - 40 - before;
      expect(keptSends).toBeGreaterThanOrEqual(0);
      expect(keptSends).toBeLessThan(pausedRounds);
      expect(sends).toEqual(expected(keptSends));
      expect(receives).toEqual(expected(receives.length - 40 - before));
      expect(Math.abs(receives.length - sends.length)).toBeLessThanOrEqual(1);
      // Nothing is unaccounted for: recorded and not recorded add up to what crossed the proxy.
      expect(messages.length + gap.messages).toBe(2 * n);
      expect(store.frameCount(1) + gap.frames).toBe(2 * n + 2);
      // Wire bytes: 1,024 of payload plus a masked header (8) client to server, an unmasked one (4) back.
      const unrecordedSends = (gap.bytes - 1028 * gap.frames) / 4;
      expect(Number.isInteger(unrecordedSends)).toBe(true);
      expect(Math.abs(2 * unrecordedSends - gap.frames)).toBeLessThanOrEqual(1);
      expect(store.connection(1)!.close).toMatchObject({ code: 1000, reason: 'done', closedBy: 'client' });
    } finally {
      store.close();
    }
  }, 60_000);

  it('framescope proxy says so on stderr, and stops with exit code 0 and a warning while the disk is still full, keeping what was written', async () => {
    const proxy = await startProxyProcess(['--upstream', `ws://127.0.0.1:${server.port}`, '--session', 'stuck'], disk.env);
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/echo`);
      await opened(ws);
      let n = 0;
      for (; n < 20; n++) await echo(ws, n);
      await new Promise((resolve) => setTimeout(resolve, 200));
      disk.fill();
      const pausedLine = /framescope: warning: recording paused: writes to session stuck fail \(ENOSPC: no space left on device[^)]*\); traffic still passes, unrecorded; retrying every second\n/;
      while (!pausedLine.test(proxy.output())) {
        if (n > 5_000) expect.fail(`recording never paused on a full disk: ${proxy.output()}`);
        await echo(ws, n++);
      }
      for (let i = 0; i < 20; i++) await echo(ws, n++);
      proxy.child.kill('SIGINT');
      expect(await exited(proxy.child)).toBe(0);
      expect(proxy.output()).toMatch(/framescope: warning: recording of session stuck was paused since \S+ \(ENOSPC: no space left on device[^)]*\): traffic since then was not recorded; what was written before stays readable\n/);
    } finally {
      proxy.child.kill('SIGKILL');
    }
    disk.free();
    const store = await CaptureStore.open(join(disk.home, 'sessions', 'stuck.fscap'));
    try {
      const sends = store.messages(1, 0, store.messageCount(1)).filter((m) => m.direction === 'send').map((m) => m.message.data);
      expect(sends.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => payload(i)));
      expect(store.gaps()).toEqual([]);
    } finally {
      store.close();
    }
  }, 60_000);
});
