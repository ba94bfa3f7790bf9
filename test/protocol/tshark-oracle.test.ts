// Wireshark's WebSocket dissector (tshark) as an independent oracle: frames of every header form,
// consistent or not, decode to the same fields in tshark and in our parser.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFrameBytes, encodeClosePayload, type FrameSpec } from '../../src/protocol/frame-encoder.js';
import { FrameParser } from '../../src/protocol/frame-parser.js';
import type { Frame, Sender } from '../../src/protocol/frame.js';
import { writePcap, SERVER_PORT } from '../support/pcap.js';

const TSHARK = '/usr/bin/tshark';
const key = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

const CASES: { from: Sender; spec: FrameSpec }[] = [
  { from: 'client', spec: { opcode: 1, mask: key, payload: 'Hello' } },
  { from: 'server', spec: { opcode: 1, payload: 'Hello' } },
  { from: 'client', spec: { opcode: 2, fin: false, mask: Buffer.from([1, 2, 3, 4]), payload: Buffer.alloc(300, 9) } },
  { from: 'client', spec: { opcode: 0, mask: Buffer.from([9, 8, 7, 6]), payload: Buffer.alloc(200, 1), lengthForm: 64 } },
  { from: 'server', spec: { opcode: 9, payload: 'ping!' } },
  { from: 'client', spec: { opcode: 10, mask: key, payload: 'pong!' } },
  { from: 'server', spec: { opcode: 2, rsv1: true, payload: Buffer.from([0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]) } },
  { from: 'client', spec: { opcode: 1, rsv2: true, rsv3: true, mask: key, payload: 'odd bits' } },
  { from: 'server', spec: { opcode: 5, payload: 'reserved' } },
  { from: 'client', spec: { opcode: 1, payload: 'not masked' } },
  { from: 'server', spec: { opcode: 1, payload: Buffer.alloc(20, 0x61), lengthForm: 16 } },
  { from: 'client', spec: { opcode: 8, mask: key, payload: encodeClosePayload(4001, 'bye ✓') } },
  { from: 'server', spec: { opcode: 8, payload: encodeClosePayload(1000) } },
];

function ours(bytes: Buffer, from: Sender): Frame {
  const frames: Frame[] = [];
  const parser = new FrameParser({ from, rsv1Allowed: true }, { onHeader() {}, onPayload() {}, onFrame: (f) => frames.push(f) });
  parser.push(bytes);
  expect(frames).toHaveLength(1);
  return frames[0]!;
}

type Layer = Record<string, string | Record<string, unknown>>;

describe.runIf(existsSync(TSHARK))('tshark as an oracle for frame headers', () => {
  it('reads every frame with the same FIN, RSV, opcode, mask, key, length and close fields as our parser', () => {
    const dir = mkdtempSync(join(tmpdir(), 'framescope-tshark-'));
    try {
      const frames = CASES.map((c) => ({ from: c.from, payload: encodeFrameBytes(c.spec) }));
      const pcap = join(dir, 'frames.pcap');
      writePcap(pcap, frames);
      const json = execFileSync(TSHARK, ['-r', pcap, '-d', `tcp.port==${SERVER_PORT},websocket`, '-T', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const packets = JSON.parse(json) as { _source: { layers: { websocket?: Layer } } }[];
      expect(packets).toHaveLength(CASES.length);
      packets.forEach((packet, i) => {
        const ws = packet._source.layers.websocket!;
        const frame = ours(frames[i]!.payload, CASES[i]!.from);
        const rsv = Number(ws['websocket.rsv']);
        const length = Number(ws['websocket.payload_length_ext_64'] ?? ws['websocket.payload_length_ext_16'] ?? ws['websocket.payload_length']);
        const theirs = {
          fin: ws['websocket.fin'] === '1',
          rsv1: (rsv & 4) !== 0, rsv2: (rsv & 2) !== 0, rsv3: (rsv & 1) !== 0,
          opcode: Number(ws['websocket.opcode']),
          masked: ws['websocket.mask'] === '1',
          maskKey: typeof ws['websocket.masking_key'] === 'string' ? ws['websocket.masking_key'].replace(/:/g, '') : undefined,
          payloadLength: length,
        };
        expect({
          fin: frame.fin, rsv1: frame.rsv1, rsv2: frame.rsv2, rsv3: frame.rsv3, opcode: frame.opcode, masked: frame.masked,
          maskKey: frame.maskKey?.toString('hex'), payloadLength: frame.payloadLength,
        }, `frame ${i}`).toEqual(theirs);
        if (frame.opcode === 8) {
          const close = (ws['websocket.payload'] as Record<string, Record<string, string>>)['websocket.payload.close']!;
          expect(Number(close['websocket.payload.close.status_code']), `frame ${i}`).toBe(frame.closeCode);
          expect(close['websocket.payload.close.reason'] ?? '', `frame ${i}`).toBe(frame.closeReason ?? '');
        }
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
