// One captured TLS connection decrypted with a key log: its records read in each direction (RFC 8446 §5,
// RFC 5246 §6.2), the hellos giving the randoms, the version and the cipher suite, and every application
// data record opened with the keys derived from the logged secrets. TLS 1.3 and TLS 1.2 with AEAD suites
// (AES-GCM, ChaCha20-Poly1305). Not read: KeyUpdate (TLS 1.3 key changes after the handshake), 0-RTT early
// data, renegotiation, CBC suites, and hellos split over several records.
import { createDecipheriv } from 'node:crypto';
import type { KeyLog } from './key-log.js';
import { cipherSuite, tls12Keys, tls13Key, type CipherSuite, type RecordKey } from './record-keys.js';

export interface TlsDecryptorOutput {
  /** Application data of `side`, in order. */
  plaintext(side: 0 | 1, bytes: Buffer): void;
  /** Nothing more can be decrypted; why, in words. */
  failed(reason: string): void;
}

const HANDSHAKE = 22;
const CHANGE_CIPHER_SPEC = 20;
const APPLICATION_DATA = 23;
const ALERT = 21;

interface Direction {
  /** TLS 1.3: the handshake key, then the application key; TLS 1.2: the one key. */
  keys: RecordKey[];
  /** Which of keys is in use. */
  current: number;
  seq: bigint;
  /** Records from this side are encrypted from now on. */
  encrypted: boolean;
}

export class TlsDecryptor {
  private readonly buffers: [Buffer, Buffer] = [Buffer.alloc(0), Buffer.alloc(0)];
  private readonly directions: [Direction, Direction] = [
    { keys: [], current: 0, seq: 0n, encrypted: false },
    { keys: [], current: 0, seq: 0n, encrypted: false },
  ];
  private clientRandom: Buffer | undefined;
  private suite: CipherSuite | undefined;
  private tls13 = false;
  private keysReady = false;
  private done = false;
  /** What the hellos said, for the connection's description. */
  version = 'unknown';

  /** client: the side that sent the ClientHello. */
  constructor(private readonly keyLog: KeyLog, private readonly client: 0 | 1, private readonly out: TlsDecryptorOutput) {}

  get failed(): boolean {
    return this.done;
  }

  push(side: 0 | 1, bytes: Buffer): void {
    if (this.done) return;
    this.buffers[side] = this.buffers[side].length === 0 ? Buffer.from(bytes) : Buffer.concat([this.buffers[side], bytes]);
    this.drain(side);
    // The server's hello may have made the client's waiting records readable.
    if (this.keysReady) this.drain(side === 0 ? 1 : 0);
  }

  /** Bytes of side are missing: records cannot be told apart any more. */
  gap(side: 0 | 1, length: number): void {
    this.fail(`${length} bytes of the TLS stream ${side === this.client ? 'client to server' : 'server to client'} are not in the capture; decryption stops there`);
  }

  private drain(side: 0 | 1): void {
    let b = this.buffers[side];
    let at = 0;
    while (!this.done && b.length - at >= 5) {
      const type = b[at]!;
      const length = b.readUInt16BE(at + 3);
      if (b.length - at < 5 + length) break;
      const direction = this.directions[side];
      if (direction.encrypted && type !== CHANGE_CIPHER_SPEC && !this.keysReady) break;
      this.record(side, type, b.subarray(at, at + 5), b.subarray(at + 5, at + 5 + length));
      at += 5 + length;
    }
    b = this.buffers[side];
    this.buffers[side] = at === 0 ? b : Buffer.from(b.subarray(at));
  }

  private record(side: 0 | 1, type: number, header: Buffer, body: Buffer): void {
    const direction = this.directions[side];
    if (type === CHANGE_CIPHER_SPEC) {
      // TLS 1.2: what follows from this side is encrypted. TLS 1.3 sends it only for middlebox compatibility.
      if (!this.tls13) direction.encrypted = true;
      return;
    }
    if (!direction.encrypted) {
      if (type === HANDSHAKE) this.hello(side, body);
      return;
    }
    const plain = this.open(side, type, header, body);
    if (!plain) return;
    if (plain.type === APPLICATION_DATA && plain.data.length > 0) this.out.plaintext(side, plain.data);
  }

  /** A ClientHello or ServerHello in plaintext. */
  private hello(side: 0 | 1, body: Buffer): void {
    if (body.length < 38) return;
    const kind = body[0];
    const random = body.subarray(6, 38);
    if (kind === 1 && side === this.client) {
      this.clientRandom = Buffer.from(random);
      return;
    }
    if (kind !== 2 || side === this.client) return;
    try {
      let at = 38;
      at += 1 + body[at]!;
      const suiteCode = body.readUInt16BE(at);
      at += 3;
      let version = body.readUInt16BE(4);
      if (at + 2 <= body.length) {
        const end = Math.min(body.length, at + 2 + body.readUInt16BE(at));
        at += 2;
        while (at + 4 <= end) {
          const extension = body.readUInt16BE(at);
          const length = body.readUInt16BE(at + 2);
          if (extension === 43 && length === 2) version = body.readUInt16BE(at + 4);
          at += 4 + length;
        }
      }
      this.tls13 = version === 0x0304;
      this.version = this.tls13 ? 'TLS 1.3' : version === 0x0303 ? 'TLS 1.2' : `0x${version.toString(16)}`;
      if (!this.tls13 && version !== 0x0303) return this.fail(`${this.version} is not decrypted (TLS 1.2 and 1.3 are)`);
      this.suite = cipherSuite(suiteCode, this.tls13);
      if (!this.suite) return this.fail(`cipher suite 0x${suiteCode.toString(16).padStart(4, '0')} is not decrypted (AES-GCM and ChaCha20-Poly1305 suites are)`);
      this.deriveKeys(Buffer.from(random));
    } catch {
      this.fail('its ServerHello could not be read');
    }
  }

