// HTTP Toolkit's engine (mockttp) as a peer: a local mockttp server whose one rule forwards every
// WebSocket to the bench's server, recording nothing. Clients connect to it directly (it takes
// origin-form requests like a reverse proxy), so it sits in the same place as Framescope's reverse
// mode. Usage: node mockttp-proxy.mjs <upstream port>.
import { getLocal } from 'mockttp';
import { servePeer } from './peer-process.mjs';

const upstreamPort = Number(process.argv[2]);
const server = getLocal({ debug: false });
await server.start({ startPort: 20000, endPort: 60000 });
await server.forAnyWebSocket().thenForwardTo(`ws://127.0.0.1:${upstreamPort}`);

servePeer(server.port, {}, () => server.stop());
