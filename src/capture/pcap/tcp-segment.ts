// From a captured packet's bytes to the TCP segment inside: the link layer (Ethernet with VLAN tags,
// Linux cooked SLL and SLL2, raw IP, BSD null and OpenBSD loop), then IPv4 or IPv6, then TCP.
// Link types: https://www.tcpdump.org/linktypes.html

export const LinkType = {
  Null: 0,
  Ethernet: 1,
  Raw: 101,
  /** LINKTYPE_RAW's DLT value on some BSDs. */
  RawBsd: 12,
  /** LINKTYPE_RAW's DLT value on OpenBSD. */
  RawOpenBsd: 14,
  Loop: 108,
  LinuxSll: 113,
  IPv4: 228,
  IPv6: 229,
  LinuxSll2: 276,
} as const;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100]);

/** A TCP segment with its addresses. */
export interface TcpSegment {
  /** 4 or 6. */
  ipVersion: 4 | 6;
  /** Source address as text (dotted quad, or IPv6 in its compressed form). */
  source: string;
  destination: string;
  sourcePort: number;
  destinationPort: number;
  /** Sequence number of the first payload byte (the SYN's own number on a SYN). */
  seq: number;
  ack: number;
  syn: boolean;
  ackFlag: boolean;
  fin: boolean;
  rst: boolean;
  /** The payload bytes captured (valid only during the call). */
  payload: Buffer;
  /** The payload's length on the wire (from the IP header): more than payload.length when the snapshot cut it. */
  payloadLength: number;
}

/** Why a packet yields no segment. */
export type SegmentSkip =
  | { kind: 'not-tcp' }
  | { kind: 'unknown-link-type'; linkType: number }
  | { kind: 'fragment' }
  | { kind: 'bad'; reason: string };

/** The TCP segment in a packet, or why there is none. */
export function tcpSegmentOf(linkType: number, data: Buffer): TcpSegment | SegmentSkip {
  const ip = ipPacketOf(linkType, data);
  if (!Buffer.isBuffer(ip)) return ip;
  if (ip.length < 1) return { kind: 'bad', reason: 'an empty IP packet' };
  const version = ip[0]! >> 4;
  if (version === 4) return ipv4(ip);
  if (version === 6) return ipv6(ip);
  return { kind: 'not-tcp' };
}

/** The IP packet inside a link-layer frame. */
function ipPacketOf(linkType: number, data: Buffer): Buffer | SegmentSkip {
  switch (linkType) {
    case LinkType.Raw:
    case LinkType.RawBsd:
    case LinkType.RawOpenBsd:
    case LinkType.IPv4:
    case LinkType.IPv6:
      return data;
    case LinkType.Ethernet:
      if (data.length < 14) return { kind: 'bad', reason: 'an Ethernet frame shorter than its header' };
      return byEtherType(data.readUInt16BE(12), data, 14);
    case LinkType.LinuxSll:
      if (data.length < 16) return { kind: 'bad', reason: 'a Linux cooked (SLL) frame shorter than its header' };
      return byEtherType(data.readUInt16BE(14), data, 16);
    case LinkType.LinuxSll2:
      if (data.length < 20) return { kind: 'bad', reason: 'a Linux cooked (SLL2) frame shorter than its header' };
      return byEtherType(data.readUInt16BE(0), data, 20);
    case LinkType.Null:
    case LinkType.Loop: {
      if (data.length < 4) return { kind: 'bad', reason: 'a loopback frame shorter than its header' };
      // DLT_NULL's family is in the capturing host's byte order; DLT_LOOP's is big-endian.
      // AF_INET is 2; AF_INET6 is 24 on NetBSD/OpenBSD, 28 on FreeBSD, 30 on macOS, 10 on Linux.
      const little = data.readUInt32LE(0);
      const family = linkType === LinkType.Null && little < 0x10000 ? little : data.readUInt32BE(0);
      if (family === 2 || family === 10 || family === 24 || family === 28 || family === 30) return data.subarray(4);
      return { kind: 'not-tcp' };
    }
    default:
      return { kind: 'unknown-link-type', linkType };
  }
}

