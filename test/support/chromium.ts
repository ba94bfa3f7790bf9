// Debian's Chromium for tests: never a downloaded browser. The flags keep it off the closed network.
export const CHROMIUM = '/usr/bin/chromium';

export function chromiumArgs(options: { proxyPort?: number; extra?: string[] } = {}): string[] {
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];
  if (options.proxyPort !== undefined) {
    // Chromium bypasses proxies for loopback unless told not to.
    args.push(`--proxy-server=http://127.0.0.1:${options.proxyPort}`, '--proxy-bypass-list=<-loopback>');
  }
  return [...args, ...(options.extra ?? [])];
}
