// The frame parser and the stream decoder (src/protocol/frame-parser.ts, stream-decoder.ts), with
// permessage-deflate when the config byte asks for it. Input: a config byte, a chunking byte, then the
// bytes of one direction. The decoder must never throw, and (its contract) decoding the stream in one
// push or cut into arbitrary chunks must give the same frames and messages.
import { deflateRawSync, constants } from 'node:zlib';
import { StreamDecoder } from '../../dist/src/protocol/stream-decoder.js';
import { encodeFrameBytes } from '../../dist/src/protocol/frame-encoder.js';
import { Random } from '../lib/mutate.mjs';

function configOf(byte) {
  const bits = 8 + ((byte >> 4) & 7);
  return {
    from: byte & 1 ? 'server' : 'client',
    deflate: byte & 2 ? {
      serverNoContextTakeover: Boolean(byte & 4), clientNoContextTakeover: Boolean(byte & 8),
      serverMaxWindowBits: bits, clientMaxWindowBits: bits,
    } : null,
  };
}

// Known and accepted: when inflating fails, what inflated before the failing piece depends on where the
// pieces were cut (zlib gives no output for a call that errs), so a failed message's data, size and its
// UTF-8 verdict are left out of the comparison.
const violationsOf = (list) => (list.includes('inflate-failed') ? list.filter((v) => v !== 'invalid-utf8') : list).join();

function decode(config, stream, cut) {
  const out = [];
  const decoder = new StreamDecoder(config, {
    onFrame: (f) => out.push(['frame', f.fin, f.rsv1, f.rsv2, f.rsv3, f.opcode, f.masked, f.maskKey?.toString('hex'), f.payloadLength,
      f.lengthForm, f.headerLength, f.index, f.offset, f.payload.toString('hex'), f.truncated, f.closeCode, f.closeReason, violationsOf(f.violations)]),
    onMessage: (m) => {
      const failed = m.violations.includes('inflate-failed');
      out.push(['message', m.opcode, failed ? '' : m.data.toString('hex'), m.truncated, m.compressed, failed ? 0 : m.size, m.frameIndexes.join(), violationsOf(m.violations)]);
    },
  });
  if (cut === null) decoder.push(stream);
  else {
    for (let at = 0; at < stream.length;) {
      const n = 1 + cut.below(24);
      decoder.push(stream.subarray(at, at + n));
      at += n;
    }
  }
  decoder.end();
  return JSON.stringify(out);
}

const deflate = (data) => {
  const raw = deflateRawSync(data, { flush: constants.Z_SYNC_FLUSH });
  return raw.subarray(0, raw.length - 4);
};

export default {
  name: 'frame-stream',
  kind: 'in-process',
  maxLength: 4096,
  dictionary: [[0x81, 0x80], [0x82, 0x7e], [0x88, 0x82, 0x03, 0xe8], [0x89, 0x00], [0xc1, 0x80], [0x01, 0x80], [0x80, 0x80],
    [0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0x81, 0xff, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01],
    [0x00, 0x00, 0xff, 0xff], [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00], [0xce, 0xbb], [0xed, 0xa0, 0x80]].map((b) => Buffer.from(b)),
  seeds: () => [
    Buffer.concat([Buffer.from([0x00, 0x00]), encodeFrameBytes({ opcode: 1, fin: true, mask: true, maskKey: Buffer.from([1, 2, 3, 4]), payload: 'hello' })]),
    Buffer.concat([Buffer.from([0x01, 0x07]), encodeFrameBytes({ opcode: 2, fin: false, payload: Buffer.alloc(200, 7) }), encodeFrameBytes({ opcode: 9, fin: true, payload: 'p' }),
      encodeFrameBytes({ opcode: 0, fin: true, payload: Buffer.alloc(70_000 % 300, 1) }), encodeFrameBytes({ opcode: 8, fin: true, payload: Buffer.from([0x03, 0xe8, 0x6f, 0x6b]) })]),
    Buffer.concat([Buffer.from([0x73, 0x03]), encodeFrameBytes({ opcode: 1, fin: true, rsv1: true, payload: deflate(Buffer.from('Hello, hello, hello!')) }),
      encodeFrameBytes({ opcode: 1, fin: true, rsv1: true, payload: deflate(Buffer.from('Hello again')) })]),
    Buffer.concat([Buffer.from([0x02, 0x11]), encodeFrameBytes({ opcode: 2, fin: true, rsv1: true, mask: true, maskKey: Buffer.from([9, 9, 9, 9]), payload: deflate(Buffer.alloc(4000, 0x61)) })]),
  ],
  arbitrary: (fc) => fc.tuple(
    fc.nat(255), fc.nat(255),
    fc.array(fc.record({
      fin: fc.boolean(), rsv1: fc.boolean(), rsv2: fc.boolean(), rsv3: fc.boolean(),
      opcode: fc.oneof(fc.constantFrom(0, 1, 2, 8, 9, 10), fc.nat(15)),
      mask: fc.boolean(),
      payload: fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 80 }).map((s) => new TextEncoder().encode(s))),
      compress: fc.boolean(),
      lengthForm: fc.constantFrom(undefined, undefined, 7, 16, 64),
      lie: fc.option(fc.oneof(fc.nat(70_000), fc.constantFrom(2 ** 53 + 1, 2 ** 63 - 1, 2 ** 64 - 1)), { freq: 8 }),
    }), { maxLength: 6 }),
  ).map(([config, cut, frames]) => Buffer.concat([Buffer.from([config, cut]), ...frames.map((f) => {
    let payload = Buffer.from(f.payload);
    if (f.compress) payload = deflate(payload);
    const spec = { opcode: f.opcode, fin: f.fin, rsv1: f.rsv1, rsv2: f.rsv2, rsv3: f.rsv3, payload, mask: f.mask ? Buffer.from([0x37, 0xfa, 0x21, 0x3d]) : false };
    if (f.lengthForm !== undefined && (f.lengthForm !== 7 || payload.length < 126) && (f.lengthForm !== 16 || payload.length < 65536)) spec.lengthForm = f.lengthForm;
    if (f.lie !== null) {
      spec.payloadLength = typeof f.lie === 'number' && f.lie > Number.MAX_SAFE_INTEGER ? BigInt(Math.round(f.lie)) - (f.lie === 2 ** 64 - 1 ? 1n : 0n) : f.lie;
      spec.lengthForm = 64;
    }
    return encodeFrameBytes(spec);
  })])),
  run(input) {
    if (input.length < 2) return;
    const config = configOf(input[0]);
    const stream = input.subarray(2);
    const whole = decode(config, stream, null);
    const chunked = decode(config, stream, new Random(input[1] * 2654435761));
    if (whole !== chunked) throw new Error(`decoding in chunks differs from decoding whole:\n${whole}\n${chunked}`);
  },
};
