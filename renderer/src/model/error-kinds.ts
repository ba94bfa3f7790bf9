// What an engine error is about, read from its one line: the kind of failure, the host it concerns
// and what the user can do about it. The log groups errors by kind and host, so a browser's background
// TLS traffic to a dozen hosts is a dozen lines that can be muted, not hundreds that bury the rest.

export type ErrorKind =
  | 'tls-client' | 'tls-upstream' | 'certificate' | 'dns' | 'refused' | 'reset' | 'timeout' | 'unreachable'
  | 'bad-request' | 'loop' | 'recording' | 'other';

export interface ErrorClass {
  kind: ErrorKind;
  /** The host it concerns (no port), or '' when none is named. */
  host: string;
}

/** A short name of each kind, for the log's group heads. */
export const KIND_LABELS: Record<ErrorKind, string> = {
  'tls-client': 'TLS with the client failed',
  'tls-upstream': 'Server certificate not verified',
  certificate: 'Cannot intercept TLS',
  dns: 'Host name does not resolve',
  refused: 'Connection refused',
  reset: 'Connection reset',
  timeout: 'Timed out',
  unreachable: 'Host unreachable',
  'bad-request': 'Not a valid request',
  loop: 'Proxy loop',
  recording: 'Recording',
  other: 'Error',
};

/** What the user can do, per kind. */
export const KIND_ADVICE: Record<ErrorKind, string> = {
  'tls-client': 'The client does not trust Framescope\'s CA for this host. Trust the CA (“How to connect” in the toolbar), or mute the host if this is the browser\'s own background traffic.',
  'tls-upstream': 'The server\'s certificate did not verify. If it is a development server you trust, turn verification off for this host in Settings.',
  certificate: 'Framescope could not make a certificate for this host. Check that the CA files in Framescope\'s home are readable.',
  dns: 'The host name does not resolve: check the URL for a typo, and the DNS or VPN this machine uses.',
  refused: 'Nothing accepts connections at that address: check that the server is running and the port is right.',
  reset: 'The other side dropped the connection. If it repeats, look at the server\'s logs.',
  timeout: 'The other side did not answer in time: check the network, or that the client really speaks to the proxy.',
  unreachable: 'There is no route to the host: check the network connection or VPN.',
  'bad-request': 'Something sent the proxy port data that is not an HTTP request: point only HTTP clients and browsers at the proxy.',
  loop: 'The proxy was asked to connect to itself. Check the client\'s proxy settings and the reverse upstream.',
  recording: 'Recording to disk had a problem: check the free space and the permissions of Framescope\'s home.',
  other: '',
};

/** Hosts that browsers talk to on their own (updates, safe browsing, sync): likely noise. */
const BACKGROUND_HOSTS = /(^|\.)(google\.com|googleapis\.com|gstatic\.com|gvt1\.com|gvt2\.com|googleusercontent\.com|mozilla\.(com|net|org)|firefox\.com|msftconnecttest\.com)$/i;

/** Whether a host is one a browser reaches by itself in the background. */
export function isBackgroundHost(host: string): boolean {
  return BACKGROUND_HOSTS.test(host);
}

/** The kind and host of an error line. */
export function classifyError(message: string): ErrorClass {
  return { kind: kindOf(message), host: hostOf(message) };
}

function kindOf(m: string): ErrorKind {
  if (/TLS (handshake )?with the client/i.test(m)) return 'tls-client';
  if (/certificate failed verification|CERT_|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(m)) return 'tls-upstream';
  if (/cannot intercept TLS|cannot make a certificate/i.test(m)) return 'certificate';
  if (/DNS lookup failed|ENOTFOUND|EAI_AGAIN/.test(m)) return 'dns';
  if (/refused the connection|ECONNREFUSED/.test(m)) return 'refused';
  if (/ECONNRESET|reset the connection|socket hang up/i.test(m)) return 'reset';
  if (/timed out|ETIMEDOUT|did not complete within|sent nothing within/i.test(m)) return 'timeout';
  if (/EHOSTUNREACH|ENETUNREACH|unreachable/i.test(m)) return 'unreachable';
  if (/\bloop\b|\b508\b/i.test(m)) return 'loop';
  if (/^bad request|HPE_|answered 40[08]|answered 41[45]|answered 431/i.test(m)) return 'bad-request';
  if (/recording|disk|budget|ENOSPC|EACCES|write/i.test(m)) return 'recording';
  return 'other';
}

/** A host or [IPv6] with an optional port. */
const HOST = String.raw`(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::\d+)?`;
const HOST_PATTERNS = [
  new RegExp(String.raw`(?:wss?|https?)://${HOST}`),
  new RegExp(String.raw`\bfor ${HOST}`),
  new RegExp(String.raw`\bupstream ${HOST}`),
  new RegExp(String.raw`\b(?:tunnel|TLS) to ${HOST}`),
  new RegExp(String.raw`\bENOTFOUND ${HOST}`),
  new RegExp(String.raw`\bfrom ${HOST}`),
];

function hostOf(m: string): string {
  for (const pattern of HOST_PATTERNS) {
    const match = pattern.exec(m);
    // A host has a dot (a name or IPv4), is bracketed (IPv6) or is localhost: "for 5 s" names none.
    const host = match?.[1];
    if (host && (/[.[]/.test(host) || host.toLowerCase() === 'localhost')) return host.replace(/^\[|\]$/g, '').toLowerCase();
  }
  return '';
}
