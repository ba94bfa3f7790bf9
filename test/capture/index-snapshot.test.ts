import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CapturedFrame, ConnectionRecord, Direction } from '../../src/capture/capture-model.js';
import { CaptureStore, type SearchHit } from '../../src/capture/capture-store.js';
import { CaptureIndex, ConnectionIndex } from '../../src/capture/capture-index.js';
import { SNAPSHOT_FIELDS, indexSnapshotPath } from '../../src/capture/index-snapshot.js';
import { SessionCatalog } from '../../src/capture/session-catalog.js';
import { Session } from '../../src/capture/session.js';
import { recordSession } from '../../src/capture/session-recorder.js';
import { encodeClosePayload, encodeFrameBytes, type FrameSpec } from '../../src/protocol/frame-encoder.js';
import type { Frame } from '../../src/protocol/frame.js';
import { StreamDecoder } from '../../src/protocol/stream-decoder.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'framescope-snapshot-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

let now = 1_700_000_000_000;
const clock = () => (now += 1.25);
const KEY = Buffer.from([0x11, 0x22, 0x33, 0x44]);
/** Every store in these tests snapshots its index at close, whatever its size. */
const ALWAYS = { indexSnapshotFrom: 0 };

function newConnection(session: Session, n: number): ConnectionRecord {
  const c = session.addConnection({
    url: `ws://example.test/socket/${n}`, clientAddress: '127.0.0.1:40000', startedAt: clock(), state: 'connecting',
    request: { method: 'GET', target: `/socket/${n}`, httpVersion: '1.1', rawHeaders: ['Host', 'example.test'], time: now },
  });
  c.state = 'open';
  c.response = { statusCode: 101, statusMessage: 'Switching Protocols', httpVersion: '1.1', rawHeaders: ['Upgrade', 'websocket'], time: clock() };
  session.updated(c);
  return c;
}

/** One direction of a connection decoded from real wire bytes, as the relay records it. */
function wire(session: Session, connection: ConnectionRecord, direction: Direction) {
  const decoder = new StreamDecoder({ from: direction === 'send' ? 'client' : 'server', deflate: null }, {
    onFrame: (frame: Frame) => session.addFrame(connection, { direction, time: clock(), frame }),
    onMessage: (message) => session.addMessage(connection, { direction, time: clock(), message }),
  });
  return (spec: FrameSpec) => decoder.push(encodeFrameBytes({ mask: direction === 'send' ? KEY : undefined, ...spec }));
}

/**
 * Records `rounds` rounds of traffic on three connections: whole and fragmented text, binary, pings,
 * invalid UTF-8 (a violation), plus an error, notes, a rule mark, a policy change and a frame whose
 * length field is past 2^53 - 1. Returns the session's store, open.
 */