  private deriveKeys(serverRandom: Buffer): void {
    if (!this.clientRandom) return this.fail('its ClientHello is not in the capture');
    const secrets = this.keyLog.secretsFor(this.clientRandom);
    if (!secrets) return this.fail(`the key log has no secrets for its ClientHello random ${this.clientRandom.toString('hex').slice(0, 16)}…`);
    const suite = this.suite!;
    const server: 0 | 1 = this.client === 0 ? 1 : 0;
    if (this.tls13) {
      const need = ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0'];
      const missing = need.filter((label) => !secrets.has(label));
      if (missing.length) return this.fail(`the key log lacks ${missing.join(', ')} for it`);
      this.directions[this.client].keys = [tls13Key(suite, secrets.get(need[0]!)!), tls13Key(suite, secrets.get(need[2]!)!)];
      this.directions[server].keys = [tls13Key(suite, secrets.get(need[1]!)!), tls13Key(suite, secrets.get(need[3]!)!)];
      // Everything after the ServerHello is encrypted, both ways.
      this.directions[0].encrypted = true;
      this.directions[1].encrypted = true;
    } else {
      const master = secrets.get('CLIENT_RANDOM');
      if (!master) return this.fail('the key log has no CLIENT_RANDOM line (master secret) for it');
      const keys = tls12Keys(suite, master, this.clientRandom, serverRandom);
      this.directions[this.client].keys = [keys.client];
      this.directions[server].keys = [keys.server];
    }
    this.keysReady = true;
  }

  /** Opens an encrypted record; TLS 1.3 moves from the handshake key to the application key when the first one no longer opens. */
  private open(side: 0 | 1, type: number, header: Buffer, body: Buffer): { type: number; data: Buffer } | undefined {
    const direction = this.directions[side];
    const first = this.decrypt(direction, type, header, body);
    if (first) return first;
    if (this.tls13 && direction.current + 1 < direction.keys.length) {
      direction.current++;
      direction.seq = 0n;
      const second = this.decrypt(direction, type, header, body);
      if (second) return second;
    }
    this.fail(`a record ${side === this.client ? 'client to server' : 'server to client'} does not decrypt with the logged secrets`);
    return undefined;
  }

  private decrypt(direction: Direction, type: number, header: Buffer, body: Buffer): { type: number; data: Buffer } | undefined {
    const suite = this.suite!;
    const key = direction.keys[direction.current]!;
    const seq = Buffer.alloc(8);
    seq.writeBigUInt64BE(direction.seq);
    let nonce: Buffer;
    let ciphertext: Buffer;
    if (suite.explicitNonce) {
      nonce = Buffer.concat([key.iv, body.subarray(0, 8)]);
      ciphertext = body.subarray(8);
    } else {
      nonce = Buffer.from(key.iv);
      for (let i = 0; i < 8; i++) nonce[4 + i] = nonce[4 + i]! ^ seq[i]!;
      ciphertext = body;
    }
    if (ciphertext.length < 16) return undefined;
    const tag = ciphertext.subarray(ciphertext.length - 16);
    const sealed = ciphertext.subarray(0, ciphertext.length - 16);
    // TLS 1.3 authenticates the record header; TLS 1.2 the sequence number, type, version and plaintext length.
    const aad = this.tls13 ? header : Buffer.concat([seq, Buffer.from([type, header[1]!, header[2]!, sealed.length >> 8, sealed.length & 0xff])]);
    try {
      const decipher = createDecipheriv(suite.cipher, key.key, nonce, { authTagLength: 16 } as never) as unknown as {
        setAAD(aad: Buffer, options?: { plaintextLength: number }): void; setAuthTag(tag: Buffer): void; update(b: Buffer): Buffer; final(): Buffer;
      };
      decipher.setAAD(aad, { plaintextLength: sealed.length });
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(sealed), decipher.final()]);
      direction.seq++;
      if (!this.tls13) return { type, data: plain };
      // TLSInnerPlaintext: content, the real type, zero padding (RFC 8446 §5.2).
      let end = plain.length - 1;
      while (end >= 0 && plain[end] === 0) end--;
      if (end < 0) return { type: ALERT, data: Buffer.alloc(0) };
      return { type: plain[end]!, data: plain.subarray(0, end) };
    } catch {
      return undefined;
    }
  }

  private fail(reason: string): void {
    if (this.done) return;
    this.done = true;
    this.buffers[0] = Buffer.alloc(0);
    this.buffers[1] = Buffer.alloc(0);
    this.out.failed(reason);
  }
}
