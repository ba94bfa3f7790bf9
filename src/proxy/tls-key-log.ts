// The TLS secrets of intercepted connections, both legs (the client's TLS with the proxy, the proxy's TLS
// with the server), appended to a file in the NSS key log format that Wireshark reads
// (https://udn.realityripple.com/docs/Mozilla/Projects/NSS/Key_Log_Format): with it, a capture taken at
// the same time can be decrypted. Anyone who can read the file can decrypt that traffic, so it is created
// with mode 0600 (and set to 0600 when it existed).
import { chmodSync, closeSync, openSync, writeSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';

export class TlsKeyLog {
  private fd: number | null;
  private readonly attached = new WeakSet<TLSSocket>();
  private failed = false;

  /** Opens (creates, or appends to) the key log at path. Throws when it cannot be opened. */
  constructor(readonly path: string, private readonly onError: (message: string) => void = () => {}) {
    this.fd = openSync(path, 'a', 0o600);
    try {
      chmodSync(path, 0o600);
    } catch (error) {
      closeSync(this.fd);
      throw error;
    }
  }

  /** Writes this socket's secrets as its handshake produces them (Node's 'keylog' event). */
  attach(socket: TLSSocket): void {
    if (this.attached.has(socket)) return;
    this.attached.add(socket);
    socket.on('keylog', (line: Buffer) => this.write(line));
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }

  private write(line: Buffer): void {
    if (this.fd === null) return;
    try {
      // Each line arrives whole with its newline; one write keeps concurrent handshakes' lines apart.
      writeSync(this.fd, line);
    } catch (error) {
      // A failed write never touches the traffic; it is told once.
      if (!this.failed) this.onError(`cannot write the TLS key log ${this.path}: ${(error as Error).message}`);
      this.failed = true;
    }
  }
}
