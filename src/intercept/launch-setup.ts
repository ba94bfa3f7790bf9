// What every launch prepares before it starts a client: the CA (created on first use), the trust files
// under FRAMESCOPE_HOME/intercept, a tag, and the environment built from them.

import { join } from 'node:path';
import { caDir, framescopeHome } from '../home.js';
import { CertificateAuthority } from '../proxy/certificate-authority.js';
import { SYSTEM_BUNDLES, systemRoots, writeCaBundle, writeJavaTruststore, writeNodeExtraCa } from './ca-bundle.js';
import { interceptVariables } from './intercept-environment.js';
import { newLaunchTag, type LaunchKind, type LaunchTag } from '../proxy/launch-tag.js';

export interface PreparedLaunch {
  /** The CA clients are made to trust. */
  ca: CertificateAuthority;
  /** This launch's tag. */
  tag: LaunchTag;
  /** The client's environment. */
  env: NodeJS.ProcessEnv;
  /** The interception variables alone (what env adds to the user's environment). */
  variables: Record<string, string>;
  /** Things the user should know (a CA key's mode repaired, Java without a truststore). */
  warnings: string[];
}

/** The directory holding the trust files made for launches (mode 0700). */
export function interceptDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(framescopeHome(env), 'intercept');
}

export function prepareLaunch(options: { proxy: string; kind: LaunchKind; program?: string; env?: NodeJS.ProcessEnv; java?: boolean }): PreparedLaunch {
  const base = options.env ?? process.env;
  const ca = CertificateAuthority.loadOrCreate(caDir(base));
  const warnings = [...ca.warnings];
  const dir = interceptDir(base);
  // The user's own trust stays: an SSL_CERT_FILE of theirs is the bundle's base, and certificates in a
  // NODE_EXTRA_CA_CERTS of theirs (a company CA) go into the file Node is given with Framescope's.
  const bundlePath = writeCaBundle(dir, ca.certPem, systemRoots([...(base.SSL_CERT_FILE ? [base.SSL_CERT_FILE] : []), ...SYSTEM_BUNDLES]));
  const nodeCaPath = writeNodeExtraCa(dir, ca, base.NODE_EXTRA_CA_CERTS);
  let javaTruststorePath: string | undefined;
  if (options.java !== false) {
    const truststore = writeJavaTruststore(dir, ca.certPath, ca.spkiFingerprint(), base);
    javaTruststorePath = truststore.path;
    if (truststore.problem) warnings.push(`Java gets the proxy but no truststore (${truststore.problem}): Java clients will refuse https:// and wss:// certificates`);
  }
  const tag = newLaunchTag(options.kind, options.program);
  const variables = interceptVariables({ proxy: options.proxy, tag, caCertPath: nodeCaPath, bundlePath, javaTruststorePath }, base);
  return { ca, tag, env: { ...base, ...variables }, variables, warnings };
}
