// The local certificate authority that lets the proxy terminate TLS (https:// and wss://) for any host.
//
// Each install gets its own CA (a fresh key, a random serial and a subject naming the machine and the
// date), so trusting one user's Framescope never means trusting another's. The CA key never leaves
// ca-key.pem, which is created with mode 0600 so it is never readable by other users, not even briefly.
//
// Leaf certificates are made on demand, one per host, and must be cheap: a proxy meets new hosts in the
// middle of handshakes. So every leaf shares one RSA key (leaf-key.pem, created once and kept beside the
// CA), and signatures are made with Node's native RSA rather than node-forge's JavaScript bignums
// (about 1 ms instead of about 40 ms). node-forge only lays out the certificate's ASN.1.
//
// Keeping the leaf key on disk (rather than one per process) gives every Framescope process the same
// leaf public key, so `framescope browser` can hand Chromium the leaf's SPKI fingerprint
// (--ignore-certificate-errors-spki-list) and a proxy running in another process still matches it.

import { constants, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, privateEncrypt, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname as machineName } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { SecureContext } from 'node:tls';
import forge from 'node-forge';

/** A leaf certificate and its private key, both PEM. */
export interface LeafCertificate {
  /** The leaf certificate alone (PEM); the CA certificate is not appended. */
  cert: string;
  /** The private key shared by every leaf (PKCS#8 PEM). */
  key: string;
}

/** The callback tls.createServer's SNICallback option expects. */
export type SniCallback = (servername: string, callback: (error: Error | null, context?: SecureContext) => void) => void;

/** The CA certificate's file name inside the CA directory (mode 0644: it is public). */
export const CA_CERT_FILE = 'ca.pem';
/** The CA private key's file name (mode 0600). */
export const CA_KEY_FILE = 'ca-key.pem';
/** The private key shared by every leaf certificate (mode 0600). */
export const LEAF_KEY_FILE = 'leaf-key.pem';

const RSA_BITS = 2048;
const DAY_MS = 24 * 60 * 60 * 1000;
const CA_VALIDITY_YEARS = 10;
const LEAF_VALIDITY_DAYS = 365;
/** Hosts whose leaf and TLS context stay cached; the least recently used beyond this are dropped. */
const CACHE_LIMIT = 1000;
/** How long to wait for another process that is creating the same CA right now. */
const CONCURRENT_CREATE_WAIT_MS = 10_000;
/** A CA key older than this with no certificate beside it was left by a creation that died. */
const ABANDONED_KEY_AGE_MS = 30_000;

/**
 * The DNS name every leaf for an IP literal carries beside its iPAddress entry. A client that tunnels
 * through a proxy agent and then starts TLS over the tunnel socket may give tls.connect neither a
 * servername (RFC 6066 forbids an IP there) nor a host: https-proxy-agent drops both for wss://127.0.0.1
 * (TooTallNate/proxy-agents#365). Node then checks the certificate against its default host name,
 * "localhost", and refused our 127.0.0.1 leaf with "Host: localhost. is not cert's CN". Naming localhost
 * grants nothing new: this CA signs a leaf for localhost on request anyway.
 */
export const IP_LEAF_EXTRA_NAME = 'localhost';

/** DER of DigestInfo's prefix for SHA-256 (RFC 8017 section 9.2, note 1): the digest's 32 bytes follow. */
const SHA256_DIGEST_INFO_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');

export class CertificateAuthority {
  /** The CA certificate's path (ca.pem): what users import into trust stores. */
  readonly certPath: string;
  /** The CA certificate (PEM). */
  readonly certPem: string;
  /** True when this call created the CA; false when it loaded an existing one. */
  readonly created: boolean;
  /** Problems found and fixed while loading (key files readable by others), for the user to see. */
  readonly warnings: readonly string[];

  private readonly dir: string;
  private readonly caKey: KeyObject;
  private readonly caCert: forge.pki.Certificate;
  private readonly caKeyIdentifier: string;
  private readonly caFingerprint: string;
  private leafKeyCache: { pem: string; forgePublicKey: forge.pki.PublicKey; fingerprint: string } | undefined;
  private readonly leaves = new Map<string, LeafCertificate>();
  private readonly contexts = new Map<string, SecureContext>();

