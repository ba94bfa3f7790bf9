// Raw bytes to a listener and everything it answers, for inputs no HTTP client would send.
import net from 'node:net';

export interface RawExchange {
  /** Every byte the listener sent back. */
  answer: Buffer;
  /** The listener closed the connection (rather than the time limit ending the exchange). */
  closed: boolean;
}

/**
 * Connects, writes the bytes (in one write, or chunk by chunk), and collects the answer until the
 * listener closes the connection or `limit` ms pass.
 */
export function rawExchange(port: number, data: Buffer | string | (Buffer | string)[], limit = 10_000): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer: Buffer.concat(chunks), closed });
    };
    const timer = setTimeout(() => finish(false), limit);
    socket.on('connect', () => {
      for (const part of Array.isArray(data) ? data : [data]) socket.write(part);
    });
    socket.on('data', (d: Buffer) => chunks.push(d));
    // A listener that answers and closes while we still write may reset; what it sent still counts.
    socket.on('error', () => finish(true));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
  });
}

/** The status line of an answer ("HTTP/1.1 400 Bad Request"), or '' when there was none. */
export function statusLine(answer: Buffer): string {
  const text = answer.toString('latin1');
  const end = text.indexOf('\r\n');
  return end < 0 ? '' : text.slice(0, end);
}
