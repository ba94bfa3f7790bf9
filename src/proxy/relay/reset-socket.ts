// An abrupt end for a peer's socket: a TCP reset where the socket can still send one.
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

export function resetOrDestroy(socket: Duplex): void {
  const s = socket as Partial<Socket> & Duplex;
  // A socket already shut down for writing cannot be reset (libuv answers EINVAL and Node then
  // never emits 'close'): it is destroyed instead.
  if (typeof s.resetAndDestroy === 'function' && !s.destroyed && !s.writableEnded) s.resetAndDestroy();
  else socket.destroy();
}