  private constructor(dir: string, certPem: string, keyPem: string, created: boolean, warnings: string[]) {
    this.dir = dir;
    this.certPath = join(dir, CA_CERT_FILE);
    this.certPem = certPem;
    this.created = created;
    this.warnings = warnings;
    this.caKey = createPrivateKey(keyPem);
    this.caCert = forge.pki.certificateFromPem(certPem);
    const ski = this.caCert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | undefined;
    this.caKeyIdentifier = ski?.subjectKeyIdentifier
      ? forge.util.hexToBytes(ski.subjectKeyIdentifier)
      : this.caCert.generateSubjectKeyIdentifier().getBytes();
    this.caFingerprint = spkiFingerprintOf(createPublicKey(certPem));
    if (this.caFingerprint !== spkiFingerprintOf(createPublicKey(this.caKey))) {
      throw new Error(`${join(dir, CA_KEY_FILE)} is not the key of ${this.certPath}; move both away to create a new CA`);
    }
  }

  /**
   * Loads the CA kept in `dir`, creating it (and `dir`, mode 0700) on first use. Safe against another
   * process creating the same CA at the same moment: both end up with the same files.
   */
  static loadOrCreate(dir: string): CertificateAuthority {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const certPath = join(dir, CA_CERT_FILE);
    const keyPath = join(dir, CA_KEY_FILE);
    const created = existsSync(certPath) ? false : createCaFiles(dir);
    if (!existsSync(keyPath)) {
      throw new Error(`${certPath} exists but its key ${keyPath} is missing; move ${certPath} away to create a new CA`);
    }
    const warnings = [keyPath, join(dir, LEAF_KEY_FILE)].flatMap((path) => repairPrivateMode(path) ?? []);
    // Earlier versions wrote the certificate 0644; it holds no secret, so it is made 0600 without a warning.
    repairPrivateMode(certPath);
    return new CertificateAuthority(dir, readFileSync(certPath, 'utf8'), readFileSync(keyPath, 'utf8'), created, warnings);
  }

  /** base64 SHA-256 of the CA's SubjectPublicKeyInfo (DER): the form Chromium's --ignore-certificate-errors-spki-list takes. */
  spkiFingerprint(): string {
    return this.caFingerprint;
  }

  /**
   * base64 SHA-256 of the SubjectPublicKeyInfo shared by every leaf. Chromium matches its SPKI list
   * against the certificates the server sent, so this one entry covers every host the proxy serves.
   */
  leafSpkiFingerprint(): string {
    return this.leafKey().fingerprint;
  }

  /** A leaf certificate for `hostname` (a DNS name, or an IPv4/IPv6 literal, brackets allowed), made once and cached. */
  certificateFor(hostname: string): LeafCertificate {
    const host = normalizeHost(hostname);
    return cached(this.leaves, host.name, () => this.issueLeaf(host));
  }

  /** A TLS context serving the leaf for `hostname` followed by the CA certificate, made once and cached. */
  secureContextFor(hostname: string): SecureContext {
    const host = normalizeHost(hostname);
    return cached(this.contexts, host.name, () => {
      const leaf = this.certificateFor(host.name);
      // Sending the CA after the leaf lets a client match the CA's SPKI fingerprint too, not only the leaf's.
      return createSecureContext({ cert: leaf.cert + this.certPem, key: leaf.key });
    });
  }