function byEtherType(type: number, data: Buffer, at: number): Buffer | SegmentSkip {
  // 802.1Q and 802.1ad tags, stacked (QinQ) included.
  while (VLAN_TAGS.has(type)) {
    if (data.length < at + 4) return { kind: 'bad', reason: 'a VLAN tag cut short' };
    type = data.readUInt16BE(at + 2);
    at += 4;
  }
  if (type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6) return data.subarray(at);
  return { kind: 'not-tcp' };
}

function ipv4(ip: Buffer): TcpSegment | SegmentSkip {
  if (ip.length < 20) return { kind: 'bad', reason: 'an IPv4 header cut short' };
  const headerLength = (ip[0]! & 0x0f) * 4;
  const total = ip.readUInt16BE(2);
  if (headerLength < 20 || total < headerLength) return { kind: 'bad', reason: `an IPv4 header with length ${headerLength} and total length ${total}` };
  if (ip[9] !== 6) return { kind: 'not-tcp' };
  const flags = ip.readUInt16BE(6);
  // More fragments, or a fragment offset: one piece of a fragmented datagram.
  if ((flags & 0x2000) !== 0 || (flags & 0x1fff) !== 0) return { kind: 'fragment' };
  const source = `${ip[12]}.${ip[13]}.${ip[14]}.${ip[15]}`;
  const destination = `${ip[16]}.${ip[17]}.${ip[18]}.${ip[19]}`;
  // A total length of 0 is TCP segmentation offload on the capturing host: the captured bytes are all there is.
  const end = total === 0 ? ip.length : total;
  return tcp(4, source, destination, ip.subarray(headerLength, Math.min(end, ip.length)), end - headerLength);
}

function ipv6(ip: Buffer): TcpSegment | SegmentSkip {
  if (ip.length < 40) return { kind: 'bad', reason: 'an IPv6 header cut short' };
  const payloadLength = ip.readUInt16BE(4);
  let next = ip[6]!;
  let at = 40;
  // Hop-by-hop, routing and destination options headers come before TCP; a fragment header means a fragment.
  while (next === 0 || next === 43 || next === 60 || next === 44) {
    if (next === 44) return { kind: 'fragment' };
    if (ip.length < at + 8) return { kind: 'bad', reason: 'an IPv6 extension header cut short' };
    const length = (ip[at + 1]! + 1) * 8;
    next = ip[at]!;
    at += length;
  }
  if (next !== 6) return { kind: 'not-tcp' };
  const source = ipv6Text(ip.subarray(8, 24));
  const destination = ipv6Text(ip.subarray(24, 40));
  const end = payloadLength === 0 ? ip.length : 40 + payloadLength;
  return tcp(6, source, destination, ip.subarray(at, Math.min(end, ip.length)), end - at);
}

function tcp(ipVersion: 4 | 6, source: string, destination: string, t: Buffer, wireLength: number): TcpSegment | SegmentSkip {
  if (t.length < 20) return { kind: 'bad', reason: 'a TCP header cut short' };
  const headerLength = (t[12]! >> 4) * 4;
  if (headerLength < 20 || headerLength > wireLength) return { kind: 'bad', reason: `a TCP header length of ${headerLength}` };
  const flags = t[13]!;
  return {
    ipVersion, source, destination,
    sourcePort: t.readUInt16BE(0), destinationPort: t.readUInt16BE(2),
    seq: t.readUInt32BE(4), ack: t.readUInt32BE(8),
    fin: (flags & 0x01) !== 0, syn: (flags & 0x02) !== 0, rst: (flags & 0x04) !== 0, ackFlag: (flags & 0x10) !== 0,
    payload: t.subarray(Math.min(headerLength, t.length)),
    payloadLength: wireLength - headerLength,
  };
}

/** An IPv6 address in the RFC 5952 form: lowercase, the longest run of zero groups as "::". */
export function ipv6Text(b: Buffer): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
