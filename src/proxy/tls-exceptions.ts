// Which upstreams are exempt from TLS certificate verification: the user's per-host opt-outs.
// A pattern is a host name or IP (`dev.local`, `127.0.0.1`, `::1`), optionally with a port
// (`dev.local:8443`, `[::1]:8443`), or `*.domain` for every subdomain of domain (not domain itself).

/** Why a pattern is not one, or undefined when it is. */
export function tlsExceptionProblem(pattern: string): string | undefined {
  if (typeof pattern !== 'string' || pattern.trim() === '') return 'is empty';
  if (pattern !== pattern.trim()) return 'has spaces around it';
  if (/[/?#@\s]/.test(pattern)) return 'is not a host (give a host name or IP, optionally with :port, not a URL)';
  const parsed = parsePattern(pattern);
  if (!parsed) return 'is not a host (give a host name or IP, optionally with :port)';
  if (parsed.port !== undefined && (parsed.port < 1 || parsed.port > 65535)) return 'has a port outside 1-65535';
  return undefined;
}

/** Whether an upstream at host:port matches any of the patterns. Invalid patterns match nothing. */
export function tlsExceptionMatches(patterns: readonly string[], host: string, port: number): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  return patterns.some((pattern) => {
    const parsed = parsePattern(pattern);
    if (!parsed || (parsed.port !== undefined && parsed.port !== port)) return false;
    if (parsed.host.startsWith('*.')) return name.endsWith(parsed.host.slice(1)) && name.length > parsed.host.length - 1;
    return name === parsed.host;
  });
}

function parsePattern(pattern: string): { host: string; port?: number } | undefined {
  // [v6]:port, [v6], a bare v6 address (two or more colons), or name[:port].
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(pattern);
  if (bracketed) return { host: bracketed[1]!.toLowerCase(), ...(bracketed[2] ? { port: Number(bracketed[2]) } : {}) };
  if (/^[0-9a-fA-F:.]+$/.test(pattern) && (pattern.match(/:/g) ?? []).length >= 2) return { host: pattern.toLowerCase() };
  const m = /^(\*\.)?([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)\.?(?::(\d{1,5}))?$/.exec(pattern);
  if (!m) return undefined;
  return { host: `${m[1] ?? ''}${m[2]!.toLowerCase()}`, ...(m[3] ? { port: Number(m[3]) } : {}) };
}
