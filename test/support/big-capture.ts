// Writes a large pcap of many interleaved WebSocket connections, for the memory bound of the capture import
// (and `node --import tsx`-free use: plain functions over a file descriptor, written as it is generated).
// Each connection does its handshake, then sends frames of mixed sizes (some of several MiB, split into
// 1460-byte segments, neighbours swapped now and then), and ends with a close; alongside runs a bulk
// TCP transfer that is not WebSocket and starts mid-stream.
import { closeSync, openSync, writeSync } from 'node:fs';
import { encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import { ipPacket, linkFrame, upgradeSegments, type Flow, type Seg } from './capture-builder.js';

const MSS = 1460;

interface Conn {
  flow: Flow;
  c: number;
  s: number;
  queue: Seg[];
  frames: number;
}

/** Writes about `bytes` bytes of capture to path; returns the WebSocket connections and frames written. */
export function writeBigCapture(path: string, bytes: number, concurrent = 40): { connections: number; frames: number; packets: number } {
  const fd = openSync(path, 'w', 0o600);
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  let written = 24;
  let pending: Buffer[] = [header];
  let pendingBytes = 24;
  let packets = 0;
  let time = 1_700_000_000_000;
  const flush = () => {
    writeSync(fd, Buffer.concat(pending));
    pending = [];
    pendingBytes = 0;
  };
  const emit = (flow: Flow, seg: Seg) => {
    const data = linkFrame('ethernet', ipPacket(flow, seg));
    const record = Buffer.alloc(16);
    time += 0.01;
    record.writeUInt32LE(Math.floor(time / 1000), 0);
    record.writeUInt32LE(Math.floor((time % 1000) * 1000), 4);
    record.writeUInt32LE(data.length, 8);
    record.writeUInt32LE(data.length, 12);
    pending.push(record, data);
    pendingBytes += 16 + data.length;
    written += 16 + data.length;
    packets++;
    if (pendingBytes > 4 * 1024 * 1024) flush();
  };
  let made = 0;
  let frames = 0;
  let connections = 0;
  const open = (): Conn => {
    made++;
    const flow: Flow = { ipVersion: 4, client: `10.1.${(made >> 8) & 255}.${made & 255}`, server: '10.2.0.1', clientPort: 1024 + (made % 60000), serverPort: 9000, clientIsn: made * 7919, serverIsn: made * 104729 };
    const { segs, next } = upgradeSegments(`/big/${made}`);
    connections++;
    return { flow, c: next.c, s: next.s, queue: [...segs], frames: 0 };
  };
  const bulk: Flow = { ipVersion: 4, client: '10.9.0.1', server: '10.9.0.2', clientPort: 5555, serverPort: 443, clientIsn: 1, serverIsn: 1 };
  let bulkSeq = 1_000_000;
  const conns: Conn[] = Array.from({ length: concurrent }, open);
  const key = Buffer.from([1, 2, 3, 4]);
  let round = 0;
  while (written < bytes) {
    round++;
    for (let i = 0; i < conns.length; i++) {
      const conn = conns[i]!;
      if (conn.queue.length === 0) {
        // The next frame: mostly small text, every 50th a 3 MiB binary frame from the server.
        const big = conn.frames % 50 === 49;
        const fromServer = big || conn.frames % 2 === 1;
        const payload = big ? Buffer.alloc(3 * 1024 * 1024, conn.frames & 255) : Buffer.from(`message ${conn.frames} on ${conn.flow.clientPort} `.repeat(20));
        const bytesOut = encodeFrameBytes(fromServer ? { opcode: big ? 2 : 1, payload } : { opcode: 1, mask: key, payload });
        conn.frames++;
        frames++;
        const segs: Seg[] = [];
        for (let at = 0; at < bytesOut.length; at += MSS) {
          const piece = bytesOut.subarray(at, at + MSS);
          segs.push(fromServer ? { from: 's', rel: conn.s + at, payload: piece, ackRel: conn.c } : { from: 'c', rel: conn.c + at, payload: piece, ackRel: conn.s });
        }
        if (fromServer) conn.s += bytesOut.length;
        else conn.c += bytesOut.length;
        // Now and then two segments arrive swapped.
        if (segs.length > 3 && conn.frames % 3 === 0) [segs[1], segs[2]] = [segs[2]!, segs[1]!];
        conn.queue.push(...segs);
        if (conn.frames >= 400) {
          conn.queue.push({ from: 'c', rel: conn.c, flags: { fin: true }, ackRel: conn.s }, { from: 's', rel: conn.s, flags: { fin: true }, ackRel: conn.c + 1 });
          conns[i] = open();
        }
      }
      emit(conn.flow, conn.queue.shift()!);
    }
    if (round % 4 === 0) {
      emit(bulk, { from: 's', rel: bulkSeq, payload: noise(round), ackRel: 1 });
      bulkSeq += MSS;
    }
    if (written >= bytes) break;
  }
  flush();
  closeSync(fd);
  return { connections, frames, packets };
}

/** Bytes that look like compressed or encrypted data (a xorshift sequence). */
function noise(seed: number): Buffer {
  const b = Buffer.alloc(MSS);
  let x = seed * 2654435761 || 1;
  for (let i = 0; i < MSS; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 255;
  }
  return b;
}
