// What `framescope browser` checks before it opens Chromium or Firefox: the CA (its warnings said) and
// whether anything listens on the proxy (a warning only: the user may start it next).
import { caDir } from '../home.js';
import { CertificateAuthority } from '../proxy/certificate-authority.js';
import { acceptsConnections } from '../intercept/proxy-probe.js';

export async function browserPreflight(proxy: string, io: { stderr: { write(text: string): unknown }; env: NodeJS.ProcessEnv }): Promise<CertificateAuthority> {
  const ca = CertificateAuthority.loadOrCreate(caDir(io.env));
  for (const warning of ca.warnings) io.stderr.write(`framescope browser: warning: ${warning}\n`);
  if (!(await acceptsConnections(proxy))) {
    io.stderr.write(`framescope browser: warning: nothing is listening on ${proxy}; start \`framescope proxy\` (or pass --proxy) or pages will not load\n`);
  }
  return ca;
}
