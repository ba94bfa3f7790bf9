// HAR import (through ../har-adapter.mjs): any bytes as a HAR file. It must end (the watchdog's time
// limit), throw nothing but HarImportError, and return connections it could read.
import { importHarBytes, HarImportError } from '../har-adapter.mjs';
import { readFileSync, readdirSync } from 'node:fs';

const FIXTURES = new URL('../../test/capture/fixtures/', import.meta.url);

export default {
  name: 'har-import',
  kind: 'in-process',
  maxLength: 16384,
  dictionary: ['{', '}', '[', ']', '"', ',', ':', 'null', 'true', '1e999', '-0', '"\\u0000"', '"\\ud800"', '"log"', '"entries"', '"_webSocketMessages"',
    '"_webSocketFrames"', '"payloadLength"', '18446744073709551615', '"9007199254740993"', '"opcode"', '"time"', '"type":"send"', '"data"',
    '"request"', '"url":"ws://a/"', '"_resourceType":"websocket"', '[[[[[[[[', '{"a":'].map((s) => Buffer.from(s)),
  seeds: () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.har'));
    const seeds = files.map((f) => readFileSync(new URL(f, FIXTURES))).filter((b) => b.length <= 16384);
    seeds.push(Buffer.from('{"log":{"entries":[{"_resourceType":"websocket","request":{"url":"ws://127.0.0.1/x","headers":[]},"response":{"status":101,"headers":[]},' +
      '"startedDateTime":"2026-01-01T00:00:00.000Z","time":1,"_webSocketMessages":[{"type":"send","time":1767225600.5,"opcode":1,"data":"hi"}],' +
      '"_webSocketFrames":[{"type":"send","time":1767225600.5,"fin":true,"rsv1":false,"rsv2":false,"rsv3":false,"opcode":1,"masked":true,"maskKey":"01020304","payloadLength":2}]}]}}'));
    return seeds;
  },
  arbitrary: (fc) => fc.json({ maxDepth: 6 }).map((s) => Buffer.from(s)),
  run(input) {
    try {
      importHarBytes(input);
    } catch (error) {
      if (!(error instanceof HarImportError)) throw error;
    }
  },
};
