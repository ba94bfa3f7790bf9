// Captures built byte by byte: every link layer and file form the import reads, TCP put back in order
// across reordering, retransmission, loss and a late start, and the damaged files it must name.
import { describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import { CaptureImporter, type CaptureImportResult } from '../../../src/capture/pcap/capture-importer.js';
import { CaptureImportError } from '../../../src/capture/pcap/capture-problems.js';
import { encodeClosePayload, encodeFrameBytes } from '../../../src/protocol/frame-encoder.js';
import {
  FLOW4, FLOW6, LINK_TYPES, packets, pcapFile, pcapngFile, upgradeSegments, type Flow, type Link, type Seg,
} from '../../support/capture-builder.js';
import { MemorySessionWriter } from '../../support/memory-session-writer.js';

const KEY = Buffer.from([1, 2, 3, 4]);
const clientText = encodeFrameBytes({ opcode: 1, mask: KEY, payload: 'Hello from the client' });
const serverText = encodeFrameBytes({ opcode: 1, payload: 'Hello back' });
const clientClose = encodeFrameBytes({ opcode: 8, mask: KEY, payload: encodeClosePayload(1000, 'done') });
const serverClose = encodeFrameBytes({ opcode: 8, payload: encodeClosePayload(1000, 'done') });

/** A whole conversation: handshake, a message each way, the closing handshake and both FINs. */
function conversation(): Seg[] {
  const { segs, next } = upgradeSegments();
  let c = next.c;
  let s = next.s;
  const out = [...segs];
  const send = (from: 'c' | 's', bytes: Buffer) => {
    if (from === 'c') {
      out.push({ from, rel: c, payload: bytes, ackRel: s });
      c += bytes.length;
    } else {
      out.push({ from, rel: s, payload: bytes, ackRel: c });
      s += bytes.length;
    }
  };
  send('c', clientText);
  send('s', serverText);
  send('c', clientClose);
  send('s', serverClose);
  out.push({ from: 's', rel: s, flags: { fin: true }, ackRel: c });
  out.push({ from: 'c', rel: c, flags: { fin: true }, ackRel: s + 1 });
  return out;
}

function importBytes(file: Buffer, chunk = file.length): { result: CaptureImportResult; writer: MemorySessionWriter } {
  const writer = new MemorySessionWriter();
  const importer = new CaptureImporter(writer);
  for (let i = 0; i < file.length; i += chunk) importer.push(file.subarray(i, i + chunk));
  return { result: importer.end(), writer };
}

function frameSummary(writer: MemorySessionWriter, id = 1): string[] {
  return writer.connections.get(id)!.frames.map((f) => `${f.direction} ${f.frame.opcode} ${f.frame.payload.toString('latin1')} ${f.frame.violations.join(',')}`.trimEnd());
}

const WHOLE = ['send 1 Hello from the client', 'receive 1 Hello back', `send 8 ${encodeClosePayload(1000, 'done').toString('latin1')}`, `receive 8 ${encodeClosePayload(1000, 'done').toString('latin1')}`];

describe('capture import: hand-made captures', () => {
  it('reads a whole conversation in an Ethernet pcap: the handshake, the frames with their capture times, the close and the addresses', () => {
    const list = packets(FLOW4, 'ethernet', conversation());
    const { result, writer } = importBytes(pcapFile(1, list));
    expect(result).toEqual({ format: 'pcap', packets: 11, connections: 1, encrypted: 0, problems: [] });
    const c = writer.connections.get(1)!;
    expect(c.url).toBe('ws://example.test:9000/chat');
    expect(c.clientAddress).toBe('10.0.0.1:40001');
    expect(c.serverAddress).toBe('10.0.0.2:9000');
    expect(c.request.method).toBe('GET');
    expect(c.request.time).toBe(list[3]!.time);
    expect(c.response!.statusCode).toBe(101);
    expect(c.response!.time).toBe(list[4]!.time);
    expect(c.checks.every((check) => check.ok)).toBe(true);
    expect(c.state).toBe('closed');
    expect(c.close).toEqual({ code: 1000, reason: 'done', closedBy: 'client' });
    expect(c.endedAt).toBe(list[10]!.time);
    expect(frameSummary(writer)).toEqual(WHOLE);
    expect(c.frames.map((f) => f.time)).toEqual([list[5]!.time, list[6]!.time, list[7]!.time, list[8]!.time]);
    expect(c.frames[0]!.frame).toMatchObject({ masked: true, maskKey: KEY, index: 0, offset: 0, payloadLength: 21 });
    expect(c.frames[2]!.frame).toMatchObject({ index: 1, offset: clientText.length, closeCode: 1000, closeReason: 'done' });
    expect(c.messages.map((m) => [m.direction, m.message.data.toString(), m.message.frameIndexes, m.time])).toEqual([
      ['send', 'Hello from the client', [0], list[5]!.time],
      ['receive', 'Hello back', [0], list[6]!.time],
    ]);
  });

  const LINKS: [Link, Flow][] = [
    ['vlan', FLOW4], ['sll', FLOW4], ['sll2', FLOW4], ['sll2', FLOW6], ['raw', FLOW6], ['null', FLOW4], ['null', FLOW6], ['loop', FLOW4], ['ethernet', FLOW6],
  ];
  for (const [link, flow] of LINKS) {
    it(`reads the same conversation over ${link} with IPv${flow.ipVersion}`, () => {
      const { result, writer } = importBytes(pcapFile(LINK_TYPES[link], packets(flow, link, conversation())), 7);
      expect(result.problems).toEqual([]);
      expect(frameSummary(writer)).toEqual(WHOLE);
      const c = writer.connections.get(1)!;
      expect([c.clientAddress, c.serverAddress]).toEqual(flow.ipVersion === 4 ? ['10.0.0.1:40001', '10.0.0.2:9000'] : ['[2001:db8::1]:40002', '[2001:db8::2]:9001']);
    });
  }

  it('reads a big-endian nanosecond pcap with its nanoseconds', () => {
    const base = 1_700_000_000_123_456_789n;
    const segs = conversation().map((s, i) => ({ ...s, timeNs: base + BigInt(i) * 1_000_001n }));
    const { result, writer } = importBytes(pcapFile(101, packets(FLOW4, 'raw', segs), { bigEndian: true, nano: true }));
    expect(result.problems).toEqual([]);
    const times = writer.connections.get(1)!.frames.map((f) => f.time);
    // A double holds epoch milliseconds to about a quarter of a microsecond.
    const expected = [5, 6, 7, 8].map((i) => Number(base + BigInt(i) * 1_000_001n) / 1e6);
    times.forEach((t, i) => expect(t).toBeCloseTo(expected[i]!, 3));
    expect(times[1]! - times[0]!).toBeCloseTo(1.000001, 3);
  });

  it('reads a pcapng with two interfaces of different link types and timestamp resolutions', () => {
    const a = packets(FLOW4, 'ethernet', conversation(), 1_700_000_000_000).map((p) => ({ ...p, interfaceId: 0 }));
    const b = packets(FLOW6, 'sll2', conversation(), 1_700_000_001_000).map((p, i) => ({ ...p, interfaceId: 1, timeNs: 1_700_000_001_000_000_000n + BigInt(i) * 1_000_000n + 7n }));
    const list = a.flatMap((p, i) => [p, b[i]!]);
    const { result, writer } = importBytes(pcapngFile([{ linkType: 1 }, { linkType: 276, tsresol: 9 }], list));
    expect(result).toMatchObject({ format: 'pcapng', packets: 22, connections: 2, problems: [] });
    expect(frameSummary(writer, 1)).toEqual(WHOLE);
    expect(frameSummary(writer, 2)).toEqual(WHOLE);
    expect(writer.connections.get(1)!.frames[0]!.time).toBe(1_700_000_000_005);
    expect(writer.connections.get(2)!.frames[0]!.time - 1_700_000_001_005).toBeCloseTo(0.000007, 3);
    expect(writer.connections.get(2)!.clientAddress).toBe('[2001:db8::1]:40002');
  });

  it('reads simple packet blocks, which take the previous packet\'s time', () => {
    const { result, writer } = importBytes(pcapngFile([{ linkType: 101 }], packets(FLOW4, 'raw', conversation()), { simple: true }));
    expect(result.problems).toEqual([]);
    expect(frameSummary(writer)).toEqual(WHOLE);
    expect(writer.connections.get(1)!.frames[0]!.time).toBe(0);
  });

  it('puts reordered segments back in order, keeps the first copy of a retransmission and names the disagreement', () => {
    const { segs, next } = upgradeSegments();
    const big = encodeFrameBytes({ opcode: 2, mask: KEY, payload: Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz') });
    const parts = [big.subarray(0, 10), big.subarray(10, 25), big.subarray(25)];
    const at = [next.c, next.c + 10, next.c + 25];
    const changed = Buffer.from(parts[1]!);
    changed[3] ^= 0xff;
    changed[4] ^= 0xff;
    const list = packets(FLOW4, 'raw', [
      ...segs,
      { from: 'c', rel: at[2]!, payload: parts[2], ackRel: next.s },
      { from: 'c', rel: at[1]!, payload: parts[1], ackRel: next.s },
      { from: 'c', rel: at[1]!, payload: changed, ackRel: next.s },
      { from: 'c', rel: at[0]!, payload: parts[0], ackRel: next.s },
      { from: 'c', rel: at[0]!, payload: Buffer.concat([parts[0]!, parts[1]!]), ackRel: next.s },
    ]);
    const { result, writer } = importBytes(pcapFile(101, list));
    const c = writer.connections.get(1)!;
    expect(c.frames).toHaveLength(1);
    expect(c.frames[0]!.frame.payload.toString()).toBe('0123456789abcdefghijklmnopqrstuvwxyz');
    expect(c.frames[0]!.time).toBe(list[8]!.time);
    expect(result.problems).toEqual([
      { code: 'retransmission-differs', connectionId: 1, message: 'a retransmitted copy client to server differs from the first copy in 2 bytes; the first copy was kept' },
    ]);
    expect(writer.errors.map((e) => e.message)).toEqual(['retransmission-differs: a retransmitted copy client to server differs from the first copy in 2 bytes; the first copy was kept']);
  });

  it('records a lost segment as a gap of its length once the receiver acknowledged past it, and decodes again from the next frame boundary', () => {
    const { segs, next } = upgradeSegments();
    const f1 = encodeFrameBytes({ opcode: 1, mask: KEY, payload: 'first' });
    const f2 = encodeFrameBytes({ opcode: 1, mask: KEY, payload: 'lost in the middle' });
    const f3 = encodeFrameBytes({ opcode: 1, mask: KEY, payload: 'third' });
    const f4 = encodeFrameBytes({ opcode: 1, mask: KEY, payload: 'fourth' });
    // The second segment carries the end of f2 and f3 and f4; its first part is lost.
    const stream = Buffer.concat([f1, f2, f3, f4]);
    const cut = f1.length + 10;
    const list = packets(FLOW4, 'raw', [
      ...segs,
      { from: 'c', rel: next.c, payload: f1, ackRel: next.s },
      { from: 'c', rel: next.c + cut, payload: stream.subarray(cut), ackRel: next.s },
      { from: 's', rel: next.s, ackRel: next.c + stream.length },
    ]);
    const { result, writer } = importBytes(pcapFile(101, list));
    expect(frameSummary(writer)).toEqual(['send 1 first', 'send 1 third', 'send 1 fourth']);
    expect(writer.connections.get(1)!.frames.map((f) => [f.frame.index, f.frame.offset])).toEqual([[0, 0], [1, f1.length + f2.length], [2, f1.length + f2.length + f3.length]]);
    expect(result.problems).toEqual([
      { code: 'stream-gap', connectionId: 1, message: '10 bytes client to server are not in the capture; frames are looked for again after them' },
      { code: 'skipped-bytes', connectionId: 1, message: `${f2.length - 10} bytes client to server were skipped before the first frame boundary that parses` },
    ]);
  });

  it('joins a connection whose handshake is not in the capture at its first frame boundary, and says how many bytes it skipped', () => {
    const frames = [0, 1, 2, 3].map((i) => encodeFrameBytes({ opcode: 1, mask: KEY, payload: `message ${i}` }));
    const server = [0, 1, 2].map((i) => encodeFrameBytes({ opcode: 1, payload: `answer ${i}` }));
    const clientStream = Buffer.concat(frames);
    const list = packets(FLOW4, 'ethernet', [
      { from: 'c', rel: 500, payload: clientStream.subarray(7), ackRel: 900 },
      { from: 's', rel: 900, payload: Buffer.concat(server), ackRel: 500 + clientStream.length },
    ]);
    const { result, writer } = importBytes(pcapFile(1, list));
    const c = writer.connections.get(1)!;
    expect(c.url).toBe('ws://10.0.0.2:9000/');
    expect(c.clientAddress).toBe('10.0.0.1:40001');
    expect(frameSummary(writer)).toEqual(['send 1 message 1', 'send 1 message 2', 'send 1 message 3', 'receive 1 answer 0', 'receive 1 answer 1', 'receive 1 answer 2']);
    expect(c.frames[0]!.frame.offset).toBe(frames[0]!.length - 7);
    expect(result.problems.map((p) => [p.code, p.message])).toEqual([
      ['mid-stream', 'the handshake is not in the capture (the connection began before it, or its start was lost): its URL path, headers and extensions are unknown'],
      ['skipped-bytes', `${frames[0]!.length - 7} bytes client to server were skipped before the first frame boundary that parses`],
    ]);
  });

  it('inflates permessage-deflate messages as the handshake negotiated', async () => {
    const { deflateRawSync } = await import('node:zlib');
    const { segs, next } = upgradeSegments('/z', 'permessage-deflate; client_no_context_takeover; server_no_context_takeover');
    const { constants } = await import('node:zlib');
    // RFC 7692 §7.2.1: a sync flush, its 00 00 ff ff tail removed.
    const packed = deflateRawSync(Buffer.from('squeezed squeezed squeezed'), { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -4);
    const frame = encodeFrameBytes({ opcode: 1, rsv1: true, mask: KEY, payload: packed });
    const { result, writer } = importBytes(pcapFile(101, packets(FLOW4, 'raw', [...segs, { from: 'c', rel: next.c, payload: frame, ackRel: next.s }])));
    expect(result.problems).toEqual([]);
    const c = writer.connections.get(1)!;
    expect(c.extensions).toBe('permessage-deflate; client_no_context_takeover; server_no_context_takeover');
    expect(c.messages[0]!.message).toMatchObject({ compressed: true, violations: [] });
    expect(c.messages[0]!.message.data.toString()).toBe('squeezed squeezed squeezed');
  });

  it('names a packet cut by the snapshot length and the gap it leaves', () => {
    const segs = conversation();
    const list = packets(FLOW4, 'raw', segs.map((s, i) => (i === 5 ? { ...s, keep: 40 + 6 } : s)));
    const { result, writer } = importBytes(pcapFile(101, list, { snapLength: 46 }));
    expect(result.problems.map((p) => [p.code, p.packet ?? p.connectionId, p.message])).toEqual([
      ['snaplen-truncated', 6, `the capture kept 46 of its ${40 + clientText.length} bytes: ${clientText.length - 6} bytes of TCP payload (10.0.0.1:40001 -> 10.0.0.2:9000) are missing`],
      ['stream-gap', 1, `${clientText.length - 6} bytes client to server are not in the capture; frames are looked for again after them`],
    ]);
    // The cut frame is reported cut short; the client's close after the gap is a single frame, taken as a
    // boundary only when the stream ends (one frame alone is too weak a sign while more may come).
    expect(frameSummary(writer)).toEqual(['send 1  truncated-frame', WHOLE[1], WHOLE[3], WHOLE[2]]);
    expect(writer.connections.get(1)!.frames[0]!.frame).toMatchObject({ payloadLength: clientText.length - 6, truncated: true });
  });

  it('imports what a truncated file holds and names the cut', () => {
    const file = pcapFile(101, packets(FLOW4, 'raw', conversation()));
    const { result, writer } = importBytes(file.subarray(0, file.length - 30));
    expect(result.problems).toEqual([{ code: 'truncated-file', message: `the file ends in the middle of a packet record: its last 26 bytes (from byte ${file.length - 56}) were not read` }]);
    expect(frameSummary(writer)).toEqual(WHOLE);
    expect(writer.connections.get(1)!.endedAt).toBeUndefined();
  });

  it('throws a named error for a file that is not a capture, and for an empty one', () => {
    expect(() => importBytes(Buffer.from('{"log": {"entries": []}}'))).toThrow(new CaptureImportError('wrong-magic', 'the file starts with 0x7b226c6f, which is neither a pcap nor a pcapng file'));
    expect(() => importBytes(Buffer.alloc(0))).toThrow(new CaptureImportError('empty-file', 'the file is empty'));
    try {
      importBytes(Buffer.from([0xa1, 0xb2]));
    } catch (error) {
      expect((error as CaptureImportError).code).toBe('wrong-magic');
    }
  });

  it('names packets of a link type it does not read and goes on', () => {
    const list = packets(FLOW4, 'raw', conversation());
    const file = pcapngFile([{ linkType: 101 }, { linkType: 147 }], [...list.slice(0, 2).map((p) => ({ ...p, interfaceId: 1 })), ...list]);
    const { result, writer } = importBytes(file);
    expect(result.problems).toEqual([
      { code: 'unknown-link-type', packet: 1, message: 'link type 147 (interface 1) is not one this import reads (Ethernet, Linux SLL and SLL2, raw IP, null/loopback); the packet is skipped' },
      { code: 'unknown-link-type', packet: 2, message: 'link type 147 (interface 1) is not one this import reads (Ethernet, Linux SLL and SLL2, raw IP, null/loopback); the packet is skipped' },
    ]);
    expect(frameSummary(writer)).toEqual(WHOLE);
  });

  it('lists a TLS connection as encrypted with the SNI of its ClientHello', async () => {
    const hello = await realClientHello('ws.example.test');
    const list = packets(FLOW4, 'raw', [
      { from: 'c', rel: 0, flags: { syn: true } },
      { from: 's', rel: 0, flags: { syn: true }, ackRel: 1 },
      { from: 'c', rel: 1, payload: hello.subarray(0, 100), ackRel: 1 },
      { from: 'c', rel: 101, payload: hello.subarray(100), ackRel: 1 },
      { from: 's', rel: 1, payload: Buffer.from([0x16, 3, 3, 0, 2, 2, 0]), ackRel: 1 + hello.length },
    ]);
    const { result, writer } = importBytes(pcapFile(101, list));
    expect(result).toMatchObject({ connections: 0, encrypted: 1 });
    const c = writer.connections.get(1)!;
    expect(c.url).toBe('wss://ws.example.test:9000/');
    expect(c.error).toBe('encrypted: a TLS connection (TLS 1.3 ClientHello, SNI ws.example.test); its content cannot be read');
    expect(c.frames).toEqual([]);
  });

  it('leaves out TCP connections that are not WebSocket', () => {
    const list = packets(FLOW4, 'raw', [
      { from: 'c', rel: 0, flags: { syn: true } },
      { from: 's', rel: 0, flags: { syn: true }, ackRel: 1 },
      { from: 'c', rel: 1, payload: 'GET /plain HTTP/1.1\r\nHost: x\r\n\r\n', ackRel: 1 },
      { from: 's', rel: 1, payload: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', ackRel: 33 },
    ]);
    const { result, writer } = importBytes(pcapFile(101, list));
    expect(result).toMatchObject({ connections: 0, encrypted: 0, problems: [] });
    expect(writer.list()).toEqual([]);
  });
});

/** The first flight of a real TLS client (Node's), asking for serverName. */
async function realClientHello(serverName: string): Promise<Buffer> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const got = new Promise<Buffer>((resolve) => server.once('connection', (socket) => socket.once('data', (d: Buffer) => { resolve(d); socket.destroy(); })));
  const client = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, servername: serverName });
  client.on('error', () => {});
  const hello = await got;
  client.destroy();
  server.close();
  return hello;
}
