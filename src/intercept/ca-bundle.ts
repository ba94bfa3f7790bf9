// The trust files that clients outside Node read: a PEM bundle (the system's roots plus Framescope's CA)
// for SSL_CERT_FILE, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE and GIT_SSL_CAINFO, and for Java a PKCS#12
// truststore. Both are replaced (written beside, then renamed) on every launch, so a launch never reads
// a half-written file and always trusts the CA that exists now. Files 0600, the directory 0700.

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { rootCertificates } from 'node:tls';

/** Where the operating system keeps its PEM bundle, in the order tried (Debian, Fedora, Alpine/macOS, openSUSE). */
export const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem', '/etc/ssl/ca-bundle.pem'];

/** The truststore's password: Java requires one, and the store holds public certificates only. */
export const JAVA_TRUSTSTORE_PASSWORD = 'framescope';

/** The system's roots as PEM, and where they came from (Node's own Mozilla list when no file is found). */
export function systemRoots(candidates: readonly string[] = SYSTEM_BUNDLES): { pem: string; source: string } {
  for (const path of candidates) {
    try {
      const pem = readFileSync(path, 'utf8');
      if (pem.includes('-----BEGIN CERTIFICATE-----')) return { pem, source: path };
    } catch {
      // Not on this system: try the next.
    }
  }
  return { pem: rootCertificates.join('\n'), source: "Node's built-in root certificates" };
}

/** Writes `dir`/ca-bundle.pem (the system roots, then the CA) and returns its path. */
export function writeCaBundle(dir: string, caPem: string, roots = systemRoots()): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, 'ca-bundle.pem');
  const body = `${roots.pem.trimEnd()}\n\n# Framescope's interception CA\n${caPem.trimEnd()}\n`;
  replaceFile(path, (temporary) => writeFileSync(temporary, body, { mode: 0o600, flag: 'wx' }));
  return path;
}

/**
 * The file for NODE_EXTRA_CA_CERTS and DENO_CERT: the CA's own file, or, when the user already had a
 * NODE_EXTRA_CA_CERTS file (Node reads only one), `dir`/node-extra-ca.pem with theirs and the CA.
 */
export function writeNodeExtraCa(dir: string, ca: { certPath: string; certPem: string }, userFile: string | undefined): string {
  if (!userFile || userFile === ca.certPath || userFile === join(dir, 'node-extra-ca.pem')) return ca.certPath;
  let theirs: string;
  try {
    theirs = readFileSync(userFile, 'utf8');
  } catch {
    return ca.certPath;
  }
  const path = join(dir, 'node-extra-ca.pem');
  replaceFile(path, (temporary) => writeFileSync(temporary, `${theirs.trimEnd()}\n\n# Framescope's interception CA\n${ca.certPem.trimEnd()}\n`, { mode: 0o600, flag: 'wx' }));
  return path;
}

/**
 * The PKCS#12 truststore holding the CA, `dir`/java-truststore-<CA fingerprint>.p12, made with keytool
 * the first time (a JVM start takes seconds, so it is kept for the next launches). Returns its path, or
 * the problem when keytool is not on PATH or fails, so the caller can say Java is not set up.
 */
export function writeJavaTruststore(dir: string, caCertPath: string, caFingerprint: string, env: NodeJS.ProcessEnv = process.env): { path?: string; problem?: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `java-truststore-${Buffer.from(caFingerprint, 'base64').toString('hex').slice(0, 16)}.p12`);
  if (existsSync(path)) return { path };
  let problem: string | undefined;
  replaceFile(path, (temporary) => {
    const result = spawnSync('keytool', [
      '-importcert', '-noprompt', '-alias', 'framescope-ca', '-file', caCertPath,
      '-keystore', temporary, '-storetype', 'PKCS12', '-storepass', JAVA_TRUSTSTORE_PASSWORD,
    ], { env, encoding: 'utf8', timeout: 60_000 });
    if (result.error || result.status !== 0) {
      problem = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
        ? 'keytool is not on PATH'
        : `keytool failed: ${(result.error?.message ?? result.stderr ?? '').trim() || `exit ${result.status}`}`;
      throw new SkipReplace();
    }
    chmodSync(temporary, 0o600);
  });
  return problem ? { problem } : { path };
}

class SkipReplace extends Error {}

/** Makes the new content at a temporary name beside `path`, then renames it over `path`. */
function replaceFile(path: string, make: (temporary: string) => void): void {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    make(temporary);
    renameSync(temporary, path);
  } catch (error) {
    if (!(error instanceof SkipReplace)) throw error;
  } finally {
    if (existsSync(temporary)) rmSync(temporary, { force: true });
  }
}
