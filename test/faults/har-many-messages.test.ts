// A HAR entry of very many small messages is imported as a stream: memory holds a few bytes of index per
// message, not the messages (issue 9: one entry of 2,000,000 messages peaked at 1.43 GB).
import { describe, expect, it } from 'vitest';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { usePeakRssCli } from '../support/peak-rss-cli.js';

const COUNT = 300_000;
const BASE = 1714557600;

describe('a HAR entry of 300,000 messages, through `framescope import`', () => {
  const { home: homeDir, cli, stderrOf, peakOf } = usePeakRssCli('framescope-many-');

  it('stays far below the memory of its messages, and keeps every message, time and note exact', async () => {
    const file = join(homeDir(), 'many.har');
    const out = createWriteStream(file);
    out.write(`{"log":{"version":"1.2","creator":{"name":"test","version":"1"},"entries":[{"startedDateTime":"2024-05-01T10:00:00.000Z",` +
      '"request":{"method":"GET","url":"ws://example.test/feed","httpVersion":"HTTP/1.1","headers":[]},' +
      '"response":{"status":101,"statusText":"Switching Protocols","httpVersion":"HTTP/1.1","headers":[]},' +
      '"_resourceType":"websocket","_webSocketMessages":[');
    for (let i = 0; i < COUNT; i++) {
      // Message 1 has no readable time (it takes message 0's); message 5 came before all others; 150,000 has a note.
      const time = i === 1 ? '"soon"' : i === 5 ? String(BASE - 1) : String(BASE + i / 1000);
      const note = i === 150_000 ? ',"_notes":"the middle"' : '';
      const item = `${i ? ',' : ''}{"type":"${i % 2 ? 'receive' : 'send'}","time":${time},"opcode":1,"data":"msg ${i}"${note}}`;
      if (!out.write(item)) await once(out, 'drain');
    }
    out.end(']}]}}');
    await once(out, 'finish');

    const r = cli('import', file, '--session', 'many');
    expect(stderrOf(r)).toBe(`${file}: entry 0, field "_webSocketMessages[1].time": "soon" is not a time; the message takes the time of the one before it\n`);
    expect(r.stdout).toBe('imported 1 connection (unknown HAR) into session "many", 1 problem\n');
    // The file is 20 MB; its messages built as objects peaked at 310 MB before (124 MB now).
    expect(peakOf(r)).toBeLessThan(160 * 1024 * 1024);

    const exported = cli('export', 'many', '--har', '-');
    const entry = JSON.parse(exported.stdout).log.entries[0];
    const messages = entry._webSocketMessages as { type: string; time: number; data: string; _notes?: string }[];
    expect(messages).toHaveLength(COUNT);
    // In time order: message 5 first, then 0, then 1 (at 0's time), then the rest in order.
    expect(messages.slice(0, 4)).toEqual([
      { type: 'receive', time: BASE - 1, opcode: 1, data: 'msg 5' },
      { type: 'send', time: BASE, opcode: 1, data: 'msg 0' },
      { type: 'receive', time: BASE, opcode: 1, data: 'msg 1' },
      { type: 'send', time: BASE + 2 / 1000, opcode: 1, data: 'msg 2' },
    ]);
    expect(messages[150_000]).toEqual({ type: 'send', time: BASE + 150, opcode: 1, data: 'msg 150000', _notes: 'the middle' });
    expect(messages[COUNT - 1]).toEqual({ type: 'receive', time: BASE + (COUNT - 1) / 1000, opcode: 1, data: `msg ${COUNT - 1}` });
    expect(messages.filter((m) => m._notes !== undefined)).toHaveLength(1);
  }, 240_000);
});