function recordTraffic(store: CaptureStore, rounds: number, from = 0): void {
  const session = new Session();
  recordSession(session, store);
  const connections = [1, 2, 3].map((n) => newConnection(session, from + n));
  store.putPolicy({ mode: 'full', prefixBytes: 256, time: clock() });
  for (let r = 0; r < rounds; r++) {
    connections.forEach((c, i) => {
      const client = wire(session, c, 'send');
      const server = wire(session, c, 'receive');
      client({ opcode: 1, payload: `round ${r} on ${c.id}: ${'x'.repeat((r * 37 + i * 11) % 300)}` });
      server({ opcode: 1, payload: r % 50 === 7 ? `needle-${r} here` : `reply ${r}` });
      if (r % 5 === 0) {
        client({ opcode: 1, fin: false, payload: `frag-${r}-` });
        client({ opcode: 9, payload: 'ping' });
        client({ opcode: 0, payload: 'end' });
      }
      if (r % 17 === 3) server({ opcode: 2, payload: Buffer.from([r & 0xff, 0, 255, 1]) });
      if (r % 23 === 5) server({ opcode: 1, payload: Buffer.from([0x68, 0xff]) });
    });
  }
  const first = connections[0]!;
  store.putError({ message: 'something failed', connectionId: first.id, time: clock() });
  store.putAnnotation({ connectionId: first.id, target: 'frame', number: 3, note: 'look here', pinned: true, highlight: 'red', time: clock() });
  store.putAnnotation({ connectionId: first.id, target: 'connection', number: 0, note: 'the first', pinned: false, time: clock() });
  store.putPolicy({ mode: 'headers', prefixBytes: 64, time: clock() });
  const huge: CapturedFrame = {
    direction: 'receive', time: clock(), rule: 'rule one',
    frame: {
      fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 2, masked: false, payloadLength: 2 ** 60, payloadLengthExact: 2n ** 60n + 1n,
      lengthForm: 64, headerLength: 10, index: 999_999, offset: 0, payload: Buffer.from('head'), truncated: true, violations: [],
    },
  };
  store.putFrame(connections[1]!.id, huge);
  const close = wire(session, connections[2]!, 'send');
  close({ opcode: 8, payload: encodeClosePayload(1000, 'bye') });
  connections[2]!.state = 'closed';
  session.closed(connections[2]!);
}

/** Everything a reader can ask a store, gathered to compare two opens of the same file. */
async function view(store: CaptureStore) {
  const connections = store.connections();
  const perConnection = connections.map((c) => {
    const frames = store.frameCount(c.id);
    const messages = store.messageCount(c.id);
    return {
      record: store.connection(c.id),
      rows: store.frames(c.id, 0, frames),
      whole: Array.from({ length: frames }, (_, n) => store.frame(c.id, n)),
      messages: store.messages(c.id, 0, messages),
      messageFrames: Array.from({ length: messages }, (_, m) => store.messageFrameNumbers(c.id, m)),
      endingAt: Array.from({ length: frames }, (_, n) => store.messageEndingAt(c.id, n)?.number ?? -1),
      sent: [...store.frameNumbers(c.id, { direction: 'send' })],
      binary: [...store.frameNumbers(c.id, { opcode: 2 })],
      violating: [...store.frameNumbers(c.id, { violation: 'any' })],
      byLength: [...(store.listNumbers(c.id, undefined, { key: 'length', descending: true }) ?? [])],
    };
  });
  const hits: SearchHit[] = [];
  const search = await store.search(null, { regex: 'needle-\\d+' }, (batch) => hits.push(...batch));
  return {
    connections, perConnection, hits, search, recovery: store.recovery,
    annotations: store.annotations(), errors: store.errors(), policies: store.policies(), gaps: store.gaps(),
  };
}

async function recordFile(name: string, rounds: number): Promise<string> {
  const path = join(dir, name);
  const store = CaptureStore.create(path, ALWAYS);
  recordTraffic(store, rounds);
  store.close();
  return path;
}

/** The view of a file opened by scanning it (its snapshot out of the way), and the snapshot put back. */
async function scannedView(path: string) {
  const snapshot = indexSnapshotPath(path);
  const saved = readFileSync(snapshot);
  rmSync(snapshot);
  const store = await CaptureStore.open(path, { indexSnapshotFrom: Infinity });
  expect(store.indexSource).toBe('absent');
  const seen = await view(store);
  store.close();
  writeFileSync(snapshot, saved, { mode: 0o600 });
  return seen;
}

