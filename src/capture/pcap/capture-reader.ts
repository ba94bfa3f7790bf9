// A sans-IO reader of packet capture files: classic pcap (libpcap, both byte orders, micro- and
// nanosecond timestamps) and pcapng (SHB, IDB, EPB, SPB and the obsolete PB; several interfaces, each
// with its own timestamp resolution and offset; several sections). Bytes in, packets and problems out;
// it never throws on bad input: what it cannot read becomes a named problem.
//
// Formats: https://www.tcpdump.org/manpages/pcap-savefile.5.html and
// https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html
import type { CaptureProblem } from './capture-problems.js';

export type CaptureFormat = 'pcap' | 'pcapng';

/** One captured packet. */
export interface CapturedPacket {
  /** Number of the packet in the file, from 1 (as Wireshark counts). */
  number: number;
  /** The interface it was captured on (pcapng: its IDB's index in the section; pcap: 0). */
  interfaceId: number;
  /** The interface's link type (LINKTYPE_*). */
  linkType: number;
  /** When it was captured, epoch milliseconds (fractional: micro- and nanoseconds kept to a double's precision). */
  time: number;
  /** The bytes captured; valid only during the call. */
  data: Buffer;
  /** Its length on the wire; more than data.length when the snapshot length cut it. */
  originalLength: number;
}

export interface CaptureReaderHandler {
  onPacket(packet: CapturedPacket): void;
  onProblem(problem: CaptureProblem): void;
}

/** The largest block or packet record accepted: past it the file is taken as damaged. */
export const MAX_RECORD = 64 * 1024 * 1024;

const PCAP_MICRO = 0xa1b2c3d4;
const PCAP_NANO = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;

interface Interface {
  linkType: number;
  snapLength: number;
  /** Ticks per second of its timestamps. */
  ticksPerSecond: bigint;
  /** Seconds added to every timestamp (if_tsoffset). */
  offsetSeconds: bigint;
}

export class CaptureReader {
  private buffered: Buffer = Buffer.alloc(0);
  private format: CaptureFormat | undefined;
  private littleEndian = true;
  private nano = false;
  private pcapLinkType = 0;
  private pcapSnapLength = 0;
  private interfaces: Interface[] = [];
  private packets = 0;
  private lastTime = 0;
  /** Bytes of the file consumed before `buffered`. */
  private consumed = 0;
  /** Set when the rest of the file cannot be read. */
  private stopped = false;

  constructor(private readonly handler: CaptureReaderHandler) {}

  /** pcap or pcapng, once the first bytes told. */
  get fileFormat(): CaptureFormat | undefined {
    return this.format;
  }

  /** Packets read so far. */
  get packetCount(): number {
    return this.packets;
  }

  /** False once the file stopped making sense: the rest is ignored. */
  get reading(): boolean {
    return !this.stopped;
  }

  push(chunk: Buffer): void {
    if (this.stopped) return;
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    let at = 0;
    for (;;) {
      const used = this.next(this.buffered, at);
      if (used <= 0) break;
      at += used;
      if (this.stopped) break;
    }
    this.consumed += at;
    // Copy the remainder out so the caller's chunk can be reused and a large chunk is not kept alive.
    this.buffered = at === 0 ? this.buffered : Buffer.from(this.buffered.subarray(at));
  }

  /** The file ended. Bytes left over are a truncated record. */
  end(): void {
    if (this.stopped) return;
    if (this.format === undefined) {
      this.problem(this.buffered.length === 0 ? 'empty-file' : 'wrong-magic',
        this.buffered.length === 0 ? 'the file is empty' : `the file is ${this.buffered.length} bytes, too short for a capture file header`);
      return;
    }
    if (this.buffered.length > 0) {
      this.problem('truncated-file', `the file ends in the middle of a ${this.format === 'pcap' ? 'packet record' : 'block'}: its last ${this.buffered.length} bytes (from byte ${this.consumed}) were not read`);
    }
  }

