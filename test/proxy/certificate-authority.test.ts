import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import type { Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CA_CERT_FILE, CA_KEY_FILE, CertificateAuthority, LEAF_KEY_FILE } from '../../src/proxy/certificate-authority.js';

const homes: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'framescope-ca-test-'));
  homes.push(dir);
  return join(dir, 'ca');
}
afterAll(() => {
  for (const dir of homes) rmSync(dir, { recursive: true, force: true });
});

describe('CertificateAuthority.loadOrCreate', () => {
  let dir: string;
  let ca: CertificateAuthority;
  beforeAll(() => {
    dir = freshDir();
    ca = CertificateAuthority.loadOrCreate(dir);
  });

  it('creates ca.pem and ca-key.pem (both 0600) on first use', () => {
    expect(ca.created).toBe(true);
    expect(ca.certPath).toBe(join(dir, CA_CERT_FILE));
    expect(statSync(join(dir, CA_CERT_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, CA_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(readFileSync(ca.certPath, 'utf8')).toBe(ca.certPem);
    expect(ca.warnings).toEqual([]);
  });

  it('writes the certificate with LF line endings, as OpenSSL and ca-certificates expect', () => {
    expect(ca.certPem).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE-----\n$/);
  });

  it('creates its directory with mode 0700', () => {
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('makes a self-signed CA certificate limited to signing leaves, valid ten years from yesterday', () => {
    const cert = new X509Certificate(ca.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.subject).toMatch(/^CN=Framescope CA \(.+ \d{4}-\d{2}-\d{2}\)\nO=Framescope\nOU=local debugging proxy [0-9a-f]{8}$/);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const notBefore = Date.parse(cert.validFrom);
    const notAfter = Date.parse(cert.validTo);
    expect(Math.abs(notBefore - (Date.now() - 86_400_000))).toBeLessThan(120_000);
    expect((notAfter - notBefore) / (365.25 * 86_400_000)).toBeCloseTo(10, 1);
  });

  it('reuses the same CA on the second load', () => {
    const again = CertificateAuthority.loadOrCreate(dir);
    expect(again.created).toBe(false);
    expect(again.certPem).toBe(ca.certPem);
    expect(new X509Certificate(again.certPem).serialNumber).toBe(new X509Certificate(ca.certPem).serialNumber);
  });

  it('creates a different CA (serial, key and subject) in a different directory', () => {
    const other = CertificateAuthority.loadOrCreate(freshDir());
    const a = new X509Certificate(ca.certPem);
    const b = new X509Certificate(other.certPem);
    expect(b.serialNumber).not.toBe(a.serialNumber);
    expect(b.subject).not.toBe(a.subject);
    expect(other.spkiFingerprint()).not.toBe(ca.spkiFingerprint());
  });

  it('repairs a key file that other users can read, and says so', () => {
    const keyPath = join(dir, CA_KEY_FILE);
    chmodSync(keyPath, 0o644);
    const repaired = CertificateAuthority.loadOrCreate(dir);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(repaired.warnings).toEqual([`${keyPath} was accessible to other users (mode 0644); changed it to 0600`]);
    expect(CertificateAuthority.loadOrCreate(dir).warnings).toEqual([]);
  });

  it('makes a ca.pem that an earlier version left 0644 private, without a warning (it holds no secret)', () => {
    chmodSync(join(dir, CA_CERT_FILE), 0o644);
    const repaired = CertificateAuthority.loadOrCreate(dir);
    expect(statSync(join(dir, CA_CERT_FILE)).mode & 0o777).toBe(0o600);
    expect(repaired.warnings).toEqual([]);
  });

  it('replaces a key left without a certificate by a creation that died', () => {
    const other = freshDir();
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, CA_KEY_FILE), 'left over', { mode: 0o600 });
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(other, CA_KEY_FILE), anHourAgo, anHourAgo);
    const created = CertificateAuthority.loadOrCreate(other);
    expect(created.created).toBe(true);
    expect(readFileSync(join(other, CA_KEY_FILE), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('refuses a key that does not belong to the certificate', () => {
    const other = freshDir();
    CertificateAuthority.loadOrCreate(other);
    copyFileSync(join(dir, CA_KEY_FILE), join(other, CA_KEY_FILE));
    expect(() => CertificateAuthority.loadOrCreate(other)).toThrow(`${join(other, CA_KEY_FILE)} is not the key of ${join(other, CA_CERT_FILE)}; move both away to create a new CA`);
  });

  it('gives the base64 SHA-256 of the CA certificate SubjectPublicKeyInfo as its SPKI fingerprint', () => {
    const spki = createPublicKey(ca.certPem).export({ type: 'spki', format: 'der' });
    expect(ca.spkiFingerprint()).toBe(createHash('sha256').update(spki).digest('base64'));
  });

  it('gives the fingerprint of the key every leaf shares as the leaf SPKI fingerprint', () => {
    const spki = createPublicKey(ca.certificateFor('fingerprint.test').cert).export({ type: 'spki', format: 'der' });
    expect(ca.leafSpkiFingerprint()).toBe(createHash('sha256').update(spki).digest('base64'));
    expect(statSync(join(dir, LEAF_KEY_FILE)).mode & 0o777).toBe(0o600);
  });
});

describe('leaf certificates', () => {
  let ca: CertificateAuthority;
  let caCert: X509Certificate;
  beforeAll(() => {
    ca = CertificateAuthority.loadOrCreate(freshDir());
    caCert = new X509Certificate(ca.certPem);
  });

  function checkLeaf(hostname: string): X509Certificate {
    const leaf = new X509Certificate(ca.certificateFor(hostname).cert);
    expect(leaf.checkIssued(caCert)).toBe(true);
    expect(leaf.verify(caCert.publicKey)).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth
    return leaf;
  }

  it('issues a leaf for "localhost" with a DNS subjectAltName, signed by the CA', () => {
    const leaf = checkLeaf('localhost');
    expect(leaf.subjectAltName).toBe('DNS:localhost');
    expect(leaf.checkHost('localhost')).toBe('localhost');
  });

  it('issues a leaf for "127.0.0.1" with an IP subjectAltName, and localhost for clients that check that name', () => {
    const leaf = checkLeaf('127.0.0.1');
    expect(leaf.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost');
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  it('issues a leaf for "::1" with an IPv6 subjectAltName, brackets or not', () => {
    const leaf = checkLeaf('::1');
    expect(leaf.subjectAltName).toBe('IP Address:0:0:0:0:0:0:0:1, DNS:localhost');
    expect(leaf.checkIP('::1')).toBe('::1');
    expect(ca.certificateFor('[::1]')).toBe(ca.certificateFor('::1'));
  });

  it('is valid for about a year starting yesterday', () => {
    const leaf = checkLeaf('valid.test');
    const notBefore = Date.parse(leaf.validFrom);
    expect(Math.abs(notBefore - (Date.now() - 86_400_000))).toBeLessThan(120_000);
    expect((Date.parse(leaf.validTo) - notBefore) / 86_400_000).toBe(365);
  });

  it('caches one leaf per host, case and trailing dot ignored', () => {
    const first = ca.certificateFor('Cache.Example.');
    expect(ca.certificateFor('cache.example')).toBe(first);
    expect(ca.certificateFor('other.example').cert).not.toBe(first.cert);
  });

  it('caches one TLS context per host', () => {
    expect(ca.secureContextFor('CTX.example')).toBe(ca.secureContextFor('ctx.example'));
    expect(ca.secureContextFor('other-ctx.example')).not.toBe(ca.secureContextFor('ctx.example'));
  });

  it('uses one key for every leaf', () => {
    expect(ca.certificateFor('a.example').key).toBe(ca.certificateFor('b.example').key);
    expect(createPublicKey(ca.certificateFor('a.example').cert).export({ type: 'spki', format: 'der' }))
      .toEqual(createPublicKey(ca.certificateFor('b.example').cert).export({ type: 'spki', format: 'der' }));
  });

  it('gives each leaf a distinct serial', () => {
    const a = new X509Certificate(ca.certificateFor('serial-a.example').cert);
    const b = new X509Certificate(ca.certificateFor('serial-b.example').cert);
    expect(a.serialNumber).not.toBe(b.serialNumber);
  });

  it('refuses a name that is neither a host name nor an IP address', () => {
    expect(() => ca.certificateFor('bad host')).toThrow('cannot issue a certificate for "bad host": not a host name or IP address');
    expect(() => ca.certificateFor('')).toThrow('not a host name or IP address');
  });

  it('makes leaves for new hosts much faster than the first one, which creates the shared key', () => {
    const fresh = CertificateAuthority.loadOrCreate(freshDir());
    let start = performance.now();
    fresh.certificateFor('first.example');
    const firstMs = performance.now() - start;
    const hosts = Array.from({ length: 20 }, (_, i) => `host${i}.example`);
    start = performance.now();
    for (const host of hosts) fresh.certificateFor(host);
    const laterMs = (performance.now() - start) / hosts.length;
    console.log(`leaf timing: first (with key generation) ${firstMs.toFixed(1)} ms, later ${laterMs.toFixed(2)} ms each`);
    expect(new Set(hosts.map((h) => fresh.certificateFor(h).cert)).size).toBe(hosts.length);
  });
});

describe('TLS with the SNI callback', () => {
  let ca: CertificateAuthority;
  let server: Server;
  let port: number;
  beforeAll(async () => {
    ca = CertificateAuthority.loadOrCreate(freshDir());
    server = createServer({ SNICallback: ca.sniCallback }, (socket) => socket.end('hello'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function handshake(servername: string, trustCa: boolean): Promise<{ authorized: boolean; error: string | undefined; subjectAltName: string | undefined; issuerFingerprint: string | undefined }> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, servername, ...(trustCa ? { ca: ca.certPem } : {}), rejectUnauthorized: false }, () => {
        const peer = socket.getPeerCertificate(true);
        resolve({
          authorized: socket.authorized,
          error: socket.authorizationError ? String(socket.authorizationError) : undefined,
          subjectAltName: peer.subjectaltname,
          issuerFingerprint: peer.issuerCertificate?.fingerprint256,
        });
        socket.destroy();
      });
      socket.on('error', reject);
    });
  }

  it('serves a leaf for each requested name that verifies against the CA', async () => {
    for (const name of ['localhost', 'api.framescope.test']) {
      const result = await handshake(name, true);
      expect(result).toEqual({
        authorized: true,
        error: undefined,
        subjectAltName: `DNS:${name}`,
        issuerFingerprint: new X509Certificate(ca.certPem).fingerprint256,
      });
    }
  });

  // SELF_SIGNED_CERT_IN_CHAIN (not UNABLE_TO_VERIFY_LEAF_SIGNATURE) also shows the CA was sent after the leaf.
  it('fails verification when the client does not trust the CA', async () => {
    const result = await handshake('localhost', false);
    expect(result.authorized).toBe(false);
    expect(result.error).toBe('SELF_SIGNED_CERT_IN_CHAIN');
  });

  it('rejects the handshake when the name cannot get a certificate', async () => {
    await expect(handshake('bad_name!', true)).rejects.toThrow();
  });
});
