// The servers launched clients talk to in the intercept tests, all on loopback over TLS with a
// certificate from an "upstream" CA that the clients do NOT trust: a client that succeeds can only
// have gone through Framescope (which trusts that CA and re-signs with its own, which the launch makes
// the client trust).
import http from 'node:http';
import https from 'node:https';
import { once } from 'node:events';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { Server as SocketIoServer } from 'socket.io';
import { CertificateAuthority } from '../../../src/proxy/certificate-authority.js';
import { encodeClosePayload, encodeFrameBytes } from '../../../src/protocol/frame-encoder.js';

export interface InterceptTargets {
  /** The upstream CA's PEM, for the proxy to trust. */
  upstreamCaPem: string;
  /** wss:// echo ("echo: " + message) at any path; GET /plain answers "plain over https", /firefox.html is a page that uses the echo; /raw is a hand-written upgrade for curl. */
  port: number;
  /** ws:// echo on plain HTTP, like a local dev server. */
  plainPort: number;
  /** socket.io over https: "greet" is answered through its acknowledgement with "hi, " + the argument. */
  socketIoPort: number;
  close(): Promise<void>;
}

async function listen(server: http.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** The bytes the /raw endpoint sends after its 101: a text frame, then a close frame (1000, "bye"). */
export const RAW_FRAMES = Buffer.concat([
  encodeFrameBytes({ opcode: 1, payload: 'hello curl' }),
  encodeFrameBytes({ opcode: 8, payload: encodeClosePayload(1000, 'bye') }),
]);

/** A page that opens wss://(its own host)/firefox, sends one message and closes after the echo. */
const FIREFOX_PAGE = `<!doctype html><title>waiting</title><script>
const ws = new WebSocket('wss://' + location.host + '/firefox');
ws.onopen = () => ws.send('hello from firefox');
ws.onmessage = (event) => { document.title = event.data; ws.close(1000, 'done'); };
</script>`;

export async function startInterceptTargets(home: string): Promise<InterceptTargets> {
  const upstreamCa = CertificateAuthority.loadOrCreate(join(home, 'upstream-ca'));
  const leaf = upstreamCa.certificateFor('127.0.0.1');
  const tlsOptions = { cert: leaf.cert, key: leaf.key, SNICallback: upstreamCa.sniCallback };

  const server = https.createServer(tlsOptions, (req, res) => {
    if (req.url === '/firefox.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(FIREFOX_PAGE);
      return;
    }
    res.writeHead(req.url === '/plain' ? 200 : 404, { 'content-type': 'text/plain' });
    res.end(req.url === '/plain' ? 'plain over https' : 'not found');
  });
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo: ${data.toString()}`)));
  server.on('upgrade', (req, socket, head) => {
    if (req.url === '/raw') {
      // A handshake answer that does not check the key: curl sends a fixed one.
      socket.end(Buffer.concat([Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n'), RAW_FRAMES]));
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  const port = await listen(server);

  const plainServer = http.createServer((_req, res) => res.end('plain http'));
  plainServer.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
  const plainPort = await listen(plainServer);

  const socketIoServer = https.createServer(tlsOptions);
  const io = new SocketIoServer(socketIoServer);
  io.on('connection', (socket) => socket.on('greet', (name: string, ack: (answer: string) => void) => ack(`hi, ${name}`)));
  const socketIoPort = await listen(socketIoServer);

  return {
    upstreamCaPem: upstreamCa.certPem,
    port,
    plainPort,
    socketIoPort,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      io.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => socketIoServer.close(() => resolve()));
      plainServer.closeAllConnections();
      await new Promise<void>((resolve) => plainServer.close(() => resolve()));
    },
  };
}
