// The command-line switches that point one Electron app (Chromium inside) at the proxy, for that app
// only: nothing is installed or trusted system-wide.

export interface ElectronArgumentOptions {
  /** The proxy as host:port. */
  proxy: string;
  /**
   * base64 SHA-256 SubjectPublicKeyInfo fingerprints whose certificates Chromium accepts: the leaves'
   * shared key (every host) and the CA's.
   */
  spkiFingerprints: readonly string[];
}

/** Switches placed before the app's own arguments. */
export function electronArguments(options: ElectronArgumentOptions): string[] {
  return [
    `--proxy-server=http://${options.proxy}`,
    // Chromium never proxies loopback unless told; "<-loopback>" removes that rule.
    '--proxy-bypass-list=<-loopback>',
    `--ignore-certificate-errors-spki-list=${options.spkiFingerprints.join(',')}`,
  ];
}