  /** For tls.createServer({ SNICallback }): serves each client the leaf for the name it asked for. */
  readonly sniCallback: SniCallback = (servername, callback) => {
    let context: SecureContext;
    try {
      context = this.secureContextFor(servername);
    } catch (error) {
      callback(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    callback(null, context);
  };

  private leafKey(): { pem: string; forgePublicKey: forge.pki.PublicKey; fingerprint: string } {
    if (!this.leafKeyCache) {
      const pem = publishOnce(join(this.dir, LEAF_KEY_FILE), () => newRsaKey().export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
      const publicKey = createPublicKey(pem);
      this.leafKeyCache = {
        pem,
        forgePublicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string),
        fingerprint: spkiFingerprintOf(publicKey),
      };
    }
    return this.leafKeyCache;
  }

  private issueLeaf(host: NormalizedHost): LeafCertificate {
    const leafKey = this.leafKey();
    const cert = forge.pki.createCertificate();
    cert.publicKey = leafKey.forgePublicKey;
    cert.serialNumber = randomSerial();
    // Starting yesterday tolerates clients whose clock is a little behind.
    cert.validity.notBefore = new Date(Date.now() - DAY_MS);
    cert.validity.notAfter = new Date(cert.validity.notBefore.getTime() + LEAF_VALIDITY_DAYS * DAY_MS);
    // A commonName is limited to 64 characters (RFC 5280 appendix A); clients read the SAN anyway.
    cert.setSubject([
      ...(host.name.length <= 64 ? [{ name: 'commonName', value: host.name }] : []),
      { name: 'organizationName', value: 'Framescope' },
    ]);
    cert.setIssuer(this.caCert.subject.attributes);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      // RFC 6125 section 6.4.4 / CA/B Baseline Requirements: clients match the SAN, IP literals as iPAddress.
      { name: 'subjectAltName', altNames: host.ip ? [{ type: 7, ip: host.ip }, { type: 2, value: IP_LEAF_EXTRA_NAME }] : [{ type: 2, value: host.name }] },
      { name: 'subjectKeyIdentifier' },
      { name: 'authorityKeyIdentifier', keyIdentifier: this.caKeyIdentifier },
    ]);
    signWithNodeCrypto(cert, this.caKey);
    return { cert: pemWithLf(forge.pki.certificateToPem(cert)), key: leafKey.pem };
  }
}

/** base64 SHA-256 of a public key's SubjectPublicKeyInfo DER. */
export function spkiFingerprintOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}

interface NormalizedHost {
  /** The cache key and DNS name: lower case, no trailing dot, IPv6 without brackets in canonical form. */
  name: string;
  /** The same address when the host is an IP literal. */
  ip: string | undefined;
}

const DNS_NAME = /^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

function normalizeHost(hostname: string): NormalizedHost {
  let name = hostname.trim().toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (name.endsWith('.')) name = name.slice(0, -1);
  const family = isIP(name);
  if (family === 4) return { name, ip: name };
  if (family === 6) {
    // The URL parser gives the canonical text (RFC 5952), which node-forge's IPv6 parser can read.
    const canonical = new URL(`http://[${name.split('%')[0]}]/`).hostname.slice(1, -1);
    return { name: canonical, ip: canonical };
  }
  if (name.length === 0 || name.length > 253 || !DNS_NAME.test(name)) {
    throw new Error(`cannot issue a certificate for ${JSON.stringify(hostname)}: not a host name or IP address`);
  }
  return { name, ip: undefined };
}

