// The floor for any proxy hop: a TCP relay that pipes bytes both ways and understands nothing.
// Usage: node bare-relay.mjs <upstream port>. Nagle is off on both sockets, as in the proxy.
import net from 'node:net';
import { servePeer } from './peer-process.mjs';

const upstreamPort = Number(process.argv[2]);
const sockets = new Set();
const server = net.createServer({ noDelay: true }, (client) => {
  const upstream = net.connect({ host: '127.0.0.1', port: upstreamPort, noDelay: true });
  for (const socket of [client, upstream]) {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {
      client.destroy();
      upstream.destroy();
    });
  }
  client.pipe(upstream);
  upstream.pipe(client);
});

await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
servePeer(server.address().port, {}, () => {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
});
