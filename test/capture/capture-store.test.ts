import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CapturedFrame, CapturedMessage, ConnectionRecord, Direction } from '../../src/capture/capture-model.js';
import { CHECKPOINT_BODY_LENGTH, RECORD_HEADER_LENGTH, RecordType } from '../../src/capture/capture-file.js';
import { CaptureWriter } from '../../src/capture/capture-writer.js';
import { CaptureStore, type BudgetLevel, type SearchHit } from '../../src/capture/capture-store.js';
import { leadingLiteral } from '../../src/regex-literal.js';
import { Session } from '../../src/capture/session.js';
import { recordSession } from '../../src/capture/session-recorder.js';
import { Deflater } from '../../src/protocol/deflater.js';
import { encodeClosePayload, encodeFrameBytes, type FrameSpec } from '../../src/protocol/frame-encoder.js';
import type { Frame } from '../../src/protocol/frame.js';
import { DEFAULT_DEFLATE_PARAMS, deflateForSender } from '../../src/protocol/permessage-deflate.js';
import { StreamDecoder } from '../../src/protocol/stream-decoder.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'framescope-store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

let now = 1_700_000_000_000;
const clock = () => (now += 1.25);
const KEY = Buffer.from([0x11, 0x22, 0x33, 0x44]);

function newConnection(session: Session, url = 'ws://example.test/socket'): ConnectionRecord {
  return session.addConnection({
    url, clientAddress: '127.0.0.1:40000', startedAt: clock(), state: 'connecting',
    request: { method: 'GET', target: '/socket', httpVersion: '1.1', rawHeaders: ['Host', 'example.test'], time: now },
  });
}

/**
 * One direction of a connection, decoded from real wire bytes as the relay does: each frame and
 * message goes to the session. `flags` marks the next frame injected, edited or dropped.
 */
function wire(session: Session, connection: ConnectionRecord, direction: Direction, deflate = false) {
  const flags: Partial<Pick<CapturedFrame, 'injected' | 'edited' | 'dropped'>>[] = [];
  const decoder = new StreamDecoder({ from: direction === 'send' ? 'client' : 'server', deflate: deflate ? DEFAULT_DEFLATE_PARAMS : null }, {
    onFrame: (frame: Frame) => session.addFrame(connection, { direction, time: clock(), frame, ...flags.shift() }),
    onMessage: (message) => session.addMessage(connection, { direction, time: clock(), message }),
  });
  const deflater = new Deflater(deflateForSender(DEFAULT_DEFLATE_PARAMS, direction === 'send' ? 'client' : 'server'));
  return {
    send(spec: FrameSpec, mark: Partial<Pick<CapturedFrame, 'injected' | 'edited' | 'dropped'>> = {}) {
      flags.push(mark);
      decoder.push(encodeFrameBytes({ mask: direction === 'send' ? KEY : undefined, ...spec }));
    },
    /** A whole message compressed with permessage-deflate (RSV1 on its frame). */
    sendCompressed(text: string) {
      flags.push({});
      decoder.push(encodeFrameBytes({ opcode: 1, rsv1: true, mask: direction === 'send' ? KEY : undefined, payload: deflater.compress(Buffer.from(text)) }));
    },
  };
}

