// The HAR text writer's own layout (nested) and a streamed export that reads messages through recycled
// windows: both must give exactly JSON.stringify's text.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionRecord, Direction } from '../../src/capture/capture-model.js';
import { CaptureStore } from '../../src/capture/capture-store.js';
import { exportHar } from '../../src/capture/har-export.js';
import { harText, nested } from '../../src/capture/har-text.js';
import { Session } from '../../src/capture/session.js';
import { recordSession } from '../../src/capture/session-recorder.js';
import { connectionsOf } from '../../src/capture/session-reader.js';
import { encodeFrameBytes, type FrameSpec } from '../../src/protocol/frame-encoder.js';
import type { Frame } from '../../src/protocol/frame.js';
import { StreamDecoder } from '../../src/protocol/stream-decoder.js';

describe('nested', () => {
  const values: unknown[] = [
    'plain', 'quote " backslash \\ newline \n tab \t nul \u0000 lone \ud800 pair \ud83d\ude00 line \u2028', 0, -0, 1.5e300, NaN, Infinity, true, null,
    [], {}, [[]], [{}], { a: [] }, [1, 'two', [3, [4]], { five: 5 }], [undefined, () => 1, Symbol('s')],
    { a: undefined, b: () => 1, c: 1, 10: 'ten', 2: 'two', 'with "quote"': { deep: { deeper: [null] } } },
    { buffer: Buffer.from([1, 2, 3]), date: new Date(Date.UTC(2026, 0, 1)), typed: new Uint8Array([4, 5]), map: new Map([[1, 2]]) },
    Object.assign(Object.create(null) as Record<string, unknown>, { noProto: 1, list: [{ x: 'y' }] }),
    { toJSON: () => ({ replaced: [1, 2] }) },
    { type: 'send', time: 1.25, opcode: 2, data: 'AAECAw==', _protocol: [{ name: 'stomp', data: { body: 'x' } }] },
  ];
  for (const [i, value] of values.entries()) {
    it(`lays out value ${i} exactly as JSON.stringify(value, null, 2), at any depth`, () => {
      const expected = JSON.stringify(value, null, 2);
      expect(nested(value, '')).toBe(expected);
      expect(nested(value, '      ')).toBe(expected.replaceAll('\n', '\n      '));
    });
  }
});

describe('the streamed HAR text of a session larger than the read windows', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'framescope-har-text-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is exactly JSON.stringify(exportHar(records), null, 2) with large, fragmented, binary and text messages', async () => {
    const store = CaptureStore.create(join(dir, 's.fscap'));
    const session = new Session();
    recordSession(session, store);
    let now = 1_700_000_000_000;
    const connection: ConnectionRecord = session.addConnection({
      url: 'ws://example.test/big', clientAddress: '127.0.0.1:40000', startedAt: now, state: 'open',
      request: { method: 'GET', target: '/big', httpVersion: '1.1', rawHeaders: ['Host', 'example.test'], time: now },
    });
    const wire = (direction: Direction) => {
      const decoder = new StreamDecoder({ from: direction === 'send' ? 'client' : 'server', deflate: null, maxStoredPayload: 8 * 1024 * 1024 }, {
        onFrame: (frame: Frame) => session.addFrame(connection, { direction, time: (now += 1), frame }),
        onMessage: (message) => session.addMessage(connection, { direction, time: (now += 1), message }),
      });
      return (spec: FrameSpec) => decoder.push(encodeFrameBytes({ mask: direction === 'send' ? Buffer.from([9, 8, 7, 6]) : undefined, ...spec }));
    };
    const client = wire('send');
    const server = wire('receive');
    const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));
    for (let i = 0; i < 40; i++) {
      client({ opcode: 2, payload: bytes(100_000 + i * 1000, i) });
      server({ opcode: 1, payload: `text ${i} "quoted" \\ ${'é'.repeat(20_000)}` });
      if (i % 10 === 0) {
        // A message in three frames, each larger than the read-back window's backoff.
        client({ opcode: 2, fin: false, payload: bytes(300_000, i) });
        client({ opcode: 0, fin: false, payload: bytes(300_000, i + 1) });
        client({ opcode: 0, payload: bytes(10, i + 2) });
      }
    }
    // Larger than a whole window.
    server({ opcode: 2, payload: bytes(5 * 1024 * 1024, 7) });
    store.flush();
    expect(store.messageCount(1)).toBe(85);
    const last = store.messages(1, 84, 85)[0]!.message;
    expect([last.truncated, last.data.length]).toEqual([false, 5 * 1024 * 1024]);

    const text = [...harText(connectionsOf(store))].join('');
    expect(text).toBe(JSON.stringify(exportHar(store.toConnectionRecords()), null, 2));
    store.close();
  });
});
