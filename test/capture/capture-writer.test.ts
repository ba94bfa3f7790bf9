import { spawnSync } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, read, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHECKPOINT_BODY_LENGTH, RECORD_HEADER_LENGTH, RecordType, decodeCheckpointBody, encodeCheckpoint, recordIntact } from '../../src/capture/capture-file.js';
import type { CapturedFrame, CapturedMessage } from '../../src/capture/capture-model.js';
import { CaptureStore, type SearchHit } from '../../src/capture/capture-store.js';
import { CaptureWriter, type CaptureWriterOptions } from '../../src/capture/capture-writer.js';
import type { RecordingGap } from '../../src/control/api-types.js';

// Fault injection for the retry test: the next `failWrites` asynchronous writes fail with ENOSPC
// before reaching the disk; every other call goes to the real node:fs.
const faults = vi.hoisted(() => ({ failWrites: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writev = (fd: number, buffers: NodeJS.ArrayBufferView[], position: number, callback: (error: NodeJS.ErrnoException | null, written: number) => void) => {
    if (faults.failWrites > 0) {
      faults.failWrites--;
      const error: NodeJS.ErrnoException = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      setImmediate(() => callback(error, 0));
      return;
    }
    fs.writev(fd, buffers, position, callback);
  };
  return { ...fs, writev };
});

const CHECKPOINT_LENGTH = RECORD_HEADER_LENGTH + CHECKPOINT_BODY_LENGTH;

let dir: string;
let fds: number[];
/** Threadpool blocks a failed test left in place: released after it, or every later test would hang. */
let blocks: { release: () => Promise<void> }[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'framescope-writer-'));
  fds = [];
  blocks = [];
  faults.failWrites = 0;
});
afterEach(async () => {
  for (const block of blocks) await block.release();
  for (const fd of fds) closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

/** A new empty file opened for reading and writing, with its path. */
function newFile(name = 'w.fscap'): { path: string; fd: number } {
  const path = join(dir, name);
  const fd = openSync(path, 'w+');
  fds.push(fd);
  return { path, fd };
}

/** A record body of `length` bytes that says which record it is. */
function body(n: number, length: number): Buffer {
  const bytes = Buffer.alloc(length, 0x61 + (n % 26));
  bytes.write(`#${n}#`, 0, 'latin1');
  return bytes;
}

function appendBody(writer: CaptureWriter, bytes: Buffer): number {
  return writer.append(RecordType.Error, bytes.length, (buf, at) => bytes.copy(buf, at));
}

/** The file's records in order: offset, type and body; every record must be intact. */
function recordsIn(file: Buffer): { offset: number; type: number; body: Buffer }[] {
  const records = [];
  for (let at = 0; at < file.length;) {
    const length = file.readUInt32LE(at + 4);
    expect(recordIntact(file, at, length), `record at ${at}`).toBe(true);
    records.push({ offset: at, type: file[at + 8], body: file.subarray(at + RECORD_HEADER_LENGTH, at + RECORD_HEADER_LENGTH + length) });
    at += RECORD_HEADER_LENGTH + length;
  }
  return records;
}

/** The file's data records (checkpoints left out), after checking each checkpoint against the bytes it covers. */
function checkedBodies(file: Buffer): { offset: number; body: Buffer }[] {
  const records = recordsIn(file);
  let spanStart = 0;
  for (const record of records) {
    if (record.type !== RecordType.Checkpoint) continue;
    const { crc, spanLength } = decodeCheckpointBody(record.body);
    expect(spanLength, `checkpoint at ${record.offset}`).toBe(record.offset - spanStart);
    expect(crc, `checkpoint at ${record.offset}`).toBe(crc32(file.subarray(spanStart, record.offset)));
    spanStart = record.offset + CHECKPOINT_LENGTH;
  }
  expect(records.at(-1)?.type).toBe(RecordType.Checkpoint);
  return records.filter((r) => r.type !== RecordType.Checkpoint).map(({ offset, body: b }) => ({ offset, body: b }));
}

/**
 * Occupies every thread of libuv's pool with a read of an empty FIFO, so an asynchronous write issued
 * meanwhile stays in flight (queued) until release() is called. Deterministic: no timing involved.
 */
async function blockThreadpool(): Promise<{ release: () => Promise<void> }> {
  const fifo = join(dir, `pool-${Math.random().toString(36).slice(2)}.fifo`);
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  const fd = openSync(fifo, 'r+');
  const threads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  const reads = Array.from({ length: threads }, () => new Promise<void>((resolve) => read(fd, Buffer.alloc(1), 0, 1, null, () => resolve())));
  // Let the pool's threads take the reads before anything else is queued.
  await new Promise((resolve) => setTimeout(resolve, 20));
  let released = false;
  const block = {
    release: async () => {
      if (released) return;
      released = true;
      writeSync(fd, Buffer.alloc(threads));
      await Promise.all(reads);
      closeSync(fd);
    },
  };
  blocks.push(block);
  return block;
}

function writer(fd: number, options: CaptureWriterOptions = {}): CaptureWriter {
  return new CaptureWriter(fd, 0, { maxDelayMs: 60_000, batchBytes: 4096, ...options });
}

describe('asynchronous batches', () => {
  it('are written after append returns: a sealed batch stays in memory until its write ends', async () => {
    const { path, fd } = newFile();
    const w = writer(fd);
    const bodies = Array.from({ length: 6 }, (_, n) => body(n, 700));
    bodies.forEach((b) => appendBody(w, b));
    // Six records passed batchBytes: the batch was sealed and its write issued, not waited for.
    expect(w.position).toBe(6 * (RECORD_HEADER_LENGTH + 700) + CHECKPOINT_LENGTH);
    expect(w.buffered).toBe(w.position);
    expect(w.pending).toBe(6 * (RECORD_HEADER_LENGTH + 700));
    await w.idle();
    expect(w.buffered).toBe(0);
    expect(checkedBodies(readFileSync(path)).map((r) => r.body)).toEqual(bodies);
    w.close();
  });

  it('reach the file in order without a flush, each ending with a checkpoint of its CRC', async () => {
    const { path, fd } = newFile();
    const w = writer(fd);
    // Short records (the batch's CRC runs over them) and long ones (combined with their own CRC).
    const bodies = Array.from({ length: 60 }, (_, n) => body(n, n % 3 === 0 ? 900 : 100 + n));
    const offsets: number[] = [];
    // A producer that lets the event loop turn, as the proxy does: writes end between records.
    for (const b of bodies) {
      offsets.push(appendBody(w, b));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await w.idle();
    // What was sealed is in the file; the batch being filled waits for its timer.
    const file = readFileSync(path);
    expect(w.buffered).toBeLessThan(4096 + 900);
    expect(file.length).toBe(w.position - w.buffered);
    const records = checkedBodies(file);
    expect(records.length).toBeGreaterThan(40);
    expect(records).toEqual(bodies.slice(0, records.length).map((b, n) => ({ offset: offsets[n], body: b })));
    w.close();
    expect(checkedBodies(readFileSync(path))).toEqual(bodies.map((b, n) => ({ offset: offsets[n], body: b })));
  });

  it('give a record larger than a batch a batch of its own, between the batches before and after it', () => {
    const { path, fd } = newFile();
    const w = writer(fd, { batchBytes: 1024 });
    const small = body(1, 50);
    const large = body(2, 5000);
    const after = body(3, 60);
    const offsets = [appendBody(w, small), appendBody(w, large), appendBody(w, after)];
    w.flush();
    const file = readFileSync(path);
    expect(recordsIn(file).map((r) => r.type)).toEqual([
      RecordType.Error, RecordType.Checkpoint, RecordType.Error, RecordType.Checkpoint, RecordType.Error, RecordType.Checkpoint,
    ]);
    expect(checkedBodies(file)).toEqual([{ offset: offsets[0], body: small }, { offset: offsets[1], body: large }, { offset: offsets[2], body: after }]);
    expect(offsets[1]).toBe(RECORD_HEADER_LENGTH + 50 + CHECKPOINT_LENGTH);
    w.close();
  });

  it('go to the file within maxDelayMs when no batch fills', async () => {
    const { path, fd } = newFile();
    const w = writer(fd, { maxDelayMs: 20 });
    appendBody(w, body(0, 10));
    expect(fstatSync(fd).size).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(readFileSync(path).length).toBe(RECORD_HEADER_LENGTH + 10 + CHECKPOINT_LENGTH);
    expect(w.buffered).toBe(0);
    w.close();
  });
});

describe('reading while writes are in flight', () => {
  it('returns the appended bytes, never the stale bytes of the file under a write still in flight', async () => {
    const { path, fd } = newFile();
    // Stale bytes where the records will go: a pread of an unfinished write would return these.
    writeFileSync(path, Buffer.alloc(64 * 1024, 0xee));
    const pool = await blockThreadpool();
    const w = writer(fd);
    // Two sealed batches (one in flight, one waiting for it) and a batch being filled.
    const bodies = Array.from({ length: 14 }, (_, n) => body(n, 700));
    const offsets = bodies.map((b) => appendBody(w, b));
    // Sealed, issued, and not written: the file still holds the stale bytes.
    expect(readFileSync(path).subarray(offsets[0], offsets[0] + 100)).toEqual(Buffer.alloc(100, 0xee));
    for (const [n, b] of bodies.entries()) expect(w.read(offsets[n] + RECORD_HEADER_LENGTH, b.length)).toEqual(b);
    // One read across sealed batches and the batch being filled.
    const all = w.read(0, w.position);
    expect(all.length).toBe(w.position);
    expect(checkedBodies(sealed(all)).map((r) => r.body)).toEqual(bodies);
    await pool.release();
    await w.idle();
    expect(readFileSync(path).subarray(0, w.position - w.buffered)).toEqual(all.subarray(0, w.position - w.buffered));
    for (const [n, b] of bodies.entries()) expect(w.read(offsets[n] + RECORD_HEADER_LENGTH, b.length)).toEqual(b);
    w.close();
  });

  it('reads the part in the file, the part in flight and the part in the batch into one buffer', async () => {
    const { fd } = newFile();
    const w = writer(fd);
    const first = Array.from({ length: 8 }, (_, n) => body(n, 700));
    const firstOffsets = first.map((b) => appendBody(w, b));
    await w.idle();
    const pool = await blockThreadpool();
    const second = Array.from({ length: 8 }, (_, n) => body(8 + n, 700));
    const secondOffsets = second.map((b) => appendBody(w, b));
    const out = Buffer.alloc(w.position);
    expect(w.readInto(out, 0, out.length)).toBe(w.position);
    for (const [n, b] of [...first, ...second].entries()) {
      const at = [...firstOffsets, ...secondOffsets][n] + RECORD_HEADER_LENGTH;
      expect(out.subarray(at, at + b.length)).toEqual(b);
    }
    // Reads stop at the end of what was appended.
    expect(w.readInto(Buffer.alloc(100), w.position - 10, 100)).toBe(10);
    await pool.release();
    w.close();
  });
});

describe('flush and close while a write is in flight', () => {
  it('flush puts everything in the file synchronously, the batches being written included', async () => {
    const { path, fd } = newFile();
    const pool = await blockThreadpool();
    const w = writer(fd);
    const bodies = Array.from({ length: 20 }, (_, n) => body(n, 700));
    const offsets = bodies.map((b) => appendBody(w, b));
    w.flush();
    expect(w.pending).toBe(0);
    expect(w.buffered).toBe(0);
    const expected = bodies.map((b, n) => ({ offset: offsets[n], body: b }));
    expect(checkedBodies(readFileSync(path))).toEqual(expected);
    // The write that was in flight ends later with the same bytes at the same place.
    await pool.release();
    await w.idle();
    expect(checkedBodies(readFileSync(path))).toEqual(expected);
    expect(readFileSync(path).length).toBe(w.position);
    w.close();
  });

  it('close writes everything at once and runs what closes the fd only after the write in flight ended', async () => {
    const { path, fd } = newFile();
    const pool = await blockThreadpool();
    const w = writer(fd);
    const bodies = Array.from({ length: 12 }, (_, n) => body(n, 700));
    bodies.forEach((b) => appendBody(w, b));
    let closedFd = 0;
    w.close(() => closedFd++);
    expect(closedFd).toBe(0);
    expect(checkedBodies(readFileSync(path)).map((r) => r.body)).toEqual(bodies);
    expect(() => appendBody(w, body(99, 10))).toThrow(/closed/);
    await pool.release();
    await vi.waitFor(() => expect(closedFd).toBe(1), { timeout: 2000, interval: 5 });
    expect(checkedBodies(readFileSync(path)).map((r) => r.body)).toEqual(bodies);
  });

  it('close with nothing in flight runs what closes the fd at once', () => {
    const { fd } = newFile();
    const w = writer(fd);
    appendBody(w, body(0, 10));
    let closedFd = 0;
    w.close(() => closedFd++);
    expect(closedFd).toBe(1);
  });
});

describe('backpressure', () => {
  it('is asked for past the high-water mark and released at the low-water mark, with nothing dropped', async () => {
    const { path, fd } = newFile();
    const calls: boolean[] = [];
    const w = writer(fd, { batchBytes: 1024, highWaterMark: 8000, lowWaterMark: 3000, onBackpressure: (paused) => calls.push(paused) });
    const pool = await blockThreadpool();
    const bodies: Buffer[] = [];
    // A producer that lets the event loop turn between records, while the disk (the pool) is stuck.
    while (calls.length === 0) {
      bodies.push(body(bodies.length, 500));
      appendBody(w, bodies.at(-1)!);
      expect(w.buffered).toBeLessThanOrEqual(8000 + 1024);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(calls).toEqual([true]);
    expect(w.backpressure).toBe(true);
    expect(w.buffered).toBeGreaterThan(8000);
    // Records put during backpressure are kept too.
    bodies.push(body(bodies.length, 500));
    appendBody(w, bodies.at(-1)!);
    expect(calls).toEqual([true]);
    await pool.release();
    await w.idle();
    expect(calls).toEqual([true, false]);
    expect(w.backpressure).toBe(false);
    w.close();
    expect(checkedBodies(readFileSync(path)).map((r) => r.body)).toEqual(bodies);
  });

  it('writes synchronously past twice the high-water mark when the producer does not pause', async () => {
    const { path, fd } = newFile();
    const calls: boolean[] = [];
    const w = writer(fd, { batchBytes: 1024, highWaterMark: 8000, onBackpressure: (paused) => calls.push(paused) });
    const pool = await blockThreadpool();
    const bodies: Buffer[] = [];
    for (let n = 0; n < 60; n++) {
      bodies.push(body(n, 500));
      appendBody(w, bodies[n]);
      expect(w.buffered).toBeLessThanOrEqual(16_000);
      await new Promise((resolve) => setImmediate(resolve));
    }
    // The write in flight never ended, yet the records are in the file; the synchronous write ended the backpressure.
    expect(calls.slice(0, 2)).toEqual([true, false]);
    const inFile = checkedBodies(readFileSync(path)).map((r) => r.body);
    expect(inFile.length).toBeGreaterThan(25);
    expect(inFile).toEqual(bodies.slice(0, inFile.length));
    await pool.release();
    w.close();
    expect(checkedBodies(readFileSync(path)).map((r) => r.body)).toEqual(bodies);
  });

  it('holds no more than a few batches for a synchronous loop of appends, where no write can end', () => {
    const { path, fd } = newFile();
    const w = writer(fd, { batchBytes: 1024 });
    const bodies = Array.from({ length: 400 }, (_, n) => body(n, 300));
    for (const b of bodies) {
      appendBody(w, b);
      // One batch in flight, fewer than two waiting, one being filled.
      expect(w.buffered).toBeLessThanOrEqual(5 * 1024);
    }
    const inFile = checkedBodies(readFileSync(path)).map((r) => r.body);
    expect(inFile.length).toBeGreaterThan(390);
    expect(inFile).toEqual(bodies.slice(0, inFile.length));
    w.close();
  });
});

describe('write errors', () => {
  it('are reported once, keep the records readable, and are retried until the file takes them', async () => {
    const { path, fd } = newFile();
    const errors: Error[] = [];
    const w = writer(fd, { maxDelayMs: 10, retryMs: 10, onError: (error) => errors.push(error) });
    faults.failWrites = 3;
    const bodies = Array.from({ length: 10 }, (_, n) => body(n, 700));
    const offsets = bodies.map((b) => appendBody(w, b));
    await vi.waitFor(() => expect(faults.failWrites).toBe(0), { timeout: 2000, interval: 5 });
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['ENOSPC']);
    for (const [n, b] of bodies.entries()) expect(w.read(offsets[n] + RECORD_HEADER_LENGTH, b.length)).toEqual(b);
    // The next retry succeeds: everything lands, in order, with no new report.
    await vi.waitFor(() => expect(w.buffered).toBe(0), { timeout: 2000, interval: 5 });
    expect(errors).toHaveLength(1);
    expect(checkedBodies(readFileSync(path))).toEqual(bodies.map((b, n) => ({ offset: offsets[n], body: b })));
    w.close();
  });

  it('on a device that is always full are reported once, and close says what could not be written', async () => {
    const errors: Error[] = [];
    const fd = openSync('/dev/full', 'w');
    fds.push(fd);
    const w = new CaptureWriter(fd, 0, { maxDelayMs: 5, retryMs: 5, batchBytes: 1024, onError: (error) => errors.push(error) });
    const bodies = Array.from({ length: 5 }, (_, n) => body(n, 700));
    const offsets = bodies.map((b) => appendBody(w, b));
    // Several retries on the timer.
    await new Promise((resolve) => setTimeout(resolve, 60));
    await w.idle();
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['ENOSPC']);
    expect(w.pending).toBe(5 * (RECORD_HEADER_LENGTH + 700));
    for (const [n, b] of bodies.entries()) expect(w.read(offsets[n] + RECORD_HEADER_LENGTH, b.length)).toEqual(b);
    w.close();
    expect(errors.map((e) => e.message).at(-1)).toBe(`${5 * (RECORD_HEADER_LENGTH + 700)} bytes of records could not be written to the capture file`);
    expect(errors).toHaveLength(2);
  });
});

/** Frame n of connection 1: a text frame that says its number, with a needle in frame 7. */
function textFrame(n: number): CapturedFrame {
  const payload = Buffer.from(`frame ${n} ${n === 7 ? 'needle ' : ''}`.padEnd(600, '.'));
  return {
    direction: n % 2 ? 'receive' : 'send', time: 1000 + n,
    frame: {
      fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, masked: false, payloadLength: payload.length, lengthForm: 16,
      headerLength: 4, index: n >> 1, offset: 0, payload, truncated: false, violations: [],
    },
  };
}

function textMessage(frame: CapturedFrame): CapturedMessage {
  const f = frame.frame;
  return {
    direction: frame.direction, time: frame.time,
    message: { opcode: 1, data: f.payload, truncated: false, compressed: false, size: f.payload.length, frameIndexes: [f.index], violations: [] },
  };
}

/** Puts `count` frames, each its own message, letting the event loop turn between them as the proxy does. */
async function putFrames(store: CaptureStore, count: number): Promise<CapturedFrame[]> {
  store.putConnection({
    id: 1, url: 'ws://flight.test/', clientAddress: '127.0.0.1:1', startedAt: 0, state: 'open',
    request: { method: 'GET', target: '/', httpVersion: '1.1', rawHeaders: [], time: 0 }, checks: [], frames: [], messages: [],
  });
  const frames: CapturedFrame[] = [];
  for (let n = 0; n < count; n++) {
    frames.push(textFrame(n));
    store.putFrame(1, frames[n]);
    store.putMessage(1, textMessage(frames[n]));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return frames;
}


describe('the store while its writes are in flight', () => {
  /** Checks every reader of the store against the frames put. */
  async function expectReadable(store: CaptureStore, frames: CapturedFrame[]): Promise<void> {
    const count = frames.length;
    for (let n = 0; n < count; n++) expect(store.frame(1, n)).toEqual(frames[n]);
    expect(store.frames(1, 0, count).map((row) => row.preview.split(' ')[1])).toEqual(frames.map((_, n) => String(n)));
    expect(store.messages(1, 0, count).map((m) => m.message.data)).toEqual(frames.map((f) => f.frame.payload));
    expect(store.messageEndingAt(1, 7)).toMatchObject({ number: 7, frameNumbers: [7] });
    const hits: SearchHit[] = [];
    expect(await store.search(1, { text: 'needle' }, (batch) => hits.push(...batch))).toEqual({ scanned: count, hits: 1 });
    expect(hits[0]).toMatchObject({ frame: 7, message: 7 });
    const [record] = store.toConnectionRecords();
    expect(record.frames).toEqual(frames);
    expect(record.messages.map((m) => m.message.data)).toEqual(frames.map((f) => f.frame.payload));
  }

  it('serves every reader from memory while the records are not in the file yet', async () => {
    const path = join(dir, 's.fscap');
    const store = CaptureStore.create(path, { batchBytes: 4096, maxDelayMs: 60_000 });
    const pool = await blockThreadpool();
    const frames = await putFrames(store, 30);
    // Several sealed batches wait behind a write that cannot end: the file has none of them.
    const sizeInFlight = statSync(path).size;
    expect(sizeInFlight).toBeLessThan(1024);
    expect(store.diskUsage()).toBeGreaterThan(30 * 600);
    await expectReadable(store, frames);
    await pool.release();
    store.close();
    const reopened = await CaptureStore.open(path);
    expect(reopened.recovery.tornBytes).toBe(0);
    await expectReadable(reopened, frames);
    reopened.close();
  });

  it('says when the file falls behind, through onBackpressure and store.backpressure, and loses nothing', async () => {
    const path = join(dir, 's.fscap');
    const calls: boolean[] = [];
    const store = CaptureStore.create(path, { batchBytes: 1024, highWaterMark: 8000, lowWaterMark: 2000, onBackpressure: (paused) => calls.push(paused) });
    expect(store.backpressure).toBe(false);
    const pool = await blockThreadpool();
    const frames = await putFrames(store, 12);
    expect(calls).toEqual([true]);
    expect(store.backpressure).toBe(true);
    await pool.release();
    await vi.waitFor(() => expect(calls).toEqual([true, false]), { timeout: 2000, interval: 5 });
    expect(store.backpressure).toBe(false);
    store.close();
    const reopened = await CaptureStore.open(path);
    expect(reopened.frameCount(1)).toBe(12);
    expect(reopened.frame(1, 11)).toEqual(frames[11]);
    reopened.close();
  });

  it('closes with everything in the file at once, and closes the fd only once the write in flight ended', async () => {
    const path = join(dir, 's.fscap');
    const store = CaptureStore.create(path, { batchBytes: 4096, maxDelayMs: 60_000 });
    const pool = await blockThreadpool();
    const frames = await putFrames(store, 20);
    const openFds = () => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === path;
      } catch {
        return false;
      }
    }).length;
    expect(openFds()).toBe(1);
    store.close();
    expect(() => store.frame(1, 0)).toThrow(/closed/);
    expect(openFds()).toBe(1);
    const reopened = await CaptureStore.open(path);
    expect(reopened.recovery).toEqual({ tornBytes: 0, records: 2 + 2 * 20 });
    await expectReadable(reopened, frames);
    reopened.close();
    await pool.release();
    await vi.waitFor(() => expect(openFds()).toBe(0), { timeout: 2000, interval: 5 });
  });
});

