// The proxy's own short answers (502, 504, 400...): plain text saying what failed, then close.
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';

export function errorResponseBytes(status: number, message: string): Buffer {
  const body = Buffer.from(`Framescope: ${message}\n`, 'utf8');
  const head =
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    'Content-Type: text/plain; charset=utf-8\r\n' +
    `Content-Length: ${body.length}\r\n` +
    'Connection: close\r\n' +
    'X-Framescope-Error: 1\r\n\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** Writes a complete error response on a raw socket and closes it. */
export function writeErrorResponse(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return;
  socket.end(errorResponseBytes(status, message));
}
