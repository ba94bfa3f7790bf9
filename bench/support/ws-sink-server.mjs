// The benchmark's WebSocket server (the `ws` package), in its own process.
//   /echo                   sends every message back as it came (the latency figure).
//   /sink?ack=K&size=N      counts messages and answers every K-th with the running count as text;
//                           the client keeps a bounded number unacknowledged (the throughput figure).
//   /socket.io/?...&ack=K&size=N   the same, at the path Socket.IO's clients use (the lens bench)
// Any message on /sink whose length is not N is counted as wrong: the relays must not lose bytes.
import { WebSocketServer } from 'ws';
import { servePeer } from './peer-process.mjs';

const received = { messages: 0, bytes: 0, wrongSize: 0 };
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });

wss.on('connection', (ws, req) => {
  const url = new URL(req.url ?? '/', 'http://bench');
  if (url.pathname === '/echo') {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  } else if (url.pathname === '/sink' || url.pathname === '/socket.io/') {
    const ack = Number(url.searchParams.get('ack'));
    const size = Number(url.searchParams.get('size'));
    let count = 0;
    ws.on('message', (data) => {
      count++;
      received.messages++;
      received.bytes += data.length;
      if (data.length !== size) received.wrongSize++;
      if (count % ack === 0) ws.send(String(count));
    });
  } else {
    ws.close(1008, 'unknown path');
  }
});

await new Promise((resolve) => wss.once('listening', resolve));
servePeer(wss.address().port, { received: () => ({ ...received }) }, () => {
  for (const client of wss.clients) client.terminate();
  return new Promise((resolve) => wss.close(() => resolve()));
});