  /** Reads one header, record or block at `at`; returns the bytes used, 0 when more are needed. */
  private next(b: Buffer, at: number): number {
    const left = b.length - at;
    if (this.format === undefined) {
      if (left < 4) return 0;
      const magic = b.readUInt32BE(at);
      if (magic === PCAPNG_SHB) {
        this.format = 'pcapng';
        return this.block(b, at);
      }
      if (magic === PCAP_MICRO || magic === PCAP_NANO || swap32(magic) === PCAP_MICRO || swap32(magic) === PCAP_NANO) {
        if (left < 24) return 0;
        this.format = 'pcap';
        return this.pcapHeader(b, at);
      }
      this.stop('wrong-magic', `the file starts with 0x${magic.toString(16).padStart(8, '0')}, which is neither a pcap nor a pcapng file`);
      return 0;
    }
    return this.format === 'pcap' ? this.pcapRecord(b, at) : this.block(b, at);
  }

  private pcapHeader(b: Buffer, at: number): number {
    if (b.length - at < 24) return 0;
    const magic = b.readUInt32LE(at);
    this.littleEndian = magic === PCAP_MICRO || magic === PCAP_NANO;
    const m = this.littleEndian ? magic : b.readUInt32BE(at);
    this.nano = m === PCAP_NANO;
    this.pcapSnapLength = this.u32(b, at + 16);
    // The upper bits of the link type field carry FCS information (pcap-savefile(5)).
    this.pcapLinkType = this.u32(b, at + 20) & 0x0fffffff;
    return 24;
  }

  private pcapRecord(b: Buffer, at: number): number {
    if (b.length - at < 16) return 0;
    const seconds = this.u32(b, at);
    const fraction = this.u32(b, at + 4);
    const captured = this.u32(b, at + 8);
    const original = this.u32(b, at + 12);
    if (captured > MAX_RECORD || (this.pcapSnapLength > 0 && captured > Math.max(this.pcapSnapLength, 262144))) {
      this.stop('damaged-record', `packet ${this.packets + 1} (byte ${this.consumed + at}) claims ${captured} captured bytes, more than the snapshot length ${this.pcapSnapLength}: the file is damaged from here`);
      return 0;
    }
    if (b.length - at < 16 + captured) return 0;
    const time = seconds * 1000 + (this.nano ? fraction / 1e6 : fraction / 1e3);
    this.packet(0, this.pcapLinkType, time, b.subarray(at + 16, at + 16 + captured), original);
    return 16 + captured;
  }

  private block(b: Buffer, at: number): number {
    if (b.length - at < 12) return 0;
    const type = b.readUInt32LE(at);
    if (type === PCAPNG_SHB) {
      // The byte order of a section is told by its byte-order magic, after the block's length.
      const bom = b.readUInt32LE(at + 8);
      if (bom === PCAPNG_BOM) this.littleEndian = true;
      else if (swap32(bom) === PCAPNG_BOM) this.littleEndian = false;
      else {
        this.stop('wrong-magic', `the section header at byte ${this.consumed + at} has byte-order magic 0x${bom.toString(16)}, not 0x1a2b3c4d`);
        return 0;
      }
    }
    const length = this.u32(b, at + 4);
    if (length < 12 || length % 4 !== 0 || length > MAX_RECORD) {
      this.stop('damaged-record', `the block at byte ${this.consumed + at} has length ${length}: the file is damaged from here`);
      return 0;
    }
    if (b.length - at < length) return 0;
    const blockType = this.u32(b, at);
    if (this.u32(b, at + length - 4) !== length) {
      this.stop('damaged-record', `the block at byte ${this.consumed + at} does not end with its length: the file is damaged from here`);
      return 0;
    }
    const body = b.subarray(at + 8, at + length - 4);
    switch (blockType) {
      case PCAPNG_SHB:
        this.interfaces = [];
        break;
      case 1:
        this.interfaceBlock(body);
        break;
      case 6:
        this.enhancedPacket(body);
        break;
      case 3:
        this.simplePacket(body);
        break;
      case 2:
        this.obsoletePacket(body);
        break;
      default:
        // Name resolution, statistics, decryption secrets, custom blocks: not packets.
        break;
    }
    return length;
  }

