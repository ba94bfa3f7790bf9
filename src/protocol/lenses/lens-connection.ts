// What a lens sees of a connection, built from the recorded handshake: the request target, the
// subprotocols the client offered (Sec-WebSocket-Protocol, RFC 6455 §4.1, possibly over several
// header lines) and the one the server chose.
import type { LensConnection } from './lens.js';

/** rawHeaders: [name, value, name, value, ...] as on the wire. */
export function lensConnectionOf(target: string, requestRawHeaders: readonly string[], subprotocol?: string): LensConnection {
  const offered: string[] = [];
  for (let i = 0; i + 1 < requestRawHeaders.length; i += 2) {
    if (requestRawHeaders[i]!.toLowerCase() !== 'sec-websocket-protocol') continue;
    for (const token of requestRawHeaders[i + 1]!.split(',')) {
      const trimmed = token.trim();
      if (trimmed !== '') offered.push(trimmed);
    }
  }
  return { target, offeredSubprotocols: offered, ...(subprotocol ? { subprotocol } : {}) };
}

/** The path and query of a target in origin-form or absolute-form (`ws://host/path?q`). */
export function targetPathAndQuery(target: string): { path: string; query: URLSearchParams } {
  let rest = target;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length);
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const path = (q >= 0 ? rest.slice(0, q) : rest) || '/';
  let query: URLSearchParams;
  try {
    query = new URLSearchParams(q >= 0 ? rest.slice(q + 1) : '');
  } catch {
    query = new URLSearchParams();
  }
  return { path, query };
}

/** Whether a connection offered or chose a subprotocol (compared without case, as RFC 6455 tokens are). */
export function speaksSubprotocol(connection: LensConnection, ...names: string[]): 'chosen' | 'offered' | false {
  const wanted = names.map((n) => n.toLowerCase());
  if (connection.subprotocol && wanted.includes(connection.subprotocol.toLowerCase())) return 'chosen';
  if (connection.offeredSubprotocols.some((p) => wanted.includes(p.toLowerCase()))) return 'offered';
  return false;
}