describe('the index snapshot', () => {
  it('saves every field the index has (a new field must be saved and restored in index-snapshot.ts, then named here)', () => {
    expect(Object.keys(new ConnectionIndex(1))).toEqual(SNAPSHOT_FIELDS.connection);
    expect(Object.keys(new CaptureIndex())).toEqual(SNAPSHOT_FIELDS.index);
  });

  it('is written at close, 0600, and an open from it gives exactly what a scan gives', async () => {
    const path = await recordFile('s.fscap', 120);
    const snapshot = indexSnapshotPath(path);
    expect(statSync(snapshot).mode & 0o777).toBe(0o600);
    expect(existsSync(`${snapshot}.tmp`)).toBe(false);
    const scanned = await scannedView(path);

    const store = await CaptureStore.open(path, ALWAYS);
    expect(store.indexSource).toBe('loaded');
    const loaded = await view(store);
    store.close();
    expect(loaded).toEqual(scanned);
    // The rich parts are there to compare.
    expect(scanned.connections.map((c) => c.frameCount)).toEqual([324, 325, 325]);
    expect(scanned.hits.length).toBe(9);
    expect(scanned.perConnection[1]!.whole[324]!.frame.payloadLengthExact).toBe(2n ** 60n + 1n);
    expect(scanned.perConnection[1]!.whole[324]!.rule).toBe('rule one');
    expect(scanned.annotations.length).toBe(2);
    expect(scanned.policies.map((p) => p.mode)).toEqual(['full', 'headers']);
    expect(scanned.connections.reduce((n, c) => n + c.violationCount, 0)).toBe(15);
  });

  it('is not rewritten by a close that added nothing, and is rewritten after records were added', async () => {
    const path = await recordFile('s.fscap', 20);
    const snapshot = indexSnapshotPath(path);
    const first = readFileSync(snapshot);
    writeFileSync(snapshot, first, { mode: 0o600 });
    const before = statSync(snapshot).mtimeMs;
    const idle = await CaptureStore.open(path, ALWAYS);
    idle.close();
    expect(statSync(snapshot).mtimeMs).toBe(before);

    const more = await CaptureStore.open(path, ALWAYS);
    expect(more.indexSource).toBe('loaded');
    recordTraffic(more, 10, 10);
    more.close();
    expect(readFileSync(snapshot).equals(first)).toBe(false);
    const scanned = await scannedView(path);
    const again = await CaptureStore.open(path, ALWAYS);
    expect(again.indexSource).toBe('loaded');
    expect(await view(again)).toEqual(scanned);
    expect(scanned.connections.map((c) => c.frameCount)).toEqual([82, 84, 84]);
    again.close();
  });

  it('scans records appended after it, and cuts their torn tail as a scan does', async () => {
    const path = await recordFile('s.fscap', 30);
    const snapshot = indexSnapshotPath(path);
    const stale = readFileSync(snapshot);
    // The session is reopened and recorded into, then the process dies: its snapshot is the old one.
    const more = await CaptureStore.open(path, { indexSnapshotFrom: Infinity });
    recordTraffic(more, 15, 10);
    more.flush();
    appendFileSync(path, Buffer.from([1, 2, 3, 4, 5, 6, 7]));
    const size = statSync(path).size;
    more.close();
    const copy = join(dir, 'copy.fscap');
    copyFileSync(path, copy);

    const scanned = await CaptureStore.open(copy, { indexSnapshotFrom: Infinity });
    expect(scanned.recovery.tornBytes).toBe(7);
    const expected = await view(scanned);
    scanned.close();

    writeFileSync(snapshot, stale, { mode: 0o600 });
    expect(statSync(path).size).toBe(size);
    const store = await CaptureStore.open(path, ALWAYS);
    expect(store.indexSource).toBe('loaded');
    expect(statSync(path).size).toBe(size - 7);
    expect(await view(store)).toEqual(expected);
    store.close();
  });

  describe('a broken snapshot is not trusted: the file is scanned, with the same result', () => {
    const cases: [name: string, use: string, breakIt: (path: string, snapshot: string) => void][] = [
      ['truncated', 'corrupt', (_path, snapshot) => truncateSync(snapshot, statSync(snapshot).size - 100)],
      ['cut to a few bytes', 'corrupt', (_path, snapshot) => truncateSync(snapshot, 10)],
      ['empty', 'corrupt', (_path, snapshot) => truncateSync(snapshot, 0)],
      ['with a bit flipped in its columns', 'corrupt', (_path, snapshot) => flipBit(snapshot, Math.floor(statSync(snapshot).size / 2))],
      ['with a bit flipped in its CRC', 'corrupt', (_path, snapshot) => flipBit(snapshot, statSync(snapshot).size - 8)],
      ['of an older state of the file (the file was cut shorter)', 'stale', (path) => truncateSync(path, statSync(path).size - 40)],
      ['of another file of the same size', 'stale', (path) => flipBit(path, statSync(path).size - 3)],
      ['another version\'s', 'stale', (_path, snapshot) => rewriteHeader(snapshot, (bytes) => bytes.writeUInt32LE((bytes.readUInt32LE(12) ^ 1) >>> 0, 12))],
      ['claiming more of the file than there is', 'stale', (_path, snapshot) => rewriteHeader(snapshot, (bytes) => bytes.writeDoubleLE(bytes.readDoubleLE(24) + 1e9, 24))],
      ['claiming records it does not have', 'corrupt', (_path, snapshot) => rewriteHeader(snapshot, (bytes) => bytes.writeDoubleLE(bytes.readDoubleLE(32) + 1e6, 32))],
    ];
    for (const [name, use, breakIt] of cases) {
      it(`${name}: ${use}`, async () => {
        const path = await recordFile('s.fscap', 40);
        const snapshot = indexSnapshotPath(path);
        breakIt(path, snapshot);
        const copy = join(dir, 'copy.fscap');
        copyFileSync(path, copy);
        const scanned = await CaptureStore.open(copy, { indexSnapshotFrom: Infinity });
        const expected = await view(scanned);
        scanned.close();

        const store = await CaptureStore.open(path, ALWAYS);
        expect(store.indexSource).toBe(use);
        expect(await view(store)).toEqual(expected);
        store.close();
        // The close put a good one in its place.
        const healed = await CaptureStore.open(path, ALWAYS);
        expect(healed.indexSource).toBe('loaded');
        // What the first open cut is gone from the file: nothing more is cut.
        expect(await view(healed)).toEqual({ ...expected, recovery: { tornBytes: 0, records: expected.recovery.records } });
        healed.close();
      });
    }
  });

  it('holds a connection of more frames than one column chunk (16,384), and one that grows after it was loaded', async () => {
    const path = join(dir, 'long.fscap');
    const put = (store: CaptureStore, from: number, to: number) => {
      for (let n = from; n < to; n++) {
        const payload = Buffer.from(`m${n}`);
        const direction = n % 3 === 0 ? 'receive' : 'send';
        const frame: Frame = {
          fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: n % 7 === 0 ? 2 : 1, masked: false, payloadLength: payload.length,
          lengthForm: 7, headerLength: 2, index: n, offset: 0, payload, truncated: false, violations: [],
        };
        store.putFrame(1, { direction, time: 1000 + n, frame });
        store.putMessage(1, { direction, time: 1000 + n, message: { opcode: frame.opcode, data: payload, truncated: false, compressed: false, size: payload.length, frameIndexes: [n], violations: [] } });
      }
    };
    const sample = (store: CaptureStore) => ({
      counts: store.connections(),
      binary: [...store.frameNumbers(1, { opcode: 2 })],
      received: store.frameCount(1, { direction: 'receive' }),
      rows: [0, 16_383, 16_384, 32_767, 32_768, store.frameCount(1) - 1].map((n) => store.frames(1, n, n + 1)[0]),
      messages: [0, 16_383, 16_384, 40_000, store.messageCount(1) - 1].map((m) => store.messages(1, m, m + 1)[0]),
      endingAt: [16_383, 16_384, 40_001].map((n) => store.messageEndingAt(1, n)?.number),
      sorted: [...(store.listNumbers(1, undefined, { key: 'opcode', descending: true }) ?? [])].slice(0, 50),
    });
    const store = CaptureStore.create(path, ALWAYS);
    store.putConnection({
      id: 1, url: 'ws://example.test/long', clientAddress: '127.0.0.1:1', startedAt: 1000, state: 'open',
      request: { method: 'GET', target: '/long', httpVersion: '1.1', rawHeaders: ['Host', 'example.test'], time: 1000 }, checks: [], frames: [], messages: [],
    });
    put(store, 0, 40_000);
    store.close();
    const more = await CaptureStore.open(path, ALWAYS);
    expect(more.indexSource).toBe('loaded');
    put(more, 40_000, 40_010);
    const live = sample(more);
    more.close();
    expect(live.counts[0]!.frameCount).toBe(40_010);
    expect(live.rows[5]!.preview).toBe('m40009');
    expect(live.messages[3]!.message.data.toString()).toBe('m40000');

    const loaded = await CaptureStore.open(path, ALWAYS);
    expect(loaded.indexSource).toBe('loaded');
    expect(sample(loaded)).toEqual(live);
    loaded.close();
    rmSync(indexSnapshotPath(path));
    const scanned = await CaptureStore.open(path, { indexSnapshotFrom: Infinity });
    expect(sample(scanned)).toEqual(live);
    scanned.close();
  });

  it('is not written under a name its file no longer has (renamed while open)', async () => {
    const catalog = new SessionCatalog(join(dir, 'sessions'));
    const store = catalog.create('live', ALWAYS);
    recordTraffic(store, 5);
    catalog.rename('live', 'moved');
    store.close();
    expect(existsSync(indexSnapshotPath(catalog.pathOf('live')))).toBe(false);
    expect(existsSync(indexSnapshotPath(catalog.pathOf('moved')))).toBe(false);
    const moved = await catalog.open('moved', ALWAYS);
    expect(moved.indexSource).toBe('absent');
    expect(moved.frameCount(1)).toBe(14);
    moved.close();
  });

  it('is not written for a file smaller than indexSnapshotFrom', async () => {
    const path = join(dir, 'small.fscap');
    const store = CaptureStore.create(path, { indexSnapshotFrom: 1024 * 1024 });
    recordTraffic(store, 5);
    store.close();
    expect(existsSync(indexSnapshotPath(path))).toBe(false);
  });

  it('follows its session when the catalog renames or deletes it, and a new session of the old name does not take it', async () => {
    const catalog = new SessionCatalog(join(dir, 'sessions'));
    const store = catalog.create('first', ALWAYS);
    recordTraffic(store, 10);
    store.close();
    catalog.rename('first', 'second');
    expect(existsSync(indexSnapshotPath(catalog.pathOf('first')))).toBe(false);
    const renamed = await catalog.open('second', ALWAYS);
    expect(renamed.indexSource).toBe('loaded');
    renamed.close();
    writeFileSync(indexSnapshotPath(catalog.pathOf('first')), readFileSync(indexSnapshotPath(catalog.pathOf('second'))), { mode: 0o600 });
    const fresh = catalog.create('first', ALWAYS);
    expect(existsSync(indexSnapshotPath(catalog.pathOf('first')))).toBe(false);
    fresh.close();
    catalog.delete('second');
    expect(existsSync(indexSnapshotPath(catalog.pathOf('second')))).toBe(false);
  });
});

function flipBit(path: string, at: number): void {
  const bytes = readFileSync(path);
  bytes[at]! ^= 0x10;
  writeFileSync(path, bytes);
}

/** Changes a snapshot's header and seals it again with a right CRC: only the checks after the CRC can refuse it. */
function rewriteHeader(snapshot: string, change: (bytes: Buffer) => void): void {
  const bytes = readFileSync(snapshot);
  change(bytes);
  bytes.writeUInt32LE(crc32(bytes.subarray(0, bytes.length - 8)), bytes.length - 8);
  writeFileSync(snapshot, bytes);
}