  private interfaceBlock(body: Buffer): void {
    if (body.length < 8) {
      this.problem('damaged-record', `interface ${this.interfaces.length} has a block too short to read; its packets are skipped`);
      this.interfaces.push({ linkType: -1, snapLength: 0, ticksPerSecond: 1_000_000n, offsetSeconds: 0n });
      return;
    }
    const iface: Interface = { linkType: this.u16(body, 0), snapLength: this.u32(body, 4), ticksPerSecond: 1_000_000n, offsetSeconds: 0n };
    this.options(body.subarray(8), (code, value) => {
      if (code === 9 && value.length >= 1) {
        const r = value[0]!;
        // if_tsresol: the high bit picks a power of two, otherwise of ten.
        iface.ticksPerSecond = r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r & 0x7f);
      } else if (code === 14 && value.length >= 8) {
        iface.offsetSeconds = this.littleEndian ? value.readBigInt64LE(0) : value.readBigInt64BE(0);
      }
    });
    this.interfaces.push(iface);
  }

  private enhancedPacket(body: Buffer): void {
    if (body.length < 20) return this.problem('damaged-record', `packet ${this.packets + 1}: an enhanced packet block too short to read; skipped`);
    const id = this.u32(body, 0);
    const ticks = (BigInt(this.u32(body, 4)) << 32n) | BigInt(this.u32(body, 8));
    const captured = this.u32(body, 12);
    const original = this.u32(body, 16);
    if (20 + captured > body.length) return this.problem('damaged-record', `packet ${this.packets + 1}: claims ${captured} captured bytes, more than its block holds; skipped`);
    const iface = this.interfaces[id];
    if (!iface) return this.problem('unknown-interface', `packet ${this.packets + 1} names interface ${id}, which no interface block described; skipped`);
    this.packet(id, iface.linkType, ticksToMs(ticks, iface), body.subarray(20, 20 + captured), original);
  }

  private obsoletePacket(body: Buffer): void {
    if (body.length < 20) return this.problem('damaged-record', `packet ${this.packets + 1}: a packet block too short to read; skipped`);
    const id = this.u16(body, 0);
    const ticks = (BigInt(this.u32(body, 4)) << 32n) | BigInt(this.u32(body, 8));
    const captured = this.u32(body, 12);
    const original = this.u32(body, 16);
    const iface = this.interfaces[id];
    if (20 + captured > body.length || !iface) return this.problem('damaged-record', `packet ${this.packets + 1}: a packet block that cannot be read; skipped`);
    this.packet(id, iface.linkType, ticksToMs(ticks, iface), body.subarray(20, 20 + captured), original);
  }

  private simplePacket(body: Buffer): void {
    const iface = this.interfaces[0];
    if (body.length < 4 || !iface) return this.problem('damaged-record', `packet ${this.packets + 1}: a simple packet block without an interface or too short; skipped`);
    const original = this.u32(body, 0);
    // A simple packet has no captured length: it is the original length cut by the snapshot length.
    let captured = Math.min(original, body.length - 4);
    if (iface.snapLength > 0) captured = Math.min(captured, iface.snapLength);
    // It has no timestamp either: it takes the previous packet's.
    this.packet(0, iface.linkType, this.lastTime, body.subarray(4, 4 + captured), original);
  }

  private packet(interfaceId: number, linkType: number, time: number, data: Buffer, originalLength: number): void {
    this.packets++;
    this.lastTime = time;
    this.handler.onPacket({ number: this.packets, interfaceId, linkType, time, data, originalLength });
  }

  /** Walks a pcapng options list: code, length, value padded to 4 bytes; code 0 ends it. */
  private options(b: Buffer, each: (code: number, value: Buffer) => void): void {
    let at = 0;
    while (at + 4 <= b.length) {
      const code = this.u16(b, at);
      const length = this.u16(b, at + 2);
      if (code === 0 || at + 4 + length > b.length) return;
      each(code, b.subarray(at + 4, at + 4 + length));
      at += 4 + ((length + 3) & ~3);
    }
  }

  private u16(b: Buffer, at: number): number {
    return this.littleEndian ? b.readUInt16LE(at) : b.readUInt16BE(at);
  }

  private u32(b: Buffer, at: number): number {
    return this.littleEndian ? b.readUInt32LE(at) : b.readUInt32BE(at);
  }

  private problem(code: CaptureProblem['code'], message: string): void {
    this.handler.onProblem({ code, message });
  }

  private stop(code: CaptureProblem['code'], message: string): void {
    this.stopped = true;
    this.buffered = Buffer.alloc(0);
    this.problem(code, message);
  }
}

function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/** A timestamp in the interface's ticks as epoch milliseconds. */
function ticksToMs(ticks: bigint, iface: Interface): number {
  const seconds = ticks / iface.ticksPerSecond + iface.offsetSeconds;
  const rest = ticks % iface.ticksPerSecond;
  return Number(seconds) * 1000 + (Number(rest) * 1000) / Number(iface.ticksPerSecond);
}