/** A session with two connections: one rich WebSocket (deflate, fragments, control frames, violations, flags) and one failed handshake. */
function recordRichSession(store: CaptureStore): Session {
  const session = new Session();
  recordSession(session, store);
  const c = newConnection(session);
  c.state = 'open';
  c.extensions = 'permessage-deflate';
  c.response = { statusCode: 101, statusMessage: 'Switching Protocols', httpVersion: '1.1', rawHeaders: ['Upgrade', 'websocket'], time: clock() };
  session.updated(c);
  const client = wire(session, c, 'send', true);
  const server = wire(session, c, 'receive', true);
  client.send({ opcode: 1, payload: 'hello' });
  server.send({ opcode: 1, payload: 'hi there, client' });
  client.send({ opcode: 1, fin: false, payload: 'frag-' });
  client.send({ opcode: 9, payload: 'are you there' });
  client.send({ opcode: 0, fin: false, payload: 'men' });
  client.send({ opcode: 0, payload: 't' });
  server.sendCompressed('compressed payload payload payload payload');
  client.send({ opcode: 2, payload: Buffer.from([0, 1, 2, 255]) }, { injected: true });
  server.send({ opcode: 1, payload: 'edited' }, { edited: true });
  client.send({ opcode: 1, payload: 'never forwarded' }, { dropped: true });
  client.send({ opcode: 1, payload: 'unmasked!', mask: false });
  server.send({ opcode: 1, payload: Buffer.from([0x68, 0xff]) });
  client.send({ opcode: 10, payload: Buffer.alloc(0) });
  client.send({ opcode: 8, payload: encodeClosePayload(1000, 'bye') });
  server.send({ opcode: 8, payload: encodeClosePayload(1000, 'bye') });
  c.close = { code: 1000, reason: 'bye', closedBy: 'client' };
  c.state = 'closed';
  session.closed(c);

  const failed = newConnection(session, 'ws://example.test/forbidden');
  failed.state = 'failed';
  failed.response = { statusCode: 403, statusMessage: 'Forbidden', httpVersion: '1.1', rawHeaders: ['Content-Length', '4'], body: Buffer.from('nope'), time: clock() };
  session.updated(failed);
  session.closed(failed);
  session.recordError('bad request from a client: HPE_INVALID_METHOD');
  return session;
}

