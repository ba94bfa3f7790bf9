// Frame parser throughput: our FrameParser against ws's Receiver on the same input, in one run.
// Client-masked binary frames of 64 B, 16 KiB and 1 MiB, about 64 MB of each, pre-built and fed
// in 64 KiB chunks as a socket would deliver them. Prints MB/s (of wire bytes) and frames/s, and
// the ratio ours/ws. Run with `npm run bench parser` or `node --expose-gc bench/parser.bench.mjs`
// after `npx tsc -b`.
import { randomBytes } from 'node:crypto';
import { Receiver } from 'ws';
import { encodeFrameBytes } from '../dist/src/protocol/frame-encoder.js';
import { FrameParser } from '../dist/src/protocol/frame-parser.js';

const TOTAL_BYTES = 64 * 1024 * 1024;
const CHUNK_SIZE = 64 * 1024;
const RUNS = 5;
const SIZES = [
  { label: '64 B', payload: 64 },
  { label: '16 KiB', payload: 16 * 1024 },
  { label: '1 MiB', payload: 1024 * 1024 },
];

const collectGarbage = globalThis.gc ?? (() => {});

/** About TOTAL_BYTES of masked frames: a few distinct frames (own keys and payloads) repeated. */
function buildInput(payloadSize) {
  const distinct = Array.from({ length: 16 }, () =>
    encodeFrameBytes({ opcode: 2, mask: randomBytes(4), payload: randomBytes(payloadSize) }));
  const frameSize = distinct[0].length;
  const frames = Math.max(1, Math.floor(TOTAL_BYTES / frameSize));
  const input = Buffer.allocUnsafe(frames * frameSize);
  for (let i = 0; i < frames; i++) distinct[i % distinct.length].copy(input, i * frameSize);
  return { input, frames };
}

function chunksOf(input) {
  const chunks = [];
  for (let at = 0; at < input.length; at += CHUNK_SIZE) chunks.push(input.subarray(at, at + CHUNK_SIZE));
  return chunks;
}

function runOurs(chunks) {
  let frames = 0;
  let payloadBytes = 0;
  const parser = new FrameParser({ from: 'client' }, {
    onHeader() {},
    onPayload(chunk) { payloadBytes += chunk.length; },
    onFrame() { frames++; },
  });
  const start = process.hrtime.bigint();
  for (let i = 0; i < chunks.length; i++) parser.push(chunks[i]);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, frames, payloadBytes };
}

function runWs(chunks) {
  let frames = 0;
  let payloadBytes = 0;
  const receiver = new Receiver({ isServer: true, skipUTF8Validation: true });
  receiver.on('message', (data) => { frames++; payloadBytes += data.length; });
  receiver.on('error', (error) => { throw error; });
  const start = process.hrtime.bigint();
  // write() is how ws feeds its Receiver from the socket; every chunk is decoded synchronously.
  for (let i = 0; i < chunks.length; i++) receiver.write(chunks[i]);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, frames, payloadBytes };
}

/** Best of RUNS after a warm-up run; the counts must be the same every time. */
function measure(run, chunks, expectedFrames) {
  run(chunks);
  let best = Infinity;
  for (let i = 0; i < RUNS; i++) {
    collectGarbage();
    const result = run(chunks);
    if (result.frames !== expectedFrames) {
      throw new Error(`${run.name} decoded ${result.frames} frames, expected ${expectedFrames}`);
    }
    best = Math.min(best, result.seconds);
  }
  return best;
}

const rows = [];
for (const size of SIZES) {
  const { input, frames } = buildInput(size.payload);
  // ws unmasks in place: it gets its own copy so that our parser always sees the original bytes.
  const oursChunks = chunksOf(input);
  const wsChunks = chunksOf(Buffer.from(input));
  const ours = measure(runOurs, oursChunks, frames);
  const ws = measure(runWs, wsChunks, frames);
  const mb = input.length / 1e6;
  rows.push({
    frames: size.label,
    'input MB': mb.toFixed(1),
    'ours MB/s': (mb / ours).toFixed(0),
    'ours frames/s': Math.round(frames / ours).toLocaleString('en-US'),
    'ws MB/s': (mb / ws).toFixed(0),
    'ws frames/s': Math.round(frames / ws).toLocaleString('en-US'),
    'ours/ws': (ws / ours).toFixed(2),
  });
}

console.log(`FrameParser vs ws ${'Receiver'} (client-masked binary frames, ${CHUNK_SIZE / 1024} KiB chunks, best of ${RUNS})`);
console.table(rows);
