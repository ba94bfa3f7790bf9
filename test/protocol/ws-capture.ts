// Test helper: a real ws client and server talking on loopback through a TCP tap that records the bytes
// each way, so the decoder can be checked against what a real peer put on the wire.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { PerMessageDeflateOptions } from 'ws';

/** One message to send: a string goes as text, a Buffer as binary; parts are sent as fragments. */
export type ScriptedMessage = string | Buffer | { parts: (string | Buffer)[] };

export interface WsExchangeOptions {
  /** The server's permessage-deflate options, or false. */
  serverDeflate: PerMessageDeflateOptions | false;
  /** The client's permessage-deflate options, or false. */
  clientDeflate: PerMessageDeflateOptions | false;
  /** Messages the client sends, in order. */
  clientSends: ScriptedMessage[];
  /** Messages the server sends, in order. */
  serverSends: ScriptedMessage[];
}

export interface WsExchange {
  /** Frame bytes from client to server (after the HTTP handshake), close frame included. */
  clientToServer: Buffer;
  /** Frame bytes from server to client (after the HTTP handshake), close frame included. */
  serverToClient: Buffer;
  /** The server's Sec-WebSocket-Extensions response header, if any. */
  responseExtensions: string | undefined;
  /** What the server received, as ws delivered it (text as string). */
  serverReceived: (string | Buffer)[];
  /** What the client received, as ws delivered it (text as string). */
  clientReceived: (string | Buffer)[];
}

function send(socket: WebSocket, message: ScriptedMessage): void {
  if (typeof message === 'string' || Buffer.isBuffer(message)) {
    socket.send(message, { binary: typeof message !== 'string' });
    return;
  }
  const binary = typeof message.parts[0] !== 'string';
  message.parts.forEach((part, i) => socket.send(part, { binary, fin: i === message.parts.length - 1 }));
}

function collect(socket: WebSocket, into: (string | Buffer)[], count: number, done: () => void): void {
  if (count === 0) done();
  socket.on('message', (data, isBinary) => {
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
    into.push(isBinary ? buffer : buffer.toString('utf8'));
    if (into.length === count) done();
  });
}

/** Splits a captured stream into the HTTP head and the frame bytes after it. */
function afterHead(stream: Buffer): { head: string; frames: Buffer } {
  const end = stream.indexOf('\r\n\r\n');
  if (end < 0) throw new Error('no HTTP head in the captured stream');
  return { head: stream.subarray(0, end).toString('latin1'), frames: stream.subarray(end + 4) };
}

/** Runs the exchange: both sides send their messages, wait for the other's, then the client closes. */
export async function captureWsExchange(options: WsExchangeOptions): Promise<WsExchange> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: options.serverDeflate });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const serverPort = (server.address() as AddressInfo).port;

  const toServer: Buffer[] = [];
  const toClient: Buffer[] = [];
  const tapClosed: Promise<void>[] = [];
  const tap = net.createServer((downstream) => {
    const upstream = net.connect(serverPort, '127.0.0.1');
    downstream.on('data', (d) => { toServer.push(d); upstream.write(d); });
    upstream.on('data', (d) => { toClient.push(d); downstream.write(d); });
    downstream.on('end', () => upstream.end());
    upstream.on('end', () => downstream.end());
    tapClosed.push(new Promise((resolve) => upstream.on('close', () => resolve())));
  });
  await new Promise<void>((resolve) => tap.listen(0, '127.0.0.1', resolve));
  const tapPort = (tap.address() as AddressInfo).port;

  const serverReceived: (string | Buffer)[] = [];
  const clientReceived: (string | Buffer)[] = [];
  try {
    const serverSide = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
    const client = new WebSocket(`ws://127.0.0.1:${tapPort}/`, { perMessageDeflate: options.clientDeflate });
    const peer = await serverSide;
    const serverGotAll = new Promise<void>((resolve) => collect(peer, serverReceived, options.clientSends.length, resolve));
    const clientGotAll = new Promise<void>((resolve) => collect(client, clientReceived, options.serverSends.length, resolve));
    await new Promise<void>((resolve, reject) => {
      client.once('open', resolve);
      client.once('error', reject);
    });
    for (const message of options.serverSends) send(peer, message);
    for (const message of options.clientSends) send(client, message);
    await Promise.all([serverGotAll, clientGotAll]);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.close(1000, 'done');
    await closed;
    await Promise.all(tapClosed);
  } finally {
    await new Promise<void>((resolve) => tap.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  const request = afterHead(Buffer.concat(toServer));
  const response = afterHead(Buffer.concat(toClient));
  const extensions = /^sec-websocket-extensions:\s*(.*)$/im.exec(response.head)?.[1]?.trim();
  return {
    clientToServer: request.frames,
    serverToClient: response.frames,
    responseExtensions: extensions,
    serverReceived,
    clientReceived,
  };
}