describe('a store recorded from a live session', () => {
  it('reads back every connection, frame and message after it is closed and reopened', async () => {
    const path = join(dir, 'session.fscap');
    const store = CaptureStore.create(path);
    const session = recordRichSession(store);
    store.close();

    const reopened = await CaptureStore.open(path);
    expect(reopened.recovery).toEqual({ tornBytes: 0, records: expect.any(Number) });
    const [c, failed] = session.connections;
    expect(c.frames.length).toBe(15);
    expect(c.messages.length).toBe(9);
    expect(reopened.connection(1)).toEqual({ ...c, frames: [], messages: [] });
    expect(reopened.connection(2)).toEqual({ ...failed, frames: [], messages: [] });
    expect(reopened.frameCount(1)).toBe(15);
    for (let n = 0; n < c.frames.length; n++) expect(reopened.frame(1, n), `frame ${n}`).toEqual(c.frames[n]);
    expect(reopened.messages(1, 0, 100)).toEqual(c.messages);
    expect(reopened.toConnectionRecords()).toEqual(session.connections);
    expect(reopened.errors()).toEqual(session.errors);
    reopened.close();
  });

  it('keeps the decompressed data of compressed messages and rebuilds fragmented plain ones from their frames', async () => {
    const path = join(dir, 'session.fscap');
    const store = CaptureStore.create(path);
    recordRichSession(store);
    store.close();
    const reopened = await CaptureStore.open(path);
    const texts = reopened.messages(1, 0, 100).map((m) => m.message.data.toString('latin1'));
    expect(texts.slice(0, 4)).toEqual(['hello', 'hi there, client', 'frag-ment', 'compressed payload payload payload payload']);
    expect(reopened.messages(1, 2, 3)[0].message.frameIndexes).toEqual([1, 3, 4]);
    expect(reopened.messages(1, 3, 4)[0].message.compressed).toBe(true);
    reopened.close();
  });

  it('counts a violation found in a frame and carried by its message once, also when reopened', async () => {
    const path = join(dir, 'one-violation.fscap');
    const store = CaptureStore.create(path);
    const session = new Session();
    recordSession(session, store);
    const c = newConnection(session);
    c.state = 'open';
    session.updated(c);
    const server = wire(session, c, 'receive');
    // 68 ff: invalid UTF-8 in a text frame, on the frame and on the message it completes.
    server.send({ opcode: 1, payload: Buffer.from([0x68, 0xff]) });
    expect(c.frames[0]!.frame.violations).toEqual(['invalid-utf8']);
    expect(c.messages[0]!.message.violations).toEqual(['invalid-utf8']);
    expect(store.connections()[0]).toMatchObject({ violationCount: 1 });
    store.close();
    const reopened = await CaptureStore.open(path);
    expect(reopened.connections()[0]).toMatchObject({ violationCount: 1 });
    reopened.close();
  });

  it('lists connections with their counts each way', () => {
    const store = CaptureStore.create(join(dir, 's.fscap'));
    const session = recordRichSession(store);
    const c = session.connections[0];
    const wireBytes = (d: Direction) => c.frames.filter((f) => f.direction === d).reduce((sum, f) => sum + f.frame.headerLength + f.frame.payloadLength, 0);
    // A message's violation that its frame carries too (invalid UTF-8) is one violation.
    const onItsFrames = (m: CapturedMessage, code: CapturedMessage['message']['violations'][number]) => c.frames.some((f) => f.direction === m.direction && m.message.frameIndexes.includes(f.frame.index) && f.frame.violations.includes(code));
    const violations = c.frames.reduce((n, f) => n + f.frame.violations.length, 0)
      + c.messages.reduce((n, m) => n + m.message.violations.filter((code) => !onItsFrames(m, code)).length, 0);
    const [summary, failed] = store.connections();
    expect(summary).toMatchObject({
      id: 1, url: 'ws://example.test/socket', state: 'closed', frameCount: 15, messageCount: 9,
      framesSent: c.frames.filter((f) => f.direction === 'send').length, framesReceived: c.frames.filter((f) => f.direction === 'receive').length,
      messagesSent: 5, messagesReceived: 4, bytesSent: wireBytes('send'), bytesReceived: wireBytes('receive'), violationCount: violations,
    });
    expect(violations).toBeGreaterThanOrEqual(2);
    expect(c.messages.some((m) => m.message.violations.includes('invalid-utf8'))).toBe(true);
    expect('frames' in summary).toBe(false);
    expect(failed).toMatchObject({ id: 2, state: 'failed', frameCount: 0, messageCount: 0 });
    store.close();
  });

  it('reads back what was just put, before any write reached the file', () => {
    const path = join(dir, 's.fscap');
    const store = CaptureStore.create(path);
    const session = recordRichSession(store);
    const sizeBefore = statSync(path).size;
    expect(store.diskUsage()).toBeGreaterThan(sizeBefore);
    expect(store.frame(1, 0)).toEqual(session.connections[0].frames[0]);
    expect(store.messages(1, 8, 9)).toEqual(session.connections[0].messages.slice(8));
    store.close();
  });

  it('summarizes frames for a list: header fields, flags and a 64-byte preview', () => {
    const store = CaptureStore.create(join(dir, 's.fscap'));
    const session = new Session();
    recordSession(session, store);
    const c = newConnection(session);
    const client = wire(session, c, 'send');
    client.send({ opcode: 1, payload: 'x'.repeat(100) });
    client.send({ opcode: 2, payload: Buffer.from([0, 1, 2, 0xff]) }, { injected: true });
    client.send({ opcode: 1, payload: 'é'.repeat(40) });
    client.send({ opcode: 8, payload: encodeClosePayload(1001, 'going') });
    const rows = store.frames(1, 0, 4);
    expect(rows[0]).toEqual({
      connectionId: 1, number: 0, direction: 'send', time: c.frames[0].time, fin: true, rsv1: false, rsv2: false, rsv3: false,
      opcode: 1, masked: true, maskKey: '11223344', payloadLength: 100, lengthForm: 7, headerLength: 6, index: 0, offset: 0,
      truncated: false, violations: [], injected: false, edited: false, dropped: false, payloadNotStored: false, storedLength: 100,
      preview: 'x'.repeat(64), previewKind: 'text',
    });
    expect(rows[1]).toMatchObject({ number: 1, opcode: 2, injected: true, preview: '000102ff', previewKind: 'hex' });
    // 64 bytes end inside the 33rd 'é': the preview stops at the last whole character.
    expect(rows[2]).toMatchObject({ preview: 'é'.repeat(32), previewKind: 'text', storedLength: 80 });
    expect(rows[3]).toMatchObject({ opcode: 8, closeCode: 1001, closeReason: 'going', previewKind: 'hex' });
    store.close();
  });

  it('stores a plain message\u2019s data once: a flag stands for its frames\u2019 payloads', () => {
    const store = CaptureStore.create(join(dir, 's.fscap'));
    const session = new Session();
    recordSession(session, store);
    const c = newConnection(session);
    const server = wire(session, c, 'receive');
    const before = store.diskUsage();
    server.send({ opcode: 2, payload: Buffer.alloc(10_000, 7) });
    const used = store.diskUsage() - before;
    expect(used).toBeGreaterThan(10_000);
    expect(used).toBeLessThan(10_200);
    expect(store.messages(1, 0, 1)[0].message.data).toEqual(Buffer.alloc(10_000, 7));
    store.close();
  });

  it('stops writing after the recorder unsubscribes', () => {
    const store = CaptureStore.create(join(dir, 's.fscap'));
    const session = new Session();
    const stop = recordSession(session, store);
    const c = newConnection(session);
    stop();
    wire(session, c, 'send').send({ opcode: 1, payload: 'unseen' });
    expect(store.frameCount(1)).toBe(0);
    store.close();
  });
});

