// A TCP conversation made up around bytes that were really sent: the three-way handshake, each side's
// bytes as segments with sequence and acknowledgement numbers that follow them, and the FIN or RST that
// ended it; IPv4 or IPv6 headers with correct checksums (RFC 791, RFC 8200, RFC 9293 §3.1). A segment's
// bytes that were not recorded are left out of the packet, whose lengths still count them, so that
// Wireshark sees a packet cut by the snapshot length rather than bytes that never were.
import { isIPv4, isIPv6 } from 'node:net';

/** One IP packet: the bytes known, and its whole length on the wire. */
export interface SyntheticPacket {
  data: Buffer;
  originalLength: number;
}

export interface TcpEndpoint {
  address: string;
  port: number;
}

/** Largest payload per segment: an IPv4 or IPv6 packet's length field is 16 bits. */
export const MAX_SEGMENT = 65_000;

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;

export class SyntheticTcp {
  private readonly seq: [number, number];
  private readonly version: 4 | 6;
  private readonly addresses: [Buffer, Buffer];
  private ident = 0;

  /** side 0 is the client. isn: each side's initial sequence number. */
  constructor(private readonly ends: [TcpEndpoint, TcpEndpoint], isn: [number, number] = [0x1000_0000, 0x2000_0000]) {
    this.seq = [isn[0] >>> 0, isn[1] >>> 0];
    const v6 = isIPv6(ends[0].address) || isIPv6(ends[1].address);
    this.version = v6 ? 6 : 4;
    this.addresses = [addressBytes(ends[0].address, this.version), addressBytes(ends[1].address, this.version)];
  }

  /** SYN, SYN-ACK, ACK. */
  handshake(): SyntheticPacket[] {
    const syn = this.segment(0, SYN, Buffer.alloc(0), 0, false);
    this.seq[0] = (this.seq[0] + 1) >>> 0;
    const synAck = this.segment(1, SYN | ACK, Buffer.alloc(0), 0);
    this.seq[1] = (this.seq[1] + 1) >>> 0;
    return [syn, synAck, this.segment(0, ACK, Buffer.alloc(0), 0)];
  }

  /**
   * side's next `length` bytes, of which `known` (its first bytes) were recorded; cut in segments of at
   * most MAX_SEGMENT bytes.
   */
  send(side: 0 | 1, known: Buffer, length = known.length): SyntheticPacket[] {
    const packets: SyntheticPacket[] = [];
    for (let at = 0; at < length || (length === 0 && at === 0); at += MAX_SEGMENT) {
      const size = Math.min(MAX_SEGMENT, length - at);
      packets.push(this.segment(side, PSH | ACK, known.subarray(Math.min(at, known.length), Math.min(at + size, known.length)), size));
      this.seq[side] = (this.seq[side] + size) >>> 0;
      if (length === 0) break;
    }
    return packets;
  }

  /** side closes its direction. */
  fin(side: 0 | 1): SyntheticPacket {
    const packet = this.segment(side, FIN | ACK, Buffer.alloc(0), 0);
    this.seq[side] = (this.seq[side] + 1) >>> 0;
    return packet;
  }

  /** side resets the connection. */
  rst(side: 0 | 1): SyntheticPacket {
    return this.segment(side, RST | ACK, Buffer.alloc(0), 0);
  }

  /** The last ACK of a closed connection (acknowledging the other side's FIN). */
  ack(side: 0 | 1): SyntheticPacket {
    return this.segment(side, ACK, Buffer.alloc(0), 0);
  }

  private segment(side: 0 | 1, flags: number, known: Buffer, length: number, withAck = true): SyntheticPacket {
    const other = side === 0 ? 1 : 0;
    const tcp = Buffer.alloc(20);
    tcp.writeUInt16BE(this.ends[side].port, 0);
    tcp.writeUInt16BE(this.ends[other].port, 2);
    tcp.writeUInt32BE(this.seq[side], 4);
    tcp.writeUInt32BE(withAck ? this.seq[other] : 0, 8);
    tcp[12] = 5 << 4;
    tcp[13] = withAck ? flags | ACK : flags;
    tcp.writeUInt16BE(65535, 14);
    const complete = known.length === length;
    // The checksum covers the whole segment; it can be computed only when every byte is known (Wireshark does not check it by default).
    if (complete) tcp.writeUInt16BE(tcpChecksum(this.addresses[side], this.addresses[other], tcp, known), 16);
    const ip = this.version === 4 ? this.ipv4(side, 20 + length) : this.ipv6(side, 20 + length);
    return { data: Buffer.concat([ip, tcp, known]), originalLength: ip.length + 20 + length };
  }

  private ipv4(side: 0 | 1, payloadLength: number): Buffer {
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + payloadLength, 2);
    ip.writeUInt16BE(++this.ident & 0xffff, 4);
    ip.writeUInt16BE(0x4000, 6); // don't fragment
    ip[8] = 64;
    ip[9] = 6;
    this.addresses[side].copy(ip, 12);
    this.addresses[side === 0 ? 1 : 0].copy(ip, 16);
    ip.writeUInt16BE(onesComplement(sum16(ip, 0)), 10);
    return ip;
  }

  private ipv6(side: 0 | 1, payloadLength: number): Buffer {
    const ip = Buffer.alloc(40);
    ip[0] = 0x60;
    ip.writeUInt16BE(payloadLength, 4);
    ip[6] = 6;
    ip[7] = 64;
    this.addresses[side].copy(ip, 8);
    this.addresses[side === 0 ? 1 : 0].copy(ip, 24);
    return ip;
  }
}

function addressBytes(address: string, version: 4 | 6): Buffer {
  if (version === 4) return Buffer.from(address.split('.').map(Number));
  // An IPv4 address in an IPv6 conversation is written IPv4-mapped (::ffff:a.b.c.d).
  const text = isIPv4(address) ? `::ffff:${address}` : address;
  const [head, tail = ''] = text.includes('::') ? text.split('::') : [text, undefined];
  const parts = (s: string | undefined) => (s ? s.split(':') : []);
  const expand = (groups: string[]) => groups.flatMap((g) => (g.includes('.') ? [((Number(g.split('.')[0]) << 8) | Number(g.split('.')[1])).toString(16), ((Number(g.split('.')[2]) << 8) | Number(g.split('.')[3])).toString(16)] : [g]));
  const h = expand(parts(head));
  const t = expand(parts(tail));
  const groups = text.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return b;
}

function sum16(b: Buffer, initial: number): number {
  let sum = initial;
  for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
  if (b.length % 2) sum += b[b.length - 1]! << 8;
  return sum;
}

function onesComplement(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

function tcpChecksum(source: Buffer, destination: Buffer, header: Buffer, payload: Buffer): number {
  const length = header.length + payload.length;
  const pseudo = source.length === 4 ? Buffer.alloc(12) : Buffer.alloc(40);
  source.copy(pseudo, 0);
  destination.copy(pseudo, source.length);
  if (source.length === 4) {
    pseudo[9] = 6;
    pseudo.writeUInt16BE(length, 10);
  } else {
    pseudo.writeUInt32BE(length, 32);
    pseudo[39] = 6;
  }
  // header has an even length, so payload's bytes keep their positions in the sum.
  return onesComplement(sum16(payload, sum16(header, sum16(pseudo, 0))));
}
