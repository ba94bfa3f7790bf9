// Real peers for proxy tests: ws servers, ws clients through the proxy (absolute-form, CONNECT, reverse),
// and raw TCP peers that record every byte they receive.
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { WebSocket, WebSocketServer, type ClientOptions, type ServerOptions } from 'ws';
import { computeAccept } from '../../src/protocol/handshake.js';

export async function startWsServer(options: ServerOptions = {}): Promise<{ wss: WebSocketServer; port: number; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  if (!options.server && !options.noServer) await once(wss, 'listening');
  const port = options.server ? (options.server.address() as AddressInfo).port : (wss.address() as AddressInfo).port;
  return {
    wss,
    port,
    close: () => new Promise<void>((resolve) => {
      for (const client of wss.clients) client.terminate();
      wss.close(() => resolve());
    }),
  };
}

/** Opens a ws client that sends an absolute-form request (GET ws://host/path) to an explicit proxy. */
export function wsViaAbsoluteForm(proxyPort: number, url: string, options: ClientOptions = {}): WebSocket {
  return new WebSocket(url, {
    ...options,
    createConnection: () => net.connect({ host: '127.0.0.1', port: proxyPort }),
    finishRequest: (req) => {
      // ws writes origin-form; a client configured with an explicit proxy writes the whole URL.
      req.path = url;
      req.end();
    },
  } as ClientOptions);
}

/** Opens a CONNECT tunnel through the proxy; for TLS targets, a TLS session inside it. */
export async function connectTunnel(proxyPort: number, host: string, port: number, tlsOptions?: tls.ConnectionOptions): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port: proxyPort });
  await once(socket, 'connect');
  socket.write(`CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`);
  let buffered = '';
  while (!buffered.includes('\r\n\r\n')) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    buffered += chunk.toString('latin1');
  }
  if (!/^HTTP\/1\.1 200 /.test(buffered)) throw new Error(`CONNECT refused: ${buffered}`);
  if (!tlsOptions) return socket;
  const secure = tls.connect({ socket, servername: host, ...tlsOptions });
  await once(secure, 'secureConnect');
  return secure;
}

/** A ws client through a CONNECT tunnel (ws:// or wss://). */
export function wsViaConnect(proxyPort: number, url: string, options: ClientOptions & { tls?: tls.ConnectionOptions } = {}): WebSocket {
  const u = new URL(url);
  const secure = u.protocol === 'wss:';
  const port = Number(u.port || (secure ? 443 : 80));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new WebSocket(url, {
    ...options,
    createConnection: ((_opts: unknown, callback: (error: Error | null, socket?: net.Socket) => void) => {
      connectTunnel(proxyPort, host, port, secure ? options.tls ?? {} : undefined).then(
        (socket) => callback(null, socket),
        (error: Error) => callback(error),
      );
      return undefined;
    }) as unknown as ClientOptions['createConnection'],
  });
}

export function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`unexpected response ${res.statusCode}`)));
  });
}

export function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => ws.once('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary })));
}

export function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
}

/**
 * A raw WebSocket server: answers any upgrade with a valid 101, records every byte it receives after
 * the handshake, and lets the test write any bytes back. `responseHeaders` ("Name: value\r\n" lines) go
 * into every 101, e.g. to accept an extension.
 */
export async function startRawServer(responseHeaders = ''): Promise<{
  port: number;
  connections: RawPeer[];
  nextConnection(): Promise<RawPeer>;
  close(): Promise<void>;
}> {
  const connections: RawPeer[] = [];
  const waiting: ((peer: RawPeer) => void)[] = [];
  const server = net.createServer((socket) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const request = head.subarray(0, end).toString('latin1');
      const key = /sec-websocket-key:\s*(\S+)/i.exec(request)?.[1] ?? '';
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAccept(key)}\r\n${responseHeaders}\r\n`);
      const peer = new RawPeer(socket, request);
      peer.received(head.subarray(end + 4));
      connections.push(peer);
      const w = waiting.shift();
      if (w) w(peer);
    };
    socket.on('data', onData);
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    nextConnection: () => new Promise((resolve) => {
      const ready = connections.find((c) => !c.claimed);
      if (ready) { ready.claimed = true; resolve(ready); } else waiting.push((p) => { p.claimed = true; resolve(p); });
    }),
    close: () => new Promise((resolve) => {
      for (const c of connections) c.socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/** A raw socket peer that keeps every byte it receives. */
export class RawPeer {
  claimed = false;
  private chunks: Buffer[] = [];
  private waiters: { length: number; resolve: (b: Buffer) => void }[] = [];
  readonly ended: Promise<void>;

  constructor(readonly socket: net.Socket, readonly request = '') {
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    // A reset is part of what tests provoke; it shows as the socket closing.
    socket.on('error', () => {});
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  received(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    const all = this.bytes;
    this.waiters = this.waiters.filter((w) => {
      if (all.length >= w.length) { w.resolve(all); return false; }
      return true;
    });
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Removes and returns the first n bytes received (e.g. a handshake head). */
  take(n: number): Buffer {
    const all = this.bytes;
    this.chunks = n < all.length ? [all.subarray(n)] : [];
    return all.subarray(0, n);
  }

  /** Resolves once at least `length` bytes have arrived in all. */
  waitForBytes(length: number): Promise<Buffer> {
    if (this.bytes.length >= length) return Promise.resolve(this.bytes);
    return new Promise((resolve) => this.waiters.push({ length, resolve }));
  }
}

/** A raw client: sends an upgrade request (through the proxy as configured) and waits for the head. */
export async function rawClientHandshake(
  proxyPort: number,
  requestTarget: string,
  host: string,
): Promise<{ peer: RawPeer; responseHead: string }> {
  const socket = net.connect({ host: '127.0.0.1', port: proxyPort });
  await once(socket, 'connect');
  socket.write(
    `GET ${requestTarget} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const peer = new RawPeer(socket);
  let end = -1;
  while (end < 0) {
    await peer.waitForBytes(peer.bytes.length + 1);
    end = peer.bytes.indexOf('\r\n\r\n');
  }
  const responseHead = peer.take(end + 4).toString('latin1');
  return { peer, responseHead };
}

/** A client through the proxy that sends each text and waits for one answer to it, then closes with 1000. */
export async function converseThrough(proxyPort: number, url: string, texts: string[]): Promise<void> {
  const ws = wsViaAbsoluteForm(proxyPort, url);
  await opened(ws);
  for (const text of texts) {
    ws.send(text);
    await nextMessage(ws);
  }
  const done = closed(ws);
  ws.close(1000);
  await done;
}