describe('reopening', () => {
  it('reads a file of many batches across scan chunks, with a record larger than a chunk', async () => {
    const path = join(dir, 'big.fscap');
    const store = CaptureStore.create(path);
    const huge = Buffer.alloc(9 * 1024 * 1024, 0x5a);
    for (let n = 0; n < 3000; n++) {
      store.putFrame(1, plainFrame('send', n, n === 1500 ? huge : `${n} `.padEnd(4000, '-')));
      if (n % 700 === 0) store.flush();
    }
    store.close();
    const reopened = await CaptureStore.open(path);
    expect(reopened.recovery.tornBytes).toBe(0);
    expect(reopened.recovery.records).toBe(3001);
    expect(reopened.frameCount(1)).toBe(3000);
    expect(reopened.frame(1, 1500).frame.payload.equals(huge)).toBe(true);
    expect(reopened.frames(1, 2995, 3000).map((r) => r.preview.split(' ')[0])).toEqual(['2995', '2996', '2997', '2998', '2999']);
    expect(reopened.frame(1, 2999).frame.payload.toString()).toBe('2999 '.padEnd(4000, '-'));
    reopened.close();
  });

  it('searches a file larger than its read windows, with a message whose frames span several', async () => {
    const path = join(dir, 'big.fscap');
    const store = CaptureStore.create(path);
    for (let n = 0; n < 3000; n++) store.putFrame(1, plainFrame('send', n, `${n} `.padEnd(4000, '-'), { opcode: 9 }));
    // Twelve 1 MiB fragments; "needle" is split between the fifth and the sixth.
    const fragments = Array.from({ length: 12 }, (_, i) => Buffer.alloc(1024 * 1024, 0x61 + i));
    fragments[4].write('nee', fragments[4].length - 3);
    fragments[5].write('dle', 0);
    for (let i = 0; i < 12; i++) {
      store.putFrame(2, plainFrame('receive', i, fragments[i], { opcode: i === 0 ? 2 : 0, fin: i === 11 }));
    }
    const data = Buffer.concat(fragments);
    store.putMessage(2, { direction: 'receive', time: clock(), message: { opcode: 2, data, truncated: false, compressed: false, size: data.length, frameIndexes: [...Array(12).keys()], violations: [] } });
    store.close();
    const reopened = await CaptureStore.open(path);
    const hits: SearchHit[] = [];
    const result = await reopened.search(null, { regex: '^\\d+ -|needle' }, (batch) => hits.push(...batch));
    expect(result).toEqual({ scanned: 3001, hits: 3001 });
    expect(hits.filter((h) => h.connectionId === 1).map((h) => h.frame)).toEqual([...Array(3000).keys()]);
    expect(hits.find((h) => h.connectionId === 2)).toMatchObject({ frame: 11, message: 0, snippet: `${'e'.repeat(40)}needle${'f'.repeat(40)}` });
    expect(reopened.messages(2, 0, 1)[0].message.data.equals(data)).toBe(true);
    reopened.close();
  });

  it('finds the message that ends at a frame', async () => {
    const path = join(dir, 's.fscap');
    const store = CaptureStore.create(path);
    const session = recordRichSession(store);
    store.close();
    const reopened = await CaptureStore.open(path);
    // Frames 2, 3, 4, 5: 'frag-', a ping, 'men', 't'.
    expect(reopened.messageEndingAt(1, 5)).toEqual({ number: 2, captured: session.connections[0].messages[2], frameNumbers: [2, 4, 5] });
    expect(reopened.messageEndingAt(1, 3)).toBeUndefined();
    expect(reopened.messageEndingAt(1, 4)).toBeUndefined();
    expect(reopened.messageEndingAt(1, 0)?.number).toBe(0);
    expect(reopened.messageEndingAt(1, 99)).toBeUndefined();
    reopened.close();
  });
});