/** Creates the CA's key and certificate in `dir`. Returns false when another process created them first. */
function createCaFiles(dir: string): boolean {
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  const key = newRsaKey();
  const certPem = buildCaCertificate(key);
  const keyPem = key.export({ type: 'pkcs8', format: 'pem' }) as string;
  // The key file is created exclusively and with its mode from the start; whoever creates it owns the CA.
  // ca.pem appears (atomically, by rename) only after the key is complete, so a reader that sees ca.pem
  // can read both.
  if (!writeNewFile(keyPath, keyPem, 0o600)) {
    if (statSync(keyPath).mtimeMs < Date.now() - ABANDONED_KEY_AGE_MS && !existsSync(certPath)) {
      // A key with no certificate was never published, so nothing trusts it: replace it.
      unlinkSync(keyPath);
      return createCaFiles(dir);
    }
    waitForFile(certPath, CONCURRENT_CREATE_WAIT_MS);
    return false;
  }
  const temporary = `${certPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  // Public, but every file Framescope writes is its user's only: whoever trusts it runs as that user (or root).
  writeFileSync(temporary, certPem, { mode: 0o600, flag: 'wx' });
  renameSync(temporary, certPath);
  return true;
}

function buildCaCertificate(key: KeyObject): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(createPublicKey(key).export({ type: 'spki', format: 'pem' }) as string);
  cert.serialNumber = randomSerial();
  const notBefore = new Date(Date.now() - DAY_MS);
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_VALIDITY_YEARS);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  const date = notBefore.toISOString().slice(0, 10);
  // "Framescope CA (" + " YYYY-MM-DD)" leaves 37 of commonName's 64 characters for the machine's name.
  const subject = [
    { name: 'commonName', value: `Framescope CA (${machineName().slice(0, 37)} ${date})` },
    { name: 'organizationName', value: 'Framescope' },
    { shortName: 'OU', value: `local debugging proxy ${randomBytes(4).toString('hex')}` },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    // pathLenConstraint 0: this CA signs leaves only, never another CA.
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signWithNodeCrypto(cert, key);
  return pemWithLf(forge.pki.certificateToPem(cert));
}

/** node-forge ends PEM lines with CRLF; Node, OpenSSL and ca-certificates all write (and expect) LF. */
function pemWithLf(pem: string): string {
  return pem.replace(/\r\n/g, '\n');
}

/**
 * Signs `cert` (sha256WithRSAEncryption) with Node's native RSA: node-forge lays out and hashes the
 * TBSCertificate, then calls our `sign`, which applies the EMSA-PKCS1-v1_5 signature (RFC 8017
 * section 8.2.1) to the DigestInfo, as RSA_PKCS1_PADDING with the private key does.
 */
function signWithNodeCrypto(cert: forge.pki.Certificate, key: KeyObject): void {
  const signer = {
    sign(md: forge.md.MessageDigest): string {
      const digest = Buffer.from(md.digest().getBytes(), 'binary');
      const digestInfo = Buffer.concat([SHA256_DIGEST_INFO_PREFIX, digest]);
      return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo).toString('binary');
    },
  };
  // node-forge only ever calls sign() on the key it is given.
  cert.sign(signer as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
}

function newRsaKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: RSA_BITS }).privateKey;
}

/** 16 random bytes as a positive DER INTEGER with no leading zero byte (RFC 5280 section 4.1.2.2). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString('hex');
}

/** Makes a private key file readable by its owner only; returns a warning when it was not. */
function repairPrivateMode(path: string): string | undefined {
  // Windows has no POSIX modes; the profile directory's ACL protects the file there.
  if (process.platform === 'win32' || !existsSync(path)) return undefined;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  chmodSync(path, 0o600);
  return `${path} was accessible to other users (mode 0${mode.toString(8)}); changed it to 0600`;
}

/** Creates `path` with `data`, failing (returning false) if it exists. The mode applies from creation. */
function writeNewFile(path: string, data: string, mode: number): boolean {
  try {
    writeFileSync(path, data, { mode, flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Returns the content of `path`, creating it from `make()` if missing. The file appears complete or
 * not at all (written aside, then hard-linked, which fails if another process published first).
 */
function publishOnce(path: string, make: () => string, mode: number): string {
  if (existsSync(path)) return readFileSync(path, 'utf8');
  const data = make();
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, data, { mode, flag: 'wx' });
  try {
    linkSync(temporary, path);
    return data;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return readFileSync(path, 'utf8');
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw error;
    // A file system without hard links: a rename is still atomic, only not exclusive.
    renameSync(temporary, path);
    return data;
  } finally {
    if (existsSync(temporary)) unlinkSync(temporary);
  }
}

function waitForFile(path: string, timeoutMs: number): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) {
      throw new Error(`another process is creating the CA but ${path} did not appear within ${timeoutMs / 1000} s`);
    }
    Atomics.wait(pause, 0, 0, 50);
  }
}

/** Looks `key` up in a bounded least-recently-used cache, making and storing the value when missing. */
function cached<V>(cache: Map<string, V>, key: string, make: () => V): V {
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const value = make();
  cache.set(key, value);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return value;
}
