// The Gap record (type 7): what a session says about traffic that passed unrecorded while writes
// failed, read back exactly, and read safely when the file holds something else under that type.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordType, encodeRecord } from '../../src/capture/capture-file.js';
import { CaptureStore } from '../../src/capture/capture-store.js';
import { decodeGapBody, encodeGapBody, type RecordingGap } from '../../src/capture/recording-gap.js';

const GAP: RecordingGap = {
  from: 1_765_000_000_000.5, to: 1_765_000_004_321, code: 'ENOSPC', reason: 'ENOSPC: no space left on device, write',
  frames: 1234, messages: 600, bytes: 2 ** 40 + 7, connectionIds: [1, 5, 9],
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'framescope-gap-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the Gap record', () => {
  it('is type 7 and reads back field for field', () => {
    expect(RecordType.Gap).toBe(7);
    expect(decodeGapBody(encodeGapBody(GAP))).toEqual(GAP);
  });

  it('reads fields of the wrong type as zero or empty, and a body that is not a JSON object as nothing', () => {
    expect(decodeGapBody(Buffer.from('{"from":"soon","to":5,"code":7,"frames":null,"connectionIds":[1,"x",2.5,3]}'))).toEqual({
      from: 0, to: 5, code: '', reason: '', frames: 0, messages: 0, bytes: 0, connectionIds: [1, 3],
    });
    expect(decodeGapBody(Buffer.from('not json'))).toBe(null);
    expect(decodeGapBody(Buffer.from('42'))).toBe(null);
    expect(decodeGapBody(Buffer.from('null'))).toBe(null);
  });

  it('is kept in the index of a reopened session, and one that is not JSON is skipped without harm', async () => {
    const path = join(dir, 'gaps.fscap');
    CaptureStore.create(path).close();
    appendFileSync(path, encodeRecord(RecordType.Gap, encodeGapBody(GAP)));
    appendFileSync(path, encodeRecord(RecordType.Gap, Buffer.from('{ torn')));
    const store = await CaptureStore.open(path);
    try {
      expect(store.recovery.tornBytes).toBe(0);
      expect(store.gaps()).toEqual([GAP]);
      expect(store.recordingPause).toBe(null);
    } finally {
      store.close();
    }
  });
});