describe('the index', () => {
  it('keeps a frame and its message in under 64 bytes of memory', () => {
    const store = CaptureStore.create(join(dir, 's.fscap'));
    for (let n = 0; n < 50_000; n++) {
      const frame = plainFrame(n % 2 ? 'send' : 'receive', n >> 1, 'x');
      store.putFrame(1 + (n % 3), frame);
      store.putMessage(1 + (n % 3), { direction: frame.direction, time: frame.time, message: { opcode: 1, data: frame.frame.payload, truncated: false, compressed: false, size: 1, frameIndexes: [n >> 1], violations: [] } });
    }
    expect(store.indexBytes).toBeLessThan(50_000 * 64);
    expect(store.indexBytes).toBeGreaterThan(50_000 * 40);
    store.close();
  });
});

describe('the writer behind the store', () => {
  it('gets records to the file within 100 ms without a flush', async () => {
    const path = join(dir, 's.fscap');
    const store = CaptureStore.create(path);
    store.putFrame(1, plainFrame('send', 0, 'x'.repeat(500)));
    const size = store.diskUsage();
    expect(statSync(path).size).toBeLessThan(size);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The record, and the checkpoint that ends its batch.
    expect(statSync(path).size).toBe(size + RECORD_HEADER_LENGTH + CHECKPOINT_BODY_LENGTH);
    expect(statSync(path).size).toBe(store.diskUsage());
    store.close();
  });

  it('writes at once when a batch passes 1 MiB', async () => {
    const path = join(dir, 's.fscap');
    // A timer that never fires in the test: only the batch size can start the write.
    const store = CaptureStore.create(path, { maxDelayMs: 60_000 });
    for (let i = 0; i < 300; i++) store.putFrame(1, plainFrame('send', i, 'y'.repeat(4000)));
    // The write is asynchronous: it is issued at once and ends soon after, with no flush.
    await vi.waitFor(() => expect(statSync(path).size).toBeGreaterThan(1024 * 1024), { timeout: 2000, interval: 5 });
    store.close();
    expect(statSync(path).size).toBe(store.diskUsage());
  });

  it('reports a failed write once, keeps the records, reads them back, and says what close could not write', () => {
    const errors: Error[] = [];
    const fd = openSync('/dev/full', 'w');
    const writer = new CaptureWriter(fd, 0, { onError: (error) => errors.push(error) });
    const at = writer.append(RecordType.Error, 3, (buf, offset) => buf.write('abc', offset));
    writer.flush();
    writer.flush();
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['ENOSPC']);
    expect(writer.pending).toBe(RECORD_HEADER_LENGTH + 3);
    expect(writer.read(at + RECORD_HEADER_LENGTH, 3).toString()).toBe('abc');
    writer.close();
    expect(errors.map((e) => e.message).at(-1)).toBe('12 bytes of records could not be written to the capture file');
    closeSync(fd);
  });

  it('refuses to create over an existing file', () => {
    const path = join(dir, 's.fscap');
    writeFileSync(path, 'keep me');
    expect(() => CaptureStore.create(path)).toThrow(/EEXIST/);
  });

  it('continues a reopened file where it ended', async () => {
    const path = join(dir, 's.fscap');
    const store = CaptureStore.create(path);
    store.putFrame(1, plainFrame('send', 0, 'first'));
    store.close();
    const reopened = await CaptureStore.open(path);
    expect(reopened.putFrame(1, plainFrame('send', 1, 'second'))).toBe(1);
    reopened.close();
    const again = await CaptureStore.open(path);
    expect(again.frames(1, 0, 2).map((r) => r.preview)).toEqual(['first', 'second']);
    again.close();
  });
});

/** A frame built by hand: opcode 1 unless given, unmasked. */
function plainFrame(direction: Direction, index: number, payload: string | Buffer, over: Partial<Frame> = {}): CapturedFrame {
  const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  return {
    direction, time: clock(),
    frame: {
      fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, masked: false, payloadLength: bytes.length,
      lengthForm: bytes.length < 126 ? 7 : bytes.length < 65536 ? 16 : 64, headerLength: 2, index, offset: 0, payload: bytes,
      truncated: false, violations: [], ...over,
    },
  };
}

