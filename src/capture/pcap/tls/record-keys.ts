// Record protection keys from logged secrets: TLS 1.3 traffic secrets through HKDF-Expand-Label
// (RFC 8446 §7.1, §7.3), TLS 1.2's master secret through its PRF (RFC 5246 §5, §6.3), for the AEAD cipher
// suites (AES-GCM, RFC 5288; ChaCha20-Poly1305, RFC 7905).
import { createHmac } from 'node:crypto';

export interface CipherSuite {
  /** Node's cipher name. */
  cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
  keyLength: number;
  hash: 'sha256' | 'sha384';
  /** TLS 1.2 AES-GCM: a 4-byte implicit salt and an 8-byte explicit nonce per record; otherwise a 12-byte IV XOR the sequence number. */
  explicitNonce: boolean;
}

const GCM128 = { cipher: 'aes-128-gcm', keyLength: 16, hash: 'sha256' } as const;
const GCM256 = { cipher: 'aes-256-gcm', keyLength: 32, hash: 'sha384' } as const;
const CHACHA = { cipher: 'chacha20-poly1305', keyLength: 32, hash: 'sha256' } as const;

/** The suites whose records can be read, by their code point. */
export function cipherSuite(code: number, tls13: boolean): CipherSuite | undefined {
  if (tls13) {
    if (code === 0x1301) return { ...GCM128, explicitNonce: false };
    if (code === 0x1302) return { ...GCM256, explicitNonce: false };
    if (code === 0x1303) return { ...CHACHA, explicitNonce: false };
    return undefined;
  }
  if ([0xc02b, 0xc02f, 0x009c, 0x009e].includes(code)) return { ...GCM128, explicitNonce: true };
  if ([0xc02c, 0xc030, 0x009d, 0x009f].includes(code)) return { ...GCM256, explicitNonce: true };
  if ([0xcca8, 0xcca9, 0xccaa].includes(code)) return { ...CHACHA, explicitNonce: false };
  return undefined;
}

/** One direction's record key and IV (or TLS 1.2 GCM salt). */
export interface RecordKey {
  key: Buffer;
  iv: Buffer;
}

function hkdfExpand(hash: string, secret: Buffer, info: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let i = 1; out.reduce((n, b) => n + b.length, 0) < length; i++) {
    previous = createHmac(hash, secret).update(Buffer.concat([previous, info, Buffer.from([i])])).digest();
    out.push(previous);
  }
  return Buffer.concat(out).subarray(0, length);
}

function expandLabel(hash: string, secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([0])]);
  return hkdfExpand(hash, secret, info, length);
}

/** TLS 1.3: the key and IV of a traffic secret. */
export function tls13Key(suite: CipherSuite, secret: Buffer): RecordKey {
  return { key: expandLabel(suite.hash, secret, 'key', suite.keyLength), iv: expandLabel(suite.hash, secret, 'iv', 12) };
}

/** TLS 1.2: the client's and the server's write keys from the master secret. */
export function tls12Keys(suite: CipherSuite, master: Buffer, clientRandom: Buffer, serverRandom: Buffer): { client: RecordKey; server: RecordKey } {
  const ivLength = suite.explicitNonce ? 4 : 12;
  const block = prf(suite.hash, master, 'key expansion', Buffer.concat([serverRandom, clientRandom]), 2 * suite.keyLength + 2 * ivLength);
  const k = suite.keyLength;
  return {
    client: { key: block.subarray(0, k), iv: block.subarray(2 * k, 2 * k + ivLength) },
    server: { key: block.subarray(k, 2 * k), iv: block.subarray(2 * k + ivLength, 2 * k + 2 * ivLength) },
  };
}

/** The TLS 1.2 PRF: P_hash(secret, label + seed). */
function prf(hash: string, secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  const labelSeed = Buffer.concat([Buffer.from(label, 'latin1'), seed]);
  const out: Buffer[] = [];
  let a = labelSeed;
  let total = 0;
  while (total < length) {
    a = createHmac(hash, secret).update(a).digest();
    const piece = createHmac(hash, secret).update(Buffer.concat([a, labelSeed])).digest();
    out.push(piece);
    total += piece.length;
  }
  return Buffer.concat(out).subarray(0, length);
}
