import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_BODY_LENGTH, FILE_HEADER_LENGTH, RECORD_HEADER_LENGTH, encodeFileHeader } from '../../src/capture/capture-file.js';
import type { CapturedFrame } from '../../src/capture/capture-model.js';
import { CaptureStore } from '../../src/capture/capture-store.js';

const root = new URL('../..', import.meta.url).pathname;
const fixture = join(root, 'test/capture/fixtures/steady-writer.mjs');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'framescope-crash-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function textFrame(n: number, text: string): CapturedFrame {
  const payload = Buffer.from(text);
  return {
    direction: 'send', time: 1000 + n,
    frame: {
      fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, masked: false, payloadLength: payload.length, lengthForm: 7,
      headerLength: 2, index: n, offset: 0, payload, truncated: false, violations: [],
    },
  };
}

describe('a process killed while recording', () => {
  beforeAll(() => {
    // The child runs the compiled store: build it (other files' type errors do not stop the emit).
    spawnSync(join(root, 'node_modules/.bin/tsc'), ['-b', 'tsconfig.engine.json'], { cwd: root, stdio: 'ignore' });
    if (!existsSync(join(root, 'dist/src/capture/capture-store.js'))) throw new Error('tsc -b did not emit dist/src/capture/capture-store.js');
  }, 120_000);

  it('leaves every frame it put more than 100 ms before the kill in the file', async () => {
    const path = join(dir, 'crash.fscap');
    const child = spawn(process.execPath, [fixture, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const progress: [put: number, time: number][] = [];
    let buffered = '';
    child.stdout.setEncoding('utf8');
    const started = Date.now();
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (text: string) => {
        buffered += text;
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          const [put, time] = line.split(' ').map(Number);
          progress.push([put, time]);
        }
        if (progress.length > 0 && Date.now() - progress[0][1] > 400) resolve();
      });
      setTimeout(resolve, 5_000);
    });
    const killedAt = Date.now();
    const closed = new Promise((resolve) => child.on('close', resolve));
    child.kill('SIGKILL');
    await closed;
    expect(progress.length, `the child printed nothing in ${killedAt - started} ms`).toBeGreaterThan(10);

    const safe = Math.max(0, ...progress.filter(([, time]) => time <= killedAt - 100).map(([put]) => put));
    expect(safe).toBeGreaterThan(0);
    const store = await CaptureStore.open(path);
    const count = store.frameCount(1);
    expect(count).toBeGreaterThanOrEqual(safe);
    expect(store.recovery.records).toBe(2 + count); // the catalogue, the connection, the frames
    const rows = store.frames(1, 0, count);
    expect(rows.every((row, n) => row.preview.startsWith(`frame ${n} `) && row.index === n)).toBe(true);
    expect(store.frame(1, safe - 1).frame.payload.toString().startsWith(`frame ${safe - 1} `)).toBe(true);
    store.close();
  });

  it('leaves every frame it put more than 100 ms before the kill in the file when full batches were being written asynchronously', async () => {
    const path = join(dir, 'crash-large.fscap');
    // 16 KiB frames, 4 a millisecond: batches fill by size and their writes are in flight when the kill comes.
    const script = `
      import { CaptureStore } from ${JSON.stringify(join(root, 'dist/src/capture/capture-store.js'))};
      const store = CaptureStore.create(process.env.CAPTURE_PATH);
      store.putConnection({ id: 1, url: 'ws://crash.test/', clientAddress: '127.0.0.1:1', startedAt: 0, state: 'open',
        request: { method: 'GET', target: '/', httpVersion: '1.1', rawHeaders: [], time: 0 }, checks: [], frames: [], messages: [] });
      let put = 0;
      function tick() {
        for (let i = 0; i < 4; i++, put++) {
          const payload = Buffer.alloc(16384, 0x2e);
          payload.write('frame ' + put + ' ');
          store.putFrame(1, { direction: 'send', time: Date.now(), frame: { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1,
            masked: false, payloadLength: payload.length, lengthForm: 16, headerLength: 4, index: put, offset: 0, payload, truncated: false, violations: [] } });
        }
        process.stdout.write(put + ' ' + Date.now() + '\\n');
        setTimeout(tick, 1);
      }
      tick();
      setTimeout(() => process.exit(0), 20000).unref();`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CAPTURE_PATH: path } });
    const progress = await progressUntilKilled(child);
    const { killedAt } = progress;
    expect(progress.lines.length).toBeGreaterThan(10);
    const safe = Math.max(0, ...progress.lines.filter(([, time]) => time <= killedAt - 100).map(([put]) => put));
    // More than a batch of 1 MiB went out before the kill.
    expect(safe).toBeGreaterThan(64);
    const store = await CaptureStore.open(path);
    const count = store.frameCount(1);
    expect(count).toBeGreaterThanOrEqual(safe);
    expect(store.recovery.records).toBe(2 + count);
    const rows = store.frames(1, 0, count);
    expect(rows.every((row, n) => row.preview.startsWith(`frame ${n} `) && row.index === n)).toBe(true);
    expect(store.frame(1, count - 1).frame.payload.length).toBe(16384);
    store.close();
  });
});

