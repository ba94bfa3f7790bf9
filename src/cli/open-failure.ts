// What `send` and `replay` say when a connection cannot be opened: what happened, to which host, and
// what to do, with the flag of the command at hand (never another command's).
import { OwnClientUnreachable } from '../proxy/own-client.js';

export function explainOpenFailure(command: 'send' | 'replay', url: string, error: unknown): string {
  if (!(error instanceof OwnClientUnreachable)) return `could not open ${url}: ${(error as Error).message}`;
  const host = hostOf(url);
  const code = /\(([A-Z0-9_]+)\)/.exec(error.reason)?.[1] ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return `could not open ${url}: nothing answered; ${host} refused the connection (ECONNREFUSED). Is the server running and listening on that port?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `could not open ${url}: the host name of ${host} could not be resolved (DNS, ${code}). Check the host name in the URL.`;
    case 'ETIMEDOUT':
      return `could not open ${url}: connecting to ${host} timed out (ETIMEDOUT). Check that the host is reachable from here (firewall, VPN).`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `could not open ${url}: ${host} is unreachable (${code}). Check the network route to it.`;
    case 'ECONNRESET':
      return `could not open ${url}: ${host} reset the connection (ECONNRESET). The server may not speak ${url.startsWith('wss:') ? 'TLS' : 'plain HTTP'} on that port.`;
  }
  if (/TLS|certificate/i.test(error.reason)) {
    return `could not open ${url}: the TLS certificate of ${host} failed verification${code ? ` (${code})` : ''}. If you trust this server, run framescope ${command} again with --insecure.`;
  }
  return `could not open ${url}: ${error.reason.replace(/; start the proxy with --insecure to accept it$/, '')}`;
}

function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return u.port ? u.host : `${u.host}:${u.protocol === 'wss:' ? 443 : 80}`;
  } catch {
    return url;
  }
}
