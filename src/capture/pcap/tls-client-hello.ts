// Recognising a TLS connection from its first bytes, and reading the server name (SNI) its ClientHello
// asks for (RFC 8446 §4.1.2, RFC 6066 §3). Only the handshake's first message is read: the rest is
// encrypted.

export type ClientHelloResult =
  /** Not a TLS handshake record. */
  | { tls: false }
  /** A TLS handshake, its ClientHello not all here yet. */
  | { tls: true; complete: false }
  /** The ClientHello, with the server name when it has one and the version it offers at most. */
  | { tls: true; complete: true; serverName?: string; version: string };

/** Whether the first bytes of a stream look like a TLS handshake record (type 22, version 3.x). */
export function looksLikeTls(b: Buffer): boolean {
  return b.length >= 3 && b[0] === 0x16 && b[1] === 0x03 && b[2]! <= 0x04;
}

/** Reads the ClientHello at the start of a stream, across handshake records. */
export function readClientHello(b: Buffer): ClientHelloResult {
  if (!looksLikeTls(b)) return { tls: false };
  // The handshake message may span several records: join their fragments.
  const fragments: Buffer[] = [];
  let joined = 0;
  let at = 0;
  let needed = -1;
  while (at + 5 <= b.length && b[at] === 0x16) {
    const length = b.readUInt16BE(at + 3);
    if (at + 5 + length > b.length) break;
    fragments.push(b.subarray(at + 5, at + 5 + length));
    joined += length;
    at += 5 + length;
    if (needed === -1 && joined >= 4) {
      const hs = Buffer.concat(fragments);
      if (hs[0] !== 1) return { tls: true, complete: true, version: 'unknown' };
      needed = 4 + hs.readUIntBE(1, 3);
    }
    if (needed !== -1 && joined >= needed) break;
  }
  if (needed === -1 || joined < needed) return { tls: true, complete: false };
  return { tls: true, complete: true, ...helloFields(Buffer.concat(fragments).subarray(4, needed)) };
}

function helloFields(h: Buffer): { serverName?: string; version: string } {
  let version = 'unknown';
  try {
    const legacy = h.readUInt16BE(0);
    version = versionName(legacy);
    let at = 2 + 32;
    at += 1 + h[at]!; // session id
    at += 2 + h.readUInt16BE(at); // cipher suites
    at += 1 + h[at]!; // compression methods
    if (at + 2 > h.length) return { version };
    const end = Math.min(h.length, at + 2 + h.readUInt16BE(at));
    at += 2;
    let serverName: string | undefined;
    while (at + 4 <= end) {
      const type = h.readUInt16BE(at);
      const length = h.readUInt16BE(at + 2);
      const body = h.subarray(at + 4, at + 4 + length);
      if (type === 0 && body.length >= 5 && body[2] === 0) serverName = body.toString('latin1', 5, 5 + body.readUInt16BE(3));
      // supported_versions (RFC 8446 §4.2.1): the highest offered.
      if (type === 43 && body.length >= 3) {
        let best = 0;
        for (let i = 1; i + 1 < body.length && i < 1 + body[0]!; i += 2) {
          const v = body.readUInt16BE(i);
          if ((v & 0x0f0f) !== 0x0a0a && v > best) best = v;
        }
        if (best) version = versionName(best);
      }
      at += 4 + length;
    }
    return serverName === undefined ? { version } : { serverName, version };
  } catch {
    return { version };
  }
}

function versionName(v: number): string {
  switch (v) {
    case 0x0304: return 'TLS 1.3';
    case 0x0303: return 'TLS 1.2';
    case 0x0302: return 'TLS 1.1';
    case 0x0301: return 'TLS 1.0';
    default: return `0x${v.toString(16)}`;
  }
}