/** 300 frames on connection 1: every 3rd received, every 5th a ping, every 7th with invalid UTF-8 noted. */
function fillForQueries(store: CaptureStore): void {
  store.putConnection({
    id: 1, url: 'ws://q.test/', clientAddress: '127.0.0.1:1', startedAt: 0, state: 'open',
    request: { method: 'GET', target: '/', httpVersion: '1.1', rawHeaders: [], time: 0 }, checks: [], frames: [], messages: [],
  });
  for (let n = 0; n < 300; n++) {
    const direction: Direction = n % 3 === 0 ? 'receive' : 'send';
    store.putFrame(1, plainFrame(direction, n, `frame ${n}`, {
      opcode: n % 5 === 0 ? 9 : 1,
      violations: n % 7 === 0 ? ['invalid-utf8'] : n === 299 ? ['unmasked-client-frame'] : [],
    }));
  }
}

describe('frame queries', () => {
  it('return a range of frames by number', () => {
    const store = CaptureStore.create(join(dir, 's.fscap'));
    fillForQueries(store);
    expect(store.frames(1, 10, 20).map((r) => r.number)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(store.frames(1, 295, 400).map((r) => r.preview)).toEqual(['frame 295', 'frame 296', 'frame 297', 'frame 298', 'frame 299']);
    expect(store.frames(2, 0, 10)).toEqual([]);
    store.close();
  });

  it('filter by direction, with start and end as positions among the matches', () => {
    const store = CaptureStore.create(join(dir, 's.fscap'));
    fillForQueries(store);
    expect(store.frameCount(1, { direction: 'receive' })).toBe(100);
    const rows = store.frames(1, 2, 5, { direction: 'receive' });
    expect(rows.map((r) => [r.number, r.direction])).toEqual([[6, 'receive'], [9, 'receive'], [12, 'receive']]);
    store.close();
  });

  it('filter by opcode', () => {
    const store = CaptureStore.create(join(dir, 's.fscap'));
    fillForQueries(store);
    expect([...store.frameNumbers(1, { opcode: 9 })].slice(0, 4)).toEqual([0, 5, 10, 15]);
    expect(store.frameCount(1, { opcode: 9 })).toBe(60);
    expect(store.frameCount(1, { opcode: 9, direction: 'send' })).toBe(40);
    store.close();
  });

  it('filter by one violation, or any', async () => {
    const path = join(dir, 's.fscap');
    const store = CaptureStore.create(path);
    fillForQueries(store);
    store.close();
    const reopened = await CaptureStore.open(path);
    expect([...reopened.frameNumbers(1, { violation: 'invalid-utf8' })].slice(0, 3)).toEqual([0, 7, 14]);
    expect(reopened.frameCount(1, { violation: 'invalid-utf8' })).toBe(43);
    expect(reopened.frames(1, 0, 1, { violation: 'unmasked-client-frame' }).map((r) => [r.number, r.violations])).toEqual([[299, ['unmasked-client-frame']]]);
    expect(reopened.frameCount(1, { violation: 'any' })).toBe(44);
    reopened.close();
  });
});

describe('search', () => {
  /** Plain and compressed messages and control frames; "needle" in some of each. */
  function fillForSearch(store: CaptureStore): void {
    const session = new Session();
    recordSession(session, store);
    const c = newConnection(session);
    const client = wire(session, c, 'send', true);
    const server = wire(session, c, 'receive', true);
    client.send({ opcode: 1, payload: 'plain needle 1' }); // message 0, frame 0
    server.sendCompressed('compressed needle 22 and more'); // message 1, frame 1
    server.sendCompressed('compressed hay'); // message 2, frame 2
    client.send({ opcode: 9, payload: 'ping needle 333' }); // frame 3
    client.send({ opcode: 1, fin: false, payload: 'split nee' }); // frame 4
    client.send({ opcode: 0, payload: 'dle 4444' }); // frame 5, message 3
    server.send({ opcode: 2, payload: Buffer.from('binary NEEDLE 5') }); // frame 6, message 4
    client.send({ opcode: 1, payload: 'unmasked hay', mask: false }); // frame 7, message 5
  }

  async function collect(store: CaptureStore, connectionId: number | null, query: Parameters<CaptureStore['search']>[1]) {
    const hits: SearchHit[] = [];
    const result = await store.search(connectionId, query, (batch) => hits.push(...batch));
    return { hits, result };
  }

  it('finds text in plain and decompressed messages, across fragments, and in control frames', async () => {
    const store = CaptureStore.create(join(dir, 's.fscap'));
    fillForSearch(store);
    const { hits, result } = await collect(store, 1, { text: 'needle' });
    expect(hits.map((h) => [h.frame, h.message, h.opcode])).toEqual([[0, 0, 1], [1, 1, 1], [3, undefined, 9], [5, 3, 1]]);
    expect(hits[1]).toMatchObject({ connectionId: 1, direction: 'receive', snippet: 'compressed needle 22 and more' });
    expect(result).toEqual({ scanned: 7, hits: 4 });
    store.close();
  });

  it('matches a regular expression with flags over the decoded data', async () => {
    const store = CaptureStore.create(join(dir, 's.fscap'));
    fillForSearch(store);
    const { hits } = await collect(store, null, { regex: 'needle (\\d{3,})', flags: 'i' });
    expect(hits.map((h) => [h.frame, h.message, h.snippet])).toEqual([[3, undefined, 'ping needle 333'], [5, 3, 'split needle 4444']]);
    const caseless = await collect(store, null, { text: 'NEEDLE', flags: 'i' });
    expect(caseless.hits.map((h) => h.frame)).toEqual([0, 1, 3, 5, 6]);
    store.close();
  });

  it('skips data without the regex\u2019s leading literal, and finds the same hits', async () => {
    expect(leadingLiteral(/needle \d+/)?.toString()).toBe('needle ');
    expect(leadingLiteral(/^split nee?/)?.toString()).toBe('split ne');
    expect(leadingLiteral(/needle/i)).toBeNull();
    expect(leadingLiteral(/needle|hay/)).toBeNull();
    expect(leadingLiteral(/ab*c/)).toBeNull();
    const store = CaptureStore.create(join(dir, 's.fscap'));
    fillForSearch(store);
    const { hits } = await collect(store, 1, { regex: 'needle \\d+' });
    expect(hits.map((h) => [h.frame, h.snippet])).toEqual([[0, 'plain needle 1'], [1, 'compressed needle 22 and more'], [3, 'ping needle 333'], [5, 'split needle 4444']]);
    store.close();
  });

  it('needs both the text and the regex to match when it has both', async () => {
    const store = CaptureStore.create(join(dir, 's.fscap'));
    fillForSearch(store);
    const { hits } = await collect(store, 1, { text: 'needle', regex: '\\d{4}' });
    expect(hits.map((h) => [h.frame, h.snippet])).toEqual([[5, 'split needle 4444']]);
    store.close();
  });

  it('narrows by direction, opcode and violation before reading anything', async () => {
    const store = CaptureStore.create(join(dir, 's.fscap'));
    fillForSearch(store);
    expect((await collect(store, 1, { text: 'needle', direction: 'receive' })).hits.map((h) => h.frame)).toEqual([1]);
    expect((await collect(store, 1, { opcode: 9 })).hits.map((h) => [h.frame, h.snippet])).toEqual([[3, '']]);
    expect((await collect(store, 1, { opcode: 2 })).hits.map((h) => h.message)).toEqual([4]);
    // The violation is on the frame; its message is found by it.
    expect((await collect(store, 1, { violation: 'unmasked-client-frame' })).hits.map((h) => [h.frame, h.message])).toEqual([[7, 5]]);
    store.close();
  });

  it('streams hits in batches, the first before the scan ends', async () => {
    const store = CaptureStore.create(join(dir, 's.fscap'));
    for (let n = 0; n < 3000; n++) {
      const frame = plainFrame('send', n, n % 10 === 0 ? `needle ${n}` : `hay ${n}`);
      store.putFrame(1, frame);
      store.putMessage(1, { direction: 'send', time: frame.time, message: { opcode: 1, data: frame.frame.payload, truncated: false, compressed: false, size: frame.frame.payload.length, frameIndexes: [n], violations: [] } });
    }
    const batches: number[] = [];
    let turnsAfterFirstBatch = 0;
    const result = await store.search(1, { regex: 'needle \\d+' }, (hits) => {
      if (batches.length === 0) setImmediate(() => turnsAfterFirstBatch++);
      batches.push(hits.length);
    }, { batch: 25, sliceMs: 0 });
    expect(result).toEqual({ scanned: 3000, hits: 300 });
    expect(batches.reduce((a, b) => a + b, 0)).toBe(300);
    expect(Math.max(...batches)).toBeLessThanOrEqual(25);
    // The event loop ran after the first batch while the scan went on.
    expect(turnsAfterFirstBatch).toBe(1);
    store.close();
  });

  it('stops when its signal aborts, delivering nothing more', async () => {
    const store = CaptureStore.create(join(dir, 's.fscap'));
    for (let n = 0; n < 2000; n++) store.putFrame(1, plainFrame('send', n, `needle ${n}`, { opcode: 9 }));
    const controller = new AbortController();
    const batches: SearchHit[][] = [];
    const search = store.search(1, { text: 'needle' }, (hits) => {
      batches.push(hits);
      controller.abort();
    }, { batch: 10, signal: controller.signal, sliceMs: 0 });
    await expect(search).rejects.toMatchObject({ name: 'AbortError' });
    expect(batches.length).toBe(1);
    const aborted = AbortSignal.abort();
    await expect(store.search(1, { text: 'needle' }, () => {}, { signal: aborted })).rejects.toMatchObject({ name: 'AbortError' });
    store.close();
  });

  it('rejects an invalid regular expression', async () => {
    const store = CaptureStore.create(join(dir, 's.fscap'));
    fillForSearch(store);
    await expect(store.search(1, { regex: '(' }, () => {})).rejects.toThrow(SyntaxError);
    store.close();
  });
});

describe('the disk budget', () => {
  it('warns at 80%, then stops storing payloads at 100%, reports it and throws nothing', async () => {
    const path = join(dir, 's.fscap');
    const events: [BudgetLevel, number, number][] = [];
    const store = CaptureStore.create(path, { diskBudget: 8192, onBudget: (level, usage, budget) => events.push([level, usage, budget]) });
    let warnedAt = -1;
    for (let n = 0; n < 40; n++) {
      const frame = plainFrame('receive', n, Buffer.alloc(400, 0x61));
      store.putFrame(1, frame);
      const message: CapturedMessage = { direction: 'receive', time: frame.time, message: { opcode: 1, data: Buffer.alloc(400, 0x61), truncated: false, compressed: true, size: 400, frameIndexes: [n], violations: [] } };
      store.putMessage(1, message);
      if (events.length === 1 && warnedAt < 0) warnedAt = n;
    }
    expect(events.map((e) => e[0])).toEqual(['warning', 'reached']);
    expect(events[0][1]).toBeGreaterThanOrEqual(0.8 * 8192);
    expect(events[0][1]).toBeLessThan(8192);
    expect(events[0][2]).toBe(8192);
    expect(store.budgetLevel).toBe('reached');
    expect(store.frameCount(1)).toBe(40);
    expect(store.messageCount(1)).toBe(40);
    const rows = store.frames(1, 0, 40);
    const firstUnstored = rows.findIndex((r) => r.payloadNotStored);
    expect(firstUnstored).toBeGreaterThan(warnedAt);
    expect(rows.slice(firstUnstored).every((r) => r.payloadNotStored && r.storedLength === 0 && r.truncated)).toBe(true);
    expect(store.errors().map((e) => e.message)).toEqual(['disk budget of 8192 bytes reached: payloads are no longer stored']);
    store.close();

    const reopened = await CaptureStore.open(path);
    const last = reopened.frame(1, 39);
    expect(last).toMatchObject({ payloadNotStored: true, frame: { payload: Buffer.alloc(0), payloadLength: 400, truncated: true } });
    expect(reopened.messages(1, 39, 40)[0]).toMatchObject({ dataNotStored: true, message: { data: Buffer.alloc(0), size: 400, truncated: true } });
    expect(reopened.messages(1, 0, 1)[0].message.data).toEqual(Buffer.alloc(400, 0x61));
    reopened.close();
  });
});
