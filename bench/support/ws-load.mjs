// Live traffic through the proxy, in its own process: an echo server, and ws clients that reach it
// through Framescope's explicit proxy. Each client keeps `inFlight` text messages of `size` bytes
// unanswered (sending the next on each echo), or sends one every `everyMs` ms. Every message starts
// with `t=<epoch ms> c=<connection> n=<number> ` so a page can tell how old a row is when it shows.
// Commands (peer-process.mjs): start, counts, halt (stop sending, wait for the echoes), stop.
import net from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { servePeer } from './peer-process.mjs';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
server.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
await new Promise((resolve) => server.once('listening', resolve));
const port = server.address().port;

/** @type {{ path: string, ws: WebSocket, sent: number, received: number, timer?: NodeJS.Timeout }[]} */
const clients = [];
let sending = false;
let options = { size: 64, inFlight: 1, everyMs: 0 };

function message(c, n) {
  const head = `t=${Date.now()} c=${c} n=${n} `;
  return head.length >= options.size ? head : head + 'x'.repeat(options.size - head.length);
}

function sendNext(client, c) {
  if (!sending || client.ws.readyState !== WebSocket.OPEN) return;
  client.ws.send(message(c, client.sent++));
}

function open(proxyPort, c) {
  const path = `/load/${c}`;
  const url = `ws://127.0.0.1:${port}${path}`;
  const ws = new WebSocket(url, {
    perMessageDeflate: false,
    createConnection: () => net.connect({ host: '127.0.0.1', port: proxyPort }),
    // An explicit proxy takes the whole URL as the request target.
    finishRequest: (req) => { req.path = url; req.end(); },
  });
  const client = { path, ws, sent: 0, received: 0 };
  ws.on('message', () => {
    client.received++;
    if (options.everyMs === 0) sendNext(client, c);
  });
  ws.on('error', () => {});
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('error', reject);
  });
}

const totals = () => clients.map((c) => ({ path: c.path, sent: c.sent, received: c.received }));

servePeer(port, {
  /** Opens the connections and starts sending. */
  start: async ({ proxyPort, connections, inFlight = 8, size = 64, everyMs = 0 }) => {
    options = { size, inFlight, everyMs };
    const opened = await Promise.all(Array.from({ length: connections }, (_, i) => open(proxyPort, clients.length + i)));
    const first = clients.length;
    clients.push(...opened);
    sending = true;
    opened.forEach((client, i) => {
      if (everyMs > 0) client.timer = setInterval(() => sendNext(client, first + i), everyMs);
      else for (let k = 0; k < inFlight; k++) sendNext(client, first + i);
    });
    return { connections: clients.length };
  },
  counts: () => totals(),
  /** Stops sending and resolves once every message sent has come back: the totals are final. */
  halt: async () => {
    sending = false;
    for (const c of clients) clearInterval(c.timer);
    while (clients.some((c) => c.received < c.sent && c.ws.readyState === WebSocket.OPEN)) await new Promise((r) => setTimeout(r, 20));
    return totals();
  },
}, async () => {
  sending = false;
  for (const c of clients) {
    clearInterval(c.timer);
    c.ws.terminate();
  }
  await new Promise((resolve) => server.close(resolve));
});
