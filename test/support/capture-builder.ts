// Builds packet captures by hand for the capture import's tests: TCP segments in IPv4 or IPv6, wrapped in
// any of the link layers the import reads, written as classic pcap (either byte order, micro- or
// nanoseconds) or pcapng (several interfaces, each with its own timestamp resolution).

export interface Seg {
  /** Which side sends: 'c' the client, 's' the server. */
  from: 'c' | 's';
  /** Sequence number relative to the sender's ISN (1 = first payload byte). */
  rel: number;
  payload?: Buffer | string;
  flags?: { syn?: boolean; ack?: boolean; fin?: boolean; rst?: boolean };
  /** Acknowledgement relative to the other side's ISN; default: none sent (the ACK flag off). */
  ackRel?: number;
  /** Capture time, epoch ms (nanosecond precision through timeNs). */
  time?: number;
  /** Capture time in epoch nanoseconds (bigint), for nanosecond files. */
  timeNs?: bigint;
  /** Bytes of the packet kept (snapshot length), default all. */
  keep?: number;
}

export interface Flow {
  ipVersion: 4 | 6;
  client: string;
  server: string;
  clientPort: number;
  serverPort: number;
  clientIsn: number;
  serverIsn: number;
}

export const FLOW4: Flow = { ipVersion: 4, client: '10.0.0.1', server: '10.0.0.2', clientPort: 40001, serverPort: 9000, clientIsn: 1000, serverIsn: 0xfffffff0 };
export const FLOW6: Flow = { ipVersion: 6, client: '2001:db8::1', server: '2001:db8::2', clientPort: 40002, serverPort: 9001, clientIsn: 5000, serverIsn: 7000 };

export interface Packet {
  time: number;
  timeNs?: bigint;
  data: Buffer;
  originalLength: number;
  interfaceId?: number;
}

function ipBytes(address: string, version: 4 | 6): Buffer {
  if (version === 4) return Buffer.from(address.split('.').map(Number));
  const [head, tail] = address.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

/** An IP packet carrying one TCP segment of the flow. */
export function ipPacket(flow: Flow, seg: Seg): Buffer {
  const payload = typeof seg.payload === 'string' ? Buffer.from(seg.payload, 'latin1') : (seg.payload ?? Buffer.alloc(0));
  const client = seg.from === 'c';
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(client ? flow.clientPort : flow.serverPort, 0);
  tcp.writeUInt16BE(client ? flow.serverPort : flow.clientPort, 2);
  const isn = client ? flow.clientIsn : flow.serverIsn;
  const peerIsn = client ? flow.serverIsn : flow.clientIsn;
  const f = seg.flags ?? {};
  tcp.writeUInt32BE((isn + (f.syn ? 0 : seg.rel)) >>> 0, 4);
  const ack = seg.ackRel !== undefined;
  if (ack) tcp.writeUInt32BE((peerIsn + seg.ackRel!) >>> 0, 8);
  tcp[12] = 5 << 4;
  tcp[13] = (f.fin ? 1 : 0) | (f.syn ? 2 : 0) | (f.rst ? 4 : 0) | (payload.length ? 8 : 0) | (ack || f.ack ? 0x10 : 0);
  tcp.writeUInt16BE(65535, 14);
  const src = ipBytes(client ? flow.client : flow.server, flow.ipVersion);
  const dst = ipBytes(client ? flow.server : flow.client, flow.ipVersion);
  if (flow.ipVersion === 4) {
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(40 + payload.length, 2);
    ip[8] = 64;
    ip[9] = 6;
    src.copy(ip, 12);
    dst.copy(ip, 16);
    return Buffer.concat([ip, tcp, payload]);
  }
  const ip = Buffer.alloc(40);
  ip[0] = 0x60;
  ip.writeUInt16BE(20 + payload.length, 4);
  ip[6] = 6;
  ip[7] = 64;
  src.copy(ip, 8);
  dst.copy(ip, 24);
  return Buffer.concat([ip, tcp, payload]);
}

export type Link = 'ethernet' | 'vlan' | 'sll' | 'sll2' | 'raw' | 'null' | 'loop';

export const LINK_TYPES: Record<Link, number> = { ethernet: 1, vlan: 1, sll: 113, sll2: 276, raw: 101, null: 0, loop: 108 };

/** The IP packet in a link-layer frame. */
export function linkFrame(link: Link, ip: Buffer): Buffer {
  const etherType = (ip[0]! >> 4) === 6 ? 0x86dd : 0x0800;
  switch (link) {
    case 'raw':
      return ip;
    case 'ethernet': {
      const h = Buffer.alloc(14);
      h.writeUInt16BE(etherType, 12);
      // Ethernet pads short frames to 60 bytes: the IP total length tells where the packet ends.
      const frame = Buffer.concat([h, ip]);
      return frame.length < 60 ? Buffer.concat([frame, Buffer.alloc(60 - frame.length, 0xee)]) : frame;
    }
    case 'vlan': {
      const h = Buffer.alloc(22);
      h.writeUInt16BE(0x88a8, 12);
      h.writeUInt16BE(0x0064, 14);
      h.writeUInt16BE(0x8100, 16);
      h.writeUInt16BE(0x0065, 18);
      h.writeUInt16BE(etherType, 20);
      return Buffer.concat([h, ip]);
    }
    case 'sll': {
      const h = Buffer.alloc(16);
      h.writeUInt16BE(6, 4);
      h.writeUInt16BE(etherType, 14);
      return Buffer.concat([h, ip]);
    }
    case 'sll2': {
      const h = Buffer.alloc(20);
      h.writeUInt16BE(etherType, 0);
      h.writeUInt32BE(1, 4);
      h.writeUInt16BE(1, 8);
      h[11] = 6;
      return Buffer.concat([h, ip]);
    }
    case 'null': {
      const h = Buffer.alloc(4);
      h.writeUInt32LE(etherType === 0x0800 ? 2 : 30, 0);
      return Buffer.concat([h, ip]);
    }
    case 'loop': {
      const h = Buffer.alloc(4);
      h.writeUInt32BE(etherType === 0x0800 ? 2 : 24, 0);
      return Buffer.concat([h, ip]);
    }
  }
}

/** Packets of one flow over one link, times counting up from start by 1 ms unless given. */
export function packets(flow: Flow, link: Link, segs: Seg[], start = 1_700_000_000_000): Packet[] {
  return segs.map((seg, i) => {
    const data = linkFrame(link, ipPacket(flow, seg));
    const kept = seg.keep === undefined ? data : data.subarray(0, seg.keep);
    return { time: seg.time ?? start + i, timeNs: seg.timeNs, data: kept, originalLength: data.length };
  });
}

/** A classic pcap file. */
export function pcapFile(linkType: number, list: Packet[], options: { bigEndian?: boolean; nano?: boolean; snapLength?: number } = {}): Buffer {
  const be = options.bigEndian ?? false;
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    if (be) b.writeUInt32BE(v >>> 0);
    else b.writeUInt32LE(v >>> 0);
    return b;
  };
  const u16 = (v: number) => {
    const b = Buffer.alloc(2);
    if (be) b.writeUInt16BE(v);
    else b.writeUInt16LE(v);
    return b;
  };
  const parts: Buffer[] = [u32(options.nano ? 0xa1b23c4d : 0xa1b2c3d4), u16(2), u16(4), u32(0), u32(0), u32(options.snapLength ?? 262144), u32(linkType)];
  for (const p of list) {
    const ns = p.timeNs ?? BigInt(Math.round(p.time * 1000)) * 1000n;
    const seconds = Number(ns / 1_000_000_000n);
    const fraction = Number(ns % 1_000_000_000n);
    parts.push(u32(seconds), u32(options.nano ? fraction : Math.floor(fraction / 1000)), u32(p.data.length), u32(p.originalLength), p.data);
  }
  return Buffer.concat(parts);
}

