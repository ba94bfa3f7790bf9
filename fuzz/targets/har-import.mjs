// HAR import (through ../har-adapter.mjs): any bytes as a HAR file. Input: a chunk-size byte, then the
// file. It must end (the watchdog's time limit) and throw nothing but HarImportError, and the streaming
// importer must read the same whether the file comes whole or in chunks of the given size.
import { importHarBytes, HarImportError } from '../har-adapter.mjs';
import { readFileSync, readdirSync } from 'node:fs';

const FIXTURES = new URL('../../test/capture/fixtures/', import.meta.url);

/** What an import gave, as text: its result, or the HarImportError it threw. */
function outcome(run) {
  try {
    return JSON.stringify(run(), (_key, value) => (typeof value === 'bigint' ? `${value}n` : value));
  } catch (error) {
    if (!(error instanceof HarImportError)) throw error;
    return `HarImportError: ${error.message}`;
  }
}

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
    return seeds.map((file, i) => Buffer.concat([Buffer.from([i * 13]), file]));
  },
  arbitrary: (fc) => fc.tuple(fc.nat(255), fc.json({ maxDepth: 6 })).map(([chunk, s]) => Buffer.concat([Buffer.from([chunk]), Buffer.from(s)])),
  run(input) {
    if (input.length === 0) return;
    const file = input.subarray(1);
    const whole = outcome(() => importHarBytes(file));
    const chunked = outcome(() => importHarBytes(file, 1 + (input[0] % 97)));
    if (whole !== chunked) throw new Error(`importing in chunks of ${1 + (input[0] % 97)} differs from importing whole:\n${whole.slice(0, 3000)}\n${chunked.slice(0, 3000)}`);
  },
};