describe('a failed disk', () => {
  it('never holds the producer: past the high-water mark while writes fail no backpressure comes, and recovery is told once all is in the file', async () => {
    const { path, fd } = newFile();
    const events: string[] = [];
    const w = writer(fd, {
      maxDelayMs: 5, retryMs: 20, batchBytes: 1024, highWaterMark: 4096,
      onBackpressure: (paused) => events.push(`backpressure ${paused}`),
      onFailing: (error) => events.push(`failing ${(error as NodeJS.ErrnoException).code}`),
      onRecovered: () => events.push('recovered'),
    });
    faults.failWrites = 1_000_000;
    const bodies = [body(0, 700)];
    const offsets = [appendBody(w, bodies[0])];
    await vi.waitFor(() => expect(events).toEqual(['failing ENOSPC']), { timeout: 5000, interval: 5 });
    expect(w.failed).toBe(true);
    for (let n = 1; n < 30; n++) {
      bodies.push(body(n, 700));
      offsets.push(appendBody(w, bodies[n]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(w.buffered).toBeGreaterThan(4096);
    expect(w.backpressure).toBe(false);
    faults.failWrites = 0;
    await vi.waitFor(() => expect(events).toEqual(['failing ENOSPC', 'recovered']), { timeout: 5000, interval: 5 });
    expect(w.failed).toBe(false);
    expect(w.buffered).toBe(0);
    expect(checkedBodies(readFileSync(path))).toEqual(bodies.map((b, n) => ({ offset: offsets[n], body: b })));
    w.close();
  });

  it('pauses the store: what is put meanwhile is counted, not recorded, and the gap is recorded once writes succeed again', async () => {
    const path = join(dir, 'gap.fscap');
    const told: string[] = [];
    const gaps: RecordingGap[] = [];
    const store = CaptureStore.create(path, {
      maxDelayMs: 5, retryMs: 20, highWaterMark: 4096,
      onBackpressure: (paused) => told.push(`backpressure ${paused}`),
      onPause: (pause) => told.push(`pause ${pause.code} ${pause.reason}`),
      onResume: (gap) => gaps.push(gap),
    });
    const before = await putFrames(store, 10);
    // A slow disk held the producer for a while (the high-water mark is tiny); wait until that is over
    // (the last write's end releases it, just after its bytes are in the file).
    await vi.waitFor(() => expect([store.diskUsage(), store.backpressure]).toEqual([statSync(path).size, false]), { timeout: 5000, interval: 5 });
    told.length = 0;
    faults.failWrites = 1_000_000;
    // Frame 10 is put before the first failed write: it waits in memory, and is kept.
    const kept = textFrame(10);
    store.putFrame(1, kept);
    store.putMessage(1, textMessage(kept));
    await vi.waitFor(() => expect(told).toEqual(['pause ENOSPC ENOSPC: no space left on device, write']), { timeout: 5000, interval: 5 });
    expect(store.recordingPause).toMatchObject({ code: 'ENOSPC', reason: 'ENOSPC: no space left on device, write' });
    // Paused: 20 frames and messages of 600 bytes, a close, and an error, none of it recorded.
    for (let n = 11; n < 31; n++) {
      expect(store.putFrame(1, textFrame(n))).toBe(-1);
      expect(store.putMessage(1, textMessage(textFrame(n)))).toBe(-1);
      await new Promise((resolve) => setImmediate(resolve));
    }
    store.putConnection({ ...store.connection(1)!, state: 'closed', endedAt: 99 });
    store.putError({ message: 'a garbage request', time: 98 });
    expect(store.frameCount(1)).toBe(11);
    expect(store.connection(1)!.state).toBe('closed');
    faults.failWrites = 0;
    await vi.waitFor(() => expect(gaps).toHaveLength(1), { timeout: 5000, interval: 5 });
    expect(gaps[0]).toEqual({
      from: store.gaps()[0].from, to: store.gaps()[0].to, code: 'ENOSPC', reason: 'ENOSPC: no space left on device, write',
      frames: 20, messages: 20, bytes: 20 * (4 + 600), connectionIds: [1],
    });
    expect(gaps[0].to).toBeGreaterThanOrEqual(gaps[0].from);
    expect(store.recordingPause).toBe(null);
    expect(told).toEqual(['pause ENOSPC ENOSPC: no space left on device, write']);
    // Recording goes on.
    const after = textFrame(31);
    expect(store.putFrame(1, after)).toBe(11);
    store.close();

    const reopened = await CaptureStore.open(path);
    try {
      expect(reopened.recovery.tornBytes).toBe(0);
      expect(reopened.gaps()).toEqual(gaps);
      expect(reopened.frameCount(1)).toBe(12);
      expect(reopened.frames(1, 0, 12).map((row) => row.preview.split(' ')[1])).toEqual([...before.map((_, n) => String(n)), '10', '31']);
      expect(reopened.messageCount(1)).toBe(11);
      expect(reopened.connection(1)).toMatchObject({ state: 'closed', endedAt: 99 });
      expect(reopened.errors()).toEqual([{ message: 'a garbage request', time: 98 }]);
    } finally {
      reopened.close();
    }
  });
});

/** Bytes read back with a checkpoint added after the records that follow the last one (the batch being filled, as sealing closes it). */
function sealed(bytes: Buffer): Buffer {
  const last = recordsIn(bytes).findLast((r) => r.type === RecordType.Checkpoint);
  const start = last ? last.offset + CHECKPOINT_LENGTH : 0;
  if (start === bytes.length) return bytes;
  return Buffer.concat([bytes, encodeCheckpoint(crc32(bytes.subarray(start)), bytes.length - start)]);
}
