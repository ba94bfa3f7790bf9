// Writes a pcap file of IPv4/TCP packets (LINKTYPE_RAW) carrying given payloads, one per packet, so
// Wireshark's dissectors can be used as an independent oracle for what the bytes mean.
import { writeFileSync } from 'node:fs';

export interface PcapPacket {
  /** Which way: the client (port 50000) to the server (port 8080), or back. */
  from: 'client' | 'server';
  payload: Buffer;
}

export const SERVER_PORT = 8080;
const CLIENT_PORT = 50000;

export function writePcap(path: string, packets: PcapPacket[]): void {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(101, 20); // LINKTYPE_RAW: each packet starts with its IP header
  parts.push(header);
  const seq = { client: 1, server: 1 };
  packets.forEach((p, i) => {
    const ip = Buffer.alloc(20);
    const tcp = Buffer.alloc(20);
    const total = 40 + p.payload.length;
    ip.writeUInt8(0x45, 0);
    ip.writeUInt16BE(total, 2);
    ip.writeUInt16BE(i + 1, 4);
    ip.writeUInt8(64, 8);
    ip.writeUInt8(6, 9);
    Buffer.from([127, 0, 0, 1]).copy(ip, 12);
    Buffer.from([127, 0, 0, 1]).copy(ip, 16);
    tcp.writeUInt16BE(p.from === 'client' ? CLIENT_PORT : SERVER_PORT, 0);
    tcp.writeUInt16BE(p.from === 'client' ? SERVER_PORT : CLIENT_PORT, 2);
    tcp.writeUInt32BE(seq[p.from], 4);
    tcp.writeUInt32BE(seq[p.from === 'client' ? 'server' : 'client'], 8);
    tcp.writeUInt8(5 << 4, 12);
    tcp.writeUInt8(0x18, 13); // PSH, ACK
    tcp.writeUInt16BE(65535, 14);
    seq[p.from] += p.payload.length;
    const record = Buffer.alloc(16);
    record.writeUInt32LE(i + 1, 0);
    record.writeUInt32LE(total, 8);
    record.writeUInt32LE(total, 12);
    parts.push(record, ip, tcp, p.payload);
  });
  writeFileSync(path, Buffer.concat(parts));
}