/** Reads a recording child's "<put> <epoch ms>" lines for about 400 ms, then kills it with SIGKILL. */
async function progressUntilKilled(child: ChildProcessByStdio<null, Readable, null>): Promise<{ lines: [put: number, time: number][]; killedAt: number }> {
  const lines: [put: number, time: number][] = [];
  let buffered = '';
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (text: string) => {
      buffered += text;
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const line of parts) {
        const [put, time] = line.split(' ').map(Number);
        lines.push([put, time]);
      }
      if (lines.length > 0 && Date.now() - lines[0][1] > 400) resolve();
    });
    setTimeout(resolve, 5_000);
  });
  const killedAt = Date.now();
  const closed = new Promise((resolve) => child.on('close', resolve));
  child.kill('SIGKILL');
  await closed;
  return { lines, killedAt };
}

describe('a torn last record', () => {
  /**
   * A closed capture file with three frames: where the last frame's record starts, where it ends
   * (its batch's checkpoint record follows), and the file's size.
   */
  function threeFrameFile(): { path: string; lastStart: number; lastEnd: number; size: number } {
    const path = join(dir, 'whole.fscap');
    const store = CaptureStore.create(path);
    store.putFrame(1, textFrame(0, 'first'));
    store.putFrame(1, textFrame(1, 'second'));
    store.flush();
    const lastStart = store.diskUsage();
    store.putFrame(1, textFrame(2, 'the third frame, which a crash may tear'));
    const lastEnd = store.diskUsage();
    store.close();
    return { path, lastStart, lastEnd, size: statSync(path).size };
  }

  it('is cut off and reported with its byte count, whatever byte the file ends at', async () => {
    const { path, lastStart, lastEnd, size } = threeFrameFile();
    expect(size - lastEnd).toBe(RECORD_HEADER_LENGTH + CHECKPOINT_BODY_LENGTH);
    const whole = readFileSync(path);
    const torn = join(dir, 'torn.fscap');
    for (let cut = lastStart + 1; cut < size; cut++) {
      writeFileSync(torn, whole.subarray(0, cut));
      const store = await CaptureStore.open(torn);
      // Cut inside the frame: the frame goes. Cut inside the checkpoint after it: the frame stays, checked on its own.
      const intact = cut < lastEnd ? lastStart : lastEnd;
      expect(store.recovery, `cut at ${cut}`).toEqual({ tornBytes: cut - intact, records: cut < lastEnd ? 3 : 4 });
      expect(store.frameCount(1)).toBe(cut < lastEnd ? 2 : 3);
      store.close();
      expect(statSync(torn).size).toBe(intact);
    }
  });

  it('is cut off with its batch’s checkpoint when its bytes are all there but its CRC fails', async () => {
    const { path, lastStart, lastEnd, size } = threeFrameFile();
    const damaged = readFileSync(path);
    damaged[lastEnd - 1] ^= 0xff;
    writeFileSync(path, damaged);
    const store = await CaptureStore.open(path);
    expect(store.recovery).toEqual({ tornBytes: size - lastStart, records: 3 });
    expect(store.frames(1, 0, 5).map((r) => r.preview)).toEqual(['first', 'second']);
    store.close();
  });

  it('is found among whole batches: a damaged record mid-file cuts the file there, and says so', async () => {
    const path = join(dir, 'mid.fscap');
    const store = CaptureStore.create(path);
    const starts: number[] = [];
    for (let n = 0; n < 5; n++) {
      starts.push(store.diskUsage());
      store.putFrame(1, textFrame(n, `frame number ${n}`));
      store.flush();
    }
    store.close();
    const size = statSync(path).size;
    const damaged = readFileSync(path);
    damaged[starts[2] + RECORD_HEADER_LENGTH + 3] ^= 0x40;
    writeFileSync(path, damaged);
    const reopened = await CaptureStore.open(path);
    expect(reopened.recovery).toEqual({ tornBytes: size - starts[2], records: 3 });
    expect(reopened.frameCount(1)).toBe(2);
    reopened.close();
  });

  it('leaves a file that takes new records after the cut', async () => {
    const { path, lastStart } = threeFrameFile();
    const torn = join(dir, 'torn.fscap');
    copyFileSync(path, torn);
    writeFileSync(torn, readFileSync(torn).subarray(0, lastStart + 20));
    const store = await CaptureStore.open(torn);
    expect(store.putFrame(1, textFrame(2, 'written again'))).toBe(2);
    store.close();
    const again = await CaptureStore.open(torn);
    expect(again.recovery.tornBytes).toBe(0);
    expect(again.frames(1, 0, 5).map((r) => r.preview)).toEqual(['first', 'second', 'written again']);
    again.close();
  });

  it('in a file torn inside its header is reported and the header written again', async () => {
    const path = join(dir, 'header.fscap');
    writeFileSync(path, encodeFileHeader().subarray(0, 5));
    const store = await CaptureStore.open(path);
    expect(store.recovery).toEqual({ tornBytes: 5, records: 0 });
    store.putFrame(1, textFrame(0, 'after'));
    store.close();
    expect(statSync(path).size).toBeGreaterThan(FILE_HEADER_LENGTH);
    const again = await CaptureStore.open(path);
    expect(again.frames(1, 0, 1)[0].preview).toBe('after');
    again.close();
  });

  it('is not mistaken for a capture file when the magic is wrong', async () => {
    const path = join(dir, 'other.bin');
    writeFileSync(path, Buffer.from('this is not a capture file at all'));
    await expect(CaptureStore.open(path)).rejects.toThrow(/not a Framescope capture file/);
  });
});
