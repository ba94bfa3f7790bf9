// Opening the proxy's own connection to the real server: TCP or TLS, with a timeout, and failures
// turned into the status and one-line text the client is answered with.
import net from 'node:net';
import tls from 'node:tls';
import type { UpstreamTls } from '../capture/capture-model.js';

export interface UpstreamTarget {
  /** Host name or IP literal (no brackets). */
  host: string;
  port: number;
  /** Speak TLS to the upstream (wss:// and https://). */
  secure: boolean;
}

export interface UpstreamOptions {
  /** Skip certificate verification (--insecure); the outcome is still recorded. */
  insecure: boolean;
  /** Milliseconds to wait for TCP and TLS to be established. */
  connectTimeout: number;
  /** Extra roots to trust (tests, corporate CAs). */
  ca?: string | string[];
  /** Told of the socket as soon as it exists (the proxy tracks its own sockets to detect loops). */
  onSocket?: (socket: net.Socket) => void;
}

export interface UpstreamConnection {
  socket: net.Socket;
  /** address:port of the server. */
  remoteAddress: string;
  /** TLS facts for secure targets. */
  tls?: UpstreamTls;
}

/** A failure to reach the upstream, with the HTTP status the client gets for it. */
export class UpstreamError extends Error {
  constructor(
    message: string,
    /** 502 for refused, DNS and TLS failures; 504 for time-outs; 508 for a loop back to the proxy. */
    readonly status: 502 | 504 | 508,
    /** The Node error code, when there was one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

export function connectUpstream(target: UpstreamTarget, options: UpstreamOptions): Promise<UpstreamConnection> {
  return new Promise((resolve, reject) => {
    const where = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
    let socket: net.Socket;
    if (target.secure) {
      socket = tls.connect({
        host: target.host,
        port: target.port,
        // SNI is for host names only (RFC 6066 §3).
        servername: net.isIP(target.host) ? undefined : target.host,
        ALPNProtocols: ['http/1.1'],
        rejectUnauthorized: !options.insecure,
        ca: options.ca ? [...tls.rootCertificates, ...[options.ca].flat()] : undefined,
      });
    } else {
      socket = net.connect({ host: target.host, port: target.port });
    }
    socket.setNoDelay(true);
    options.onSocket?.(socket);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new UpstreamError(`upstream ${where} did not answer within ${options.connectTimeout} ms`, 504, 'ETIMEDOUT'));
    }, options.connectTimeout);
    const fail = (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(describeFailure(error, where, target.secure));
    };
    socket.once('error', fail);
    socket.once(target.secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      const connection: UpstreamConnection = {
        socket,
        remoteAddress: formatSocketAddress(socket.remoteAddress, socket.remotePort),
      };
      if (socket instanceof tls.TLSSocket) {
        const error = socket.authorizationError;
        connection.tls = {
          verified: socket.authorized,
          insecure: options.insecure,
          ...(error ? { error: String((error as NodeJS.ErrnoException).code ?? error) } : {}),
        };
      }
      resolve(connection);
    });
  });
}

/** address:port, with IPv6 addresses in brackets ([::1]:443) so the port stays unambiguous. */
export function formatSocketAddress(address: string | undefined, port: number | undefined): string {
  const host = address ?? 'unknown';
  return `${host.includes(':') ? `[${host}]` : host}:${port ?? 0}`;
}

/** A connection failure as the one line that is recorded and answered, naming host:port. */
export function describeFailure(error: NodeJS.ErrnoException, where: string, secure: boolean): UpstreamError {
  const code = error.code ?? '';
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UpstreamError(`DNS lookup failed for ${where} (${code})`, 502, code);
    case 'ECONNREFUSED':
      return new UpstreamError(`upstream ${where} refused the connection (ECONNREFUSED)`, 502, code);
    case 'ECONNRESET':
      return new UpstreamError(`upstream ${where} reset the connection (ECONNRESET)`, 502, code);
    case 'ETIMEDOUT':
      return new UpstreamError(`connecting to upstream ${where} timed out (ETIMEDOUT)`, 504, code);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new UpstreamError(`upstream ${where} is unreachable (${code})`, 502, code);
  }
  if (secure && (code.includes('CERT') || code.includes('SELF_SIGNED') || code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code.startsWith('UNABLE_TO'))) {
    return new UpstreamError(
      `upstream ${where} TLS certificate failed verification (${code}); start the proxy with --insecure to accept it`,
      502,
      code,
    );
  }
  return new UpstreamError(`could not connect to upstream ${where}: ${error.message}${code ? ` (${code})` : ''}`, 502, code || undefined);
}
