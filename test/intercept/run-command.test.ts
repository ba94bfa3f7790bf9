// `framescope run` as a process: what it refuses, how it ends, what its command sees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateAuthority } from '../../src/proxy/certificate-authority.js';
import { launcherEnv, runFramescope } from './support/run-intercepted.js';

describe('framescope run (process)', () => {
  let home: string;
  let listener: Server;
  let proxy: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'framescope-run-cmd-'));
    // Only the launch's check that something listens matters here: nothing connects through it.
    listener = createServer((socket) => socket.destroy());
    listener.listen(0, '127.0.0.1');
    await once(listener, 'listening');
    proxy = `127.0.0.1:${(listener.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    listener.close();
    rmSync(home, { recursive: true, force: true });
  });

  const env = () => launcherEnv(home);

  it('refuses with 125, saying so, when no proxy listens there', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await runFramescope(['run', '--proxy', `127.0.0.1:${port}`, '--', 'true'], env());
    expect(result.code).toBe(125);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`framescope run: no Framescope proxy is listening on 127.0.0.1:${port}: start one (\`framescope proxy --port ${port}\` or \`framescope ui\`), or pass --proxy HOST:PORT\n`);
  });

  it("exits with the command's exit code", async () => {
    const result = await runFramescope(['run', '--proxy', proxy, '--', process.execPath, '-e', 'process.exit(7)'], env());
    expect(result).toMatchObject({ code: 7, signal: null, stderr: '' });
  });

  it('dies of the signal that ended the command', async () => {
    const result = await runFramescope(['run', '--proxy', proxy, '--', process.execPath, '-e', "process.kill(process.pid, 'SIGTERM')"], env());
    expect(result).toMatchObject({ code: null, signal: 'SIGTERM', stderr: '' });
  });

  it('says a command was not found and exits 127', async () => {
    const result = await runFramescope(['run', '--proxy', proxy, '--', 'framescope-no-such-command'], env());
    expect(result.code).toBe(127);
    expect(result.stderr).toBe('framescope run: framescope-no-such-command: command not found\n');
  });

  it('gives the command the proxy, the CA files (0600, the bundle ending with the CA) and the preload', async () => {
    const script = "const e = process.env; console.log(JSON.stringify([e.HTTPS_PROXY, e.no_proxy, e.NODE_EXTRA_CA_CERTS, e.SSL_CERT_FILE, e.NODE_OPTIONS, e.FRAMESCOPE_PROXY]))";
    const result = await runFramescope(['run', '--proxy', proxy, '--', process.execPath, '-e', script], env());
    expect(result.code).toBe(0);
    const [httpsProxy, noProxy, caPath, bundlePath, nodeOptions, framescopeProxy] = JSON.parse(result.stdout) as string[];
    expect(httpsProxy).toMatch(new RegExp(`^http://run\\.node:[0-9a-f]{8}@${proxy.replace(/\./g, '\\.')}$`));
    expect(framescopeProxy).toBe(httpsProxy);
    expect(noProxy).toBe('');
    expect(caPath).toBe(join(home, 'ca', 'ca.pem'));
    expect(bundlePath).toBe(join(home, 'intercept', 'ca-bundle.pem'));
    expect(statSync(bundlePath!).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'intercept')).mode & 0o777).toBe(0o700);
    const ca = CertificateAuthority.loadOrCreate(join(home, 'ca'));
    expect(readFileSync(bundlePath!, 'utf8').endsWith(`# Framescope's interception CA\n${ca.certPem}`)).toBe(true);
    expect(nodeOptions).toMatch(/^--require \S+\/dist\/src\/intercept\/node-preload\/preload\.cjs$/);
  });

  it("keeps the user's NODE_EXTRA_CA_CERTS: Node gets their certificates and the CA in one file", async () => {
    const theirs = join(home, 'company-ca.pem');
    const company = CertificateAuthority.loadOrCreate(join(home, 'company-ca'));
    writeFileSync(theirs, company.certPem, { mode: 0o600 });
    const result = await runFramescope(['run', '--proxy', proxy, '--', process.execPath, '-e', 'console.log(process.env.NODE_EXTRA_CA_CERTS)'], launcherEnv(home, { NODE_EXTRA_CA_CERTS: theirs }));
    const combined = join(home, 'intercept', 'node-extra-ca.pem');
    expect(result.stdout).toBe(`${combined}\n`);
    const ca = CertificateAuthority.loadOrCreate(join(home, 'ca'));
    expect(readFileSync(combined, 'utf8')).toBe(`${company.certPem.trimEnd()}\n\n# Framescope's interception CA\n${ca.certPem}`);
    expect(statSync(combined).mode & 0o777).toBe(0o600);
  });

  it('starts an Electron app with the proxy and the SPKI fingerprints of the leaves and the CA before its own arguments', async () => {
    const app = join(home, 'fake-electron-app');
    writeFileSync(app, '#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n', { mode: 0o700 });
    chmodSync(app, 0o700);
    const result = await runFramescope(['run', '--proxy', proxy, '--electron', app, '--', '--app-flag', 'file.txt'], env());
    const ca = CertificateAuthority.loadOrCreate(join(home, 'ca'));
    expect(result.code).toBe(0);
    expect(result.stdout).toBe([
      `--proxy-server=http://${proxy}`,
      '--proxy-bypass-list=<-loopback>',
      `--ignore-certificate-errors-spki-list=${ca.leafSpkiFingerprint()},${ca.spkiFingerprint()}`,
      '--app-flag',
      'file.txt',
      '',
    ].join('\n'));
  });
});
