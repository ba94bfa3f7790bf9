// Notes, pins and highlights are Annotation records (type 8) in the capture file: they survive a
// reopen, the last for a target wins, an empty one removes the mark, and a torn or foreign body is
// skipped, never fatal.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureStore } from '../../src/capture/capture-store.js';
import { RecordType, encodeRecord } from '../../src/capture/capture-file.js';
import { validAnnotation, type Annotation } from '../../src/capture/annotations.js';
import type { ConnectionRecord } from '../../src/capture/capture-model.js';

const connection = (id: number): ConnectionRecord => ({
  id, url: `ws://example.test/${id}`, clientAddress: '127.0.0.1:5000', startedAt: 1_700_000_000_000, state: 'open',
  request: { method: 'GET', target: '/', httpVersion: '1.1', rawHeaders: [], time: 1_700_000_000_000 }, checks: [], frames: [], messages: [],
});
const mark = (fields: Partial<Annotation>): Annotation => ({ connectionId: 1, target: 'frame', number: 0, note: '', pinned: false, time: 1, ...fields });

describe('annotations in the capture file', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'framescope-notes-'));
    path = join(dir, 'session.fscap');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back every mark after a reopen: the last for a target wins, an empty one removes it', async () => {
    const store = CaptureStore.create(path);
    store.putConnection(connection(1));
    store.putConnection(connection(2));
    store.putAnnotation(mark({ target: 'connection', number: 0, note: 'login flow', time: 10 }));
    store.putAnnotation(mark({ number: 3, note: 'first try', time: 11 }));
    store.putAnnotation(mark({ number: 3, note: 'the "qty" is wrong here ✓', pinned: true, highlight: 'red', time: 12 }));
    store.putAnnotation(mark({ number: 5, pinned: true, time: 13 }));
    store.putAnnotation(mark({ number: 5, time: 14 }));
    store.putAnnotation(mark({ connectionId: 2, target: 'message', number: 7, highlight: 'green', time: 15 }));
    store.close();

    const reopened = await CaptureStore.open(path);
    expect(reopened.annotations()).toEqual([
      { connectionId: 1, target: 'connection', number: 0, note: 'login flow', pinned: false, time: 10 },
      { connectionId: 1, target: 'frame', number: 3, note: 'the "qty" is wrong here ✓', pinned: true, highlight: 'red', time: 12 },
      { connectionId: 2, target: 'message', number: 7, note: '', pinned: false, highlight: 'green', time: 15 },
    ]);
    expect(reopened.annotations(2)).toEqual([{ connectionId: 2, target: 'message', number: 7, note: '', pinned: false, highlight: 'green', time: 15 }]);
    reopened.close();
  });

  it('skips an Annotation record whose body is not a mark, and keeps the rest', async () => {
    const store = CaptureStore.create(path);
    store.putConnection(connection(1));
    store.putAnnotation(mark({ number: 1, note: 'kept', time: 2 }));
    store.close();
    appendFileSync(path, encodeRecord(RecordType.Annotation, Buffer.from('{"connectionId":1,"target":"frame","number":-4,"note":"bad"}')));
    appendFileSync(path, encodeRecord(RecordType.Annotation, Buffer.from('not json')));
    appendFileSync(path, encodeRecord(RecordType.Annotation, Buffer.from('{"connectionId":1,"target":"frame","number":2,"note":"also kept","pinned":false,"highlight":"teal","time":3}')));
    appendFileSync(path, encodeRecord(RecordType.Annotation, Buffer.from('{"connectionId":1,"target":"frame","number":2,"note":"after","pinned":false,"time":4}')));
    const reopened = await CaptureStore.open(path);
    expect(reopened.annotations(1).map((a) => [a.number, a.note])).toEqual([[1, 'kept'], [2, 'after']]);
    reopened.close();
  });

  it('checks a mark from a client field by field', () => {
    expect(() => validAnnotation({ connectionId: 1, target: 'row', number: 0 }, 0)).toThrow('target must be "connection", "frame" or "message"');
    expect(() => validAnnotation({ connectionId: 1, target: 'connection', number: 2 }, 0)).toThrow('number must be 0 for a connection');
    expect(() => validAnnotation({ connectionId: 1, target: 'frame', number: 1.5 }, 0)).toThrow('number must be a frame number');
    expect(() => validAnnotation({ connectionId: 1, target: 'frame', number: 1, highlight: 'teal' }, 0)).toThrow('highlight must be one of red, orange, yellow, green, blue, purple');
    expect(() => validAnnotation({ connectionId: 1, target: 'frame', number: 1, note: 5 }, 0)).toThrow('note must be a string');
    expect(validAnnotation({ connectionId: 1, target: 'frame', number: 1, note: 'x'.repeat(20_000), highlight: null }, 7)).toEqual({ connectionId: 1, target: 'frame', number: 1, note: 'x'.repeat(10_000), pinned: false, time: 7 });
  });
});
