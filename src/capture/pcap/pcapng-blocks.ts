// The pcapng blocks an export writes, little-endian: a section header, interface descriptions
// (nanosecond timestamps) and enhanced packets, each with comment options where there is something to say.
// Format: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html

const SHB = 0x0a0d0d0a;
const IDB = 1;
const EPB = 6;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;

/** LINKTYPE_RAW: each packet starts with its IPv4 or IPv6 header. */
export const LINKTYPE_RAW = 101;

function option(code: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16LE(code, 0);
  head.writeUInt16LE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

function options(list: Buffer[]): Buffer {
  return list.length === 0 ? Buffer.alloc(0) : Buffer.concat([...list, Buffer.alloc(4)]);
}

function block(type: number, body: Buffer[]): Buffer {
  const length = 12 + body.reduce((n, b) => n + b.length, 0);
  const head = Buffer.alloc(8);
  head.writeUInt32LE(type, 0);
  head.writeUInt32LE(length, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(length, 0);
  return Buffer.concat([head, ...body, tail]);
}

/** A section header naming the application, with a comment per line given. */
export function sectionHeader(application: string, comments: string[]): Buffer {
  const fixed = Buffer.alloc(16);
  fixed.writeUInt32LE(0x1a2b3c4d, 0);
  fixed.writeUInt16LE(1, 4);
  fixed.writeUInt16LE(0, 6);
  fixed.writeBigInt64LE(-1n, 8);
  return block(SHB, [fixed, options([...comments.map((c) => option(OPT_COMMENT, Buffer.from(c, 'utf8'))), option(SHB_USERAPPL, Buffer.from(application, 'utf8'))])]);
}

/** An interface of raw IP packets with nanosecond timestamps. */
export function interfaceDescription(name: string, description: string): Buffer {
  const fixed = Buffer.alloc(8);
  fixed.writeUInt16LE(LINKTYPE_RAW, 0);
  fixed.writeUInt32LE(0, 4);
  return block(IDB, [fixed, options([option(IF_NAME, Buffer.from(name, 'utf8')), option(IF_DESCRIPTION, Buffer.from(description, 'utf8')), option(IF_TSRESOL, Buffer.from([9]))])]);
}

/**
 * A packet on an interface at time (epoch ms; nanoseconds kept as far as the double holds them). When data
 * holds less than originalLength, the rest was not recorded: the packet is marked as cut, as a snapshot
 * length would cut it, and comment says why.
 */
export function enhancedPacket(interfaceId: number, time: number, data: Buffer, originalLength = data.length, comment?: string): Buffer {
  const fixed = Buffer.alloc(20);
  const ms = Math.floor(time);
  const ns = BigInt(ms) * 1_000_000n + BigInt(Math.round((time - ms) * 1e6));
  fixed.writeUInt32LE(interfaceId, 0);
  fixed.writeUInt32LE(Number(ns >> 32n), 4);
  fixed.writeUInt32LE(Number(ns & 0xffffffffn), 8);
  fixed.writeUInt32LE(data.length, 12);
  fixed.writeUInt32LE(originalLength, 16);
  const padding = Buffer.alloc((4 - (data.length % 4)) % 4);
  return block(EPB, [fixed, data, padding, options(comment ? [option(OPT_COMMENT, Buffer.from(comment, 'utf8'))] : [])]);
}
