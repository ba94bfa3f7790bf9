import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/ca-command.js';
import { CertificateAuthority } from '../../src/proxy/certificate-authority.js';

const root = mkdtempSync(join(tmpdir(), 'framescope-ca-command-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function framescopeCa(args: string[], home: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { FRAMESCOPE_HOME: home },
  });
  return { code, stdout, stderr };
}

describe('framescope ca', () => {
  const home = join(root, 'home');
  const certPath = join(home, 'ca', 'ca.pem');
  let first: { code: number; stdout: string; stderr: string };
  beforeAll(async () => {
    first = await framescopeCa([], home);
  });

  it('creates the CA in FRAMESCOPE_HOME on first use and says so', () => {
    expect(first.code).toBe(0);
    expect(first.stderr).toBe(`framescope ca: created a new CA in ${join(home, 'ca')}\n`);
  });

  it('prints the certificate path, its SPKI fingerprint and its PEM', () => {
    const ca = CertificateAuthority.loadOrCreate(join(home, 'ca'));
    expect(first.stdout.startsWith(`CA certificate: ${certPath}\nSPKI fingerprint (SHA-256, base64): ${ca.spkiFingerprint()}\n\n${readFileSync(certPath, 'utf8')}`)).toBe(true);
  });

  it('prints how to trust the CA in a browser, the operating system and Node', () => {
    const lines = first.stdout.split('\n').map((line) => line.trim());
    expect(lines).toContain('framescope browser [URL]   opens Chromium or Chrome through the proxy with this CA accepted,');
    expect(lines).toContain(`Debian/Ubuntu: sudo cp ${certPath} /usr/local/share/ca-certificates/framescope.crt && sudo update-ca-certificates`);
    expect(lines).toContain(`macOS:         sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${certPath}`);
    expect(lines).toContain(`Windows:       certutil -addstore -user Root ${certPath}   (or, as administrator: certutil -addstore Root ${certPath})`);
    expect(lines).toContain(`NODE_EXTRA_CA_CERTS=${certPath} node app.js`);
  });

  it('reuses the CA on later runs without announcing it again', async () => {
    const again = await framescopeCa([], home);
    expect(again.stderr).toBe('');
    expect(again.stdout).toBe(first.stdout);
  });

  it('prints only the PEM with --pem', async () => {
    expect(await framescopeCa(['--pem'], home)).toEqual({ code: 0, stdout: readFileSync(certPath, 'utf8'), stderr: '' });
  });

  it('prints only the path with --path', async () => {
    expect(await framescopeCa(['--path'], home)).toEqual({ code: 0, stdout: `${certPath}\n`, stderr: '' });
  });

  it('quotes a path with spaces in the instructions', async () => {
    const spaced = join(root, 'my home');
    const result = await framescopeCa([], spaced);
    expect(result.stdout).toContain(`NODE_EXTRA_CA_CERTS='${join(spaced, 'ca', 'ca.pem')}' node app.js`);
  });

  it('shows its usage with --help', async () => {
    const result = await framescopeCa(['--help'], home);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith('usage: framescope ca [--pem | --path]\n')).toBe(true);
  });

  it('exits 2 on an unknown option or on --pem with --path', async () => {
    const unknown = await framescopeCa(['--bogus'], home);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.startsWith("framescope ca: Unknown option '--bogus'")).toBe(true);
    const both = await framescopeCa(['--pem', '--path'], home);
    expect(both.code).toBe(2);
    expect(both.stderr.startsWith('framescope ca: --pem and --path cannot be combined\n')).toBe(true);
  });
});
