// The environment a launched client runs in: every proxy variable pointing at Framescope (loopback
// included), every trust variable naming its CA, Node's preload, and Java's system properties.

import { fileURLToPath } from 'node:url';
import type { LaunchTag } from '../proxy/launch-tag.js';
import { taggedProxyUrl } from '../proxy/launch-tag.js';
import { JAVA_TRUSTSTORE_PASSWORD } from './ca-bundle.js';

/** The Node preload (compiled from node-preload/preload.cts). */
export const NODE_PRELOAD_PATH = fileURLToPath(new URL('./node-preload/preload.cjs', import.meta.url));

/** Proxy variables, upper and lower case: curl reads only lowercase http_proxy, Go and Python read both. */
export const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy'] as const;
/** Emptied: a NO_PROXY inherited from the user's shell (often "localhost,127.0.0.1") would keep loopback direct. */
export const NO_PROXY_VARIABLES = ['NO_PROXY', 'no_proxy'] as const;
/** Read by OpenSSL (Python's ssl, Ruby, PHP), requests, curl and git: each is given the bundle with the system roots. */
export const BUNDLE_VARIABLES = ['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'GIT_SSL_CAINFO'] as const;
/** Read by Node and Deno, which add the file's certificates to their own roots: the CA alone. */
export const CA_VARIABLES = ['NODE_EXTRA_CA_CERTS', 'DENO_CERT'] as const;

export interface InterceptEnvironmentOptions {
  /** The proxy as host:port. */
  proxy: string;
  /** The launch's tag, sent as proxy credentials. */
  tag: LaunchTag;
  /** The CA certificate's path. */
  caCertPath: string;
  /** The PEM bundle (system roots plus the CA). */
  bundlePath: string;
  /** The Java truststore, when keytool could make one. */
  javaTruststorePath?: string;
  /** The Node preload's path (default: the compiled one beside this module). */
  preloadPath?: string;
}

/** The variables to set (an empty string means set to empty) on top of the user's environment. */
export function interceptVariables(options: InterceptEnvironmentOptions, base: NodeJS.ProcessEnv): Record<string, string> {
  const proxyUrl = taggedProxyUrl(options.proxy, options.tag);
  const variables: Record<string, string> = {};
  for (const name of PROXY_VARIABLES) variables[name] = proxyUrl;
  for (const name of NO_PROXY_VARIABLES) variables[name] = '';
  for (const name of BUNDLE_VARIABLES) variables[name] = options.bundlePath;
  for (const name of CA_VARIABLES) variables[name] = options.caCertPath;
  variables.FRAMESCOPE_PROXY = proxyUrl;
  variables.NODE_OPTIONS = withOption(base.NODE_OPTIONS, `--require ${quoteNodeOption(options.preloadPath ?? NODE_PRELOAD_PATH)}`);
  variables.JAVA_TOOL_OPTIONS = withOption(base.JAVA_TOOL_OPTIONS, javaOptions(options));
  return variables;
}

/**
 * Java's proxy and trust system properties. http.nonProxyHosts is set empty because Java's default
 * (localhost|127.*|[::1]) keeps loopback direct. Without a truststore (no keytool), Java gets the
 * proxy but will refuse Framescope's certificates for https:// and wss://.
 */
export function javaOptions(options: Pick<InterceptEnvironmentOptions, 'proxy' | 'javaTruststorePath'>): string {
  const separator = options.proxy.lastIndexOf(':');
  const host = options.proxy.slice(0, separator).replace(/^\[(.*)\]$/, '$1');
  const port = options.proxy.slice(separator + 1);
  const properties = [
    `-Dhttp.proxyHost=${host}`, `-Dhttp.proxyPort=${port}`,
    `-Dhttps.proxyHost=${host}`, `-Dhttps.proxyPort=${port}`,
    '-Dhttp.nonProxyHosts=',
  ];
  if (options.javaTruststorePath) {
    properties.push(
      `-Djavax.net.ssl.trustStore=${javaQuote(options.javaTruststorePath)}`,
      '-Djavax.net.ssl.trustStoreType=PKCS12',
      `-Djavax.net.ssl.trustStorePassword=${JAVA_TRUSTSTORE_PASSWORD}`,
    );
  }
  return properties.join(' ');
}

/** Appends `option` to an options variable, once. */
function withOption(existing: string | undefined, option: string): string {
  if (!existing?.trim()) return option;
  return existing.includes(option) ? existing : `${existing} ${option}`;
}

/** NODE_OPTIONS takes double-quoted values with backslash escapes for paths with spaces. */
export function quoteNodeOption(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

/** JAVA_TOOL_OPTIONS splits on white space and honours double quotes (JDK 9 and later). */
function javaQuote(value: string): string {
  return /\s/.test(value) ? `"${value}"` : value;
}