export interface PcapngInterface {
  linkType: number;
  /** if_tsresol's byte (6: microseconds, 9: nanoseconds, 0x80 | n: 2^-n). Default none (microseconds). */
  tsresol?: number;
  snapLength?: number;
}

function block(type: number, body: Buffer): Buffer {
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  const length = padded.length + 12;
  const head = Buffer.alloc(8);
  head.writeUInt32LE(type, 0);
  head.writeUInt32LE(length, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(length, 0);
  return Buffer.concat([head, padded, tail]);
}

/** A pcapng file: one section, the interfaces given, enhanced packet blocks (or simple ones with simple: true). */
export function pcapngFile(interfaces: PcapngInterface[], list: Packet[], options: { simple?: boolean } = {}): Buffer {
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeBigInt64LE(-1n, 8);
  const parts = [block(0x0a0d0d0a, shb)];
  for (const i of interfaces) {
    const idb = Buffer.alloc(8);
    idb.writeUInt16LE(i.linkType, 0);
    idb.writeUInt32LE(i.snapLength ?? 0, 4);
    let opts = Buffer.alloc(0);
    if (i.tsresol !== undefined) {
      const o = Buffer.alloc(8);
      o.writeUInt16LE(9, 0);
      o.writeUInt16LE(1, 2);
      o[4] = i.tsresol;
      opts = Buffer.concat([o, Buffer.alloc(4)]);
    }
    parts.push(block(1, Buffer.concat([idb, opts])));
  }
  for (const p of list) {
    if (options.simple) {
      const h = Buffer.alloc(4);
      h.writeUInt32LE(p.originalLength, 0);
      parts.push(block(3, Buffer.concat([h, p.data])));
      continue;
    }
    const iface = interfaces[p.interfaceId ?? 0]!;
    const r = iface.tsresol ?? 6;
    const ns = p.timeNs ?? BigInt(Math.round(p.time * 1000)) * 1000n;
    const ticks = r & 0x80 ? (ns * (1n << BigInt(r & 0x7f))) / 1_000_000_000n : (ns * 10n ** BigInt(r)) / 1_000_000_000n;
    const h = Buffer.alloc(20);
    h.writeUInt32LE(p.interfaceId ?? 0, 0);
    h.writeUInt32LE(Number(ticks >> 32n), 4);
    h.writeUInt32LE(Number(ticks & 0xffffffffn), 8);
    h.writeUInt32LE(p.data.length, 12);
    h.writeUInt32LE(p.originalLength, 16);
    parts.push(block(6, Buffer.concat([h, p.data])));
  }
  return Buffer.concat(parts);
}

/** A three-way handshake, then the WebSocket Upgrade and its 101 answer (sequence numbers follow). */
export function upgradeSegments(path = '/chat', extensions?: string): { segs: Seg[]; next: { c: number; s: number } } {
  const request = `GET ${path} HTTP/1.1\r\nHost: example.test:9000\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extensions ? `Sec-WebSocket-Extensions: ${extensions}\r\n` : ''}\r\n`;
  const response = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n${extensions ? `Sec-WebSocket-Extensions: ${extensions}\r\n` : ''}\r\n`;
  const segs: Seg[] = [
    { from: 'c', rel: 0, flags: { syn: true } },
    { from: 's', rel: 0, flags: { syn: true }, ackRel: 1 },
    { from: 'c', rel: 1, ackRel: 1 },
    { from: 'c', rel: 1, payload: request, ackRel: 1 },
    { from: 's', rel: 1, payload: response, ackRel: 1 + request.length },
  ];
  return { segs, next: { c: 1 + request.length, s: 1 + response.length } };
}
