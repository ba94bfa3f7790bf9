// Framescope's own HAR of very many small messages with their frames is imported as a stream: memory holds
// a few typed arrays per frame and message, not the frames and messages (issue 9).
import { describe, expect, it } from 'vitest';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { CaptureStore } from '../../src/capture/capture-store.js';
import { usePeakRssCli } from '../support/peak-rss-cli.js';

const COUNT = 150_000;
const BASE = 1714557600;

/** Frame item as frameToJson writes it. */
const frameItem = (type: string, time: number, opcode: number, fin: boolean, payloadLength: number, note?: string) => ({
  type, time, fin, rsv1: false, rsv2: false, rsv3: false, opcode, masked: false, payloadLength, ...(note ? { _notes: note } : {}),
});
const typeOf = (i: number) => (i % 2 ? 'receive' : 'send');
const timeOf = (i: number) => BASE + i / 1000;

describe('a Framescope HAR entry of 150,000 messages with their frames, through `framescope import`', () => {
  const { home: homeDir, cli, stderrOf, peakOf } = usePeakRssCli('framescope-many-frames-');

  it('stays far below the memory of its frames and messages, and keeps every frame, message, link and note exact', async () => {
    const file = join(homeDir(), 'many.har');
    const out = createWriteStream(file);
    out.write('{"log":{"version":"1.2","creator":{"name":"Framescope","version":"0.1.0"},"entries":[{"startedDateTime":"2024-05-01T10:00:00.000Z",' +
      '"request":{"method":"GET","url":"ws://example.test/feed","httpVersion":"HTTP/1.1","headers":[]},' +
      '"response":{"status":101,"statusText":"Switching Protocols","httpVersion":"HTTP/1.1","headers":[]},' +
      '"_resourceType":"websocket","_webSocketFrames":[');
    for (let i = 0; i < COUNT; i++) {
      // Message 1000 comes in two frames ("ms", then "g 1000"); message 75,000's frame has a note.
      const data = `msg ${i}`;
      const items = i === 1000
        ? [frameItem(typeOf(i), timeOf(i), 1, false, 2), frameItem(typeOf(i), timeOf(i), 0, true, data.length - 2)]
        : [frameItem(typeOf(i), timeOf(i), 1, true, data.length, i === 75_000 ? 'the middle' : undefined)];
      if (!out.write(`${i ? ',' : ''}${items.map((f) => JSON.stringify(f)).join(',')}`)) await once(out, 'drain');
    }
    out.write('],"_webSocketMessages":[');
    for (let i = 0; i < COUNT; i++) {
      if (!out.write(`${i ? ',' : ''}{"type":"${typeOf(i)}","time":${timeOf(i)},"opcode":1,"data":"msg ${i}"}`)) await once(out, 'drain');
    }
    out.end(']}]}}');
    await once(out, 'finish');

    const r = cli('import', file, '--session', 'many');
    expect(stderrOf(r)).toBe('');
    expect(r.stdout).toBe('imported 1 connection (framescope HAR) into session "many"\n');
    // The file is 30 MB; its frames and messages built as objects peaked at 340 MB before (137 MB now).
    expect(peakOf(r)).toBeLessThan(230 * 1024 * 1024);

    const store = await CaptureStore.open(join(homeDir(), 'sessions', 'many.fscap'));
    try {
      // Frame 1001 ends message 1000, which has frames 1000 and 1001; frame 75,001 ends message 75,000.
      const fragmented = store.messageEndingAt(1, 1001)!;
      expect(fragmented.number).toBe(1000);
      expect(fragmented.frameNumbers).toEqual([1000, 1001]);
      expect(fragmented.captured.message.data.toString()).toBe('msg 1000');
      expect(store.messageEndingAt(1, 1000)).toBeUndefined();
      const middle = store.messageEndingAt(1, 75_001)!;
      expect(middle.number).toBe(75_000);
      expect(middle.frameNumbers).toEqual([75_001]);
      expect(store.frame(1, 1001).frame.payload.toString()).toBe('g 1000');
      expect(store.frame(1, COUNT).frame.payload.toString()).toBe(`msg ${COUNT - 1}`);
    } finally {
      store.close();
    }

    const exported = cli('export', 'many', '--har', '-');
    const entry = JSON.parse(exported.stdout).log.entries[0];
    const frames = entry._webSocketFrames as ReturnType<typeof frameItem>[];
    const messages = entry._webSocketMessages as { type: string; time: number; data: string }[];
    expect(frames).toHaveLength(COUNT + 1);
    expect(messages).toHaveLength(COUNT);
    expect(frames[0]).toEqual(frameItem('send', BASE, 1, true, 5));
    expect(frames.slice(1000, 1003)).toEqual([
      frameItem('send', timeOf(1000), 1, false, 2), frameItem('send', timeOf(1000), 0, true, 6), frameItem('receive', timeOf(1001), 1, true, 8),
    ]);
    expect(frames[75_001]).toEqual(frameItem('send', timeOf(75_000), 1, true, 9, 'the middle'));
    expect(frames[COUNT]).toEqual(frameItem('receive', timeOf(COUNT - 1), 1, true, `msg ${COUNT - 1}`.length));
    expect(frames.filter((f) => f._notes !== undefined)).toHaveLength(1);
    expect(messages[0]).toEqual({ type: 'send', time: BASE, opcode: 1, data: 'msg 0' });
    expect(messages[1000]).toEqual({ type: 'send', time: timeOf(1000), opcode: 1, data: 'msg 1000' });
    // A message's note is its final frame's.
    expect(messages[75_000]).toEqual({ type: 'send', time: timeOf(75_000), opcode: 1, data: 'msg 75000', _notes: 'the middle' });
    expect(messages[COUNT - 1]).toEqual({ type: 'receive', time: timeOf(COUNT - 1), opcode: 1, data: `msg ${COUNT - 1}` });
  }, 120_000);
});
