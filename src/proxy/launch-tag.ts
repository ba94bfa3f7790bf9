// Each launch (a `framescope run`, a shell, a browser) gets a tag that travels in the proxy URL's user
// info: http://run.node:5f2c9a1b@127.0.0.1:8080. Clients that take their proxy from that URL (curl,
// Python, Go, git, the Node preload) send it as Proxy-Authorization: Basic on every CONNECT and
// absolute-form request, and the engine tells from it which launch a connection came from. The proxy
// never asks for credentials, so a client that drops the user info still works, only untagged.

import { randomBytes } from 'node:crypto';

/** The ways Framescope launches clients. */
export const LAUNCH_KINDS = ['run', 'shell', 'firefox', 'chromium', 'electron'] as const;
export type LaunchKind = (typeof LAUNCH_KINDS)[number];

/** Which launch a connection came from. */
export interface LaunchTag {
  /** How it was launched. */
  kind: LaunchKind;
  /** What was launched, as a short name (the program's base name), when known. */
  program?: string;
  /** Random, per launch: two runs of the same program are told apart. */
  id: string;
}

/** A fresh tag for a launch of `program` (a path or a name; only its base name is kept). */
export function newLaunchTag(kind: LaunchKind, program?: string): LaunchTag {
  const name = program?.split(/[\\/]/).pop()?.toLowerCase().replace(/\.(exe|cmd|bat)$/, '').replace(/[^a-z0-9_-]/g, '').slice(0, 32);
  return { kind, ...(name ? { program: name } : {}), id: randomBytes(4).toString('hex') };
}

/** The proxy URL that carries the tag: http://kind.program:id@host:port. */
export function taggedProxyUrl(proxy: string, tag: LaunchTag): string {
  const user = tag.program ? `${tag.kind}.${tag.program}` : tag.kind;
  return `http://${user}:${tag.id}@${proxy}`;
}

/** Reads the tag back from a Proxy-Authorization header; undefined for anything else. */
export function launchTagFromAuthorization(header: string | undefined): LaunchTag | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]{1,200})$/i.exec(header?.trim() ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const credentials = /^([a-z]+)(?:\.([a-z0-9_-]{1,32}))?:([0-9a-f]{8})$/.exec(decoded);
  if (!credentials || !(LAUNCH_KINDS as readonly string[]).includes(credentials[1]!)) return undefined;
  return { kind: credentials[1] as LaunchKind, ...(credentials[2] ? { program: credentials[2] } : {}), id: credentials[3]! };
}
