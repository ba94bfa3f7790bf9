// `framescope ca`: shows the interception CA and how to trust it, creating it on first use.

import { parseArgs } from 'node:util';
import { caDir } from '../home.js';
import { CertificateAuthority } from '../proxy/certificate-authority.js';

const USAGE = `usage: framescope ca [--pem | --path]

Prints the certificate of Framescope's local certificate authority (created on first use), its
SPKI fingerprint, and how to make browsers, the operating system and Node apps trust it, so the
proxy can show https:// and wss:// traffic. FRAMESCOPE_HOME moves the CA with everything else.

options:
  --pem       print only the certificate (PEM)
  --path      print only the certificate's path
  -h, --help  show this help
`;

/** Where the command writes, and the environment it reads (the process's by default). */
export interface CaCommandIo {
  /** Receives the output. */
  stdout: { write(text: string): unknown };
  /** Receives errors and warnings. */
  stderr: { write(text: string): unknown };
  /** Read for FRAMESCOPE_HOME and the platform's home directories. */
  env: NodeJS.ProcessEnv;
}

export async function run(args: string[], io: CaCommandIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  let values: { pem?: boolean; path?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: { pem: { type: 'boolean' }, path: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    io.stderr.write(`framescope ca: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (values.pem && values.path) {
    io.stderr.write(`framescope ca: --pem and --path cannot be combined\n\n${USAGE}`);
    return 2;
  }

  const ca = CertificateAuthority.loadOrCreate(caDir(io.env));
  for (const warning of ca.warnings) io.stderr.write(`framescope ca: warning: ${warning}\n`);
  if (values.path) {
    io.stdout.write(`${ca.certPath}\n`);
    return 0;
  }
  if (values.pem) {
    io.stdout.write(ca.certPem);
    return 0;
  }
  if (ca.created) io.stderr.write(`framescope ca: created a new CA in ${caDir(io.env)}\n`);
  io.stdout.write(describeCa(ca));
  return 0;
}

/** The full report: path, fingerprint, PEM and the trust instructions with this CA's path filled in. */
function describeCa(ca: CertificateAuthority): string {
  const path = quote(ca.certPath);
  return `CA certificate: ${ca.certPath}
SPKI fingerprint (SHA-256, base64): ${ca.spkiFingerprint()}

${ca.certPem.trimEnd()}

Anyone holding this CA's key can impersonate any site to a client that trusts it. The key stays in
the same directory, readable by you only; trust the certificate on your own machine only.

How to trust it:
  A browser
    framescope browser [URL]   opens Chromium or Chrome through the proxy with this CA accepted,
                               in a temporary profile, with nothing to install.
    Or import ${path} as an authority in the browser's certificate settings
    (Chrome: Settings > Privacy and security > Security > Manage certificates;
     Firefox: Settings > Privacy & Security > Certificates > View Certificates > Authorities > Import).
  The operating system
    Debian/Ubuntu: sudo cp ${path} /usr/local/share/ca-certificates/framescope.crt && sudo update-ca-certificates
    Fedora/RHEL:   sudo cp ${path} /etc/pki/ca-trust/source/anchors/framescope.pem && sudo update-ca-trust
    macOS:         sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${path}
    Windows:       certutil -addstore -user Root ${path}   (or, as administrator: certutil -addstore Root ${path})
  Node apps
    NODE_EXTRA_CA_CERTS=${path} node app.js
`;
}

/** Quotes a path for pasting into a shell (cmd.exe on Windows) when it has spaces or shell characters. */
function quote(path: string): string {
  if (/^[\w@%+=:,./\\-]+$/.test(path)) return path;
  return process.platform === 'win32' ? `"${path}"` : `'${path.replace(/'/g, `'\\''`)}'`;
}
