// What following a long Socket.IO connection with acks costs the engine's heap (issue 11's linker):
// MESSAGES messages (default 1M), emits with an ack id (`421["m",{}]`, sent) and their acks (`431[]`,
// received) alternating, each ack id new, fed through one ConnectionProtocol from an in-memory source
// that makes each message when asked (so the source itself holds nothing). Reports the heap kept
// after a full GC, per message, with the view alive: what grows without bound shows here, what the
// result budget bounds does not. Also a run where no emit is ever answered (the open requests).
// Needs --expose-gc (npm run bench passes it) and the compiled engine in dist/.
import { ConnectionProtocol } from '../dist/src/lenses/connection-protocol.js';
import { defaultLensRegistry } from '../dist/src/protocol/lenses/registry.js';
import { lensConnectionOf } from '../dist/src/protocol/lenses/lens-connection.js';

const MESSAGES = Number(process.env.MESSAGES ?? 1_000_000);
if (typeof global.gc !== 'function') {
  console.error('run with node --expose-gc');
  process.exit(1);
}
const encoder = new TextEncoder();

function heapAfterGc() {
  for (let i = 0; i < 3; i++) global.gc();
  return process.memoryUsage().heapUsed;
}

/** Message i: an emit with ack id i/2 when even, its ack when odd (or, unanswered, emits only). */
function source(count, answered) {
  const message = (i) => {
    const emit = !answered || i % 2 === 0;
    const id = answered ? i >> 1 : i;
    const text = emit ? `42${id}["m",{}]` : `43${id}[]`;
    return { direction: emit ? 'send' : 'receive', time: 1_000_000 + i, message: { opcode: 1, data: encoder.encode(text) } };
  };
  return {
    messageCount: () => count,
    messages: (start, end) => {
      const out = [];
      for (let i = start; i < Math.min(end, count); i++) out.push(message(i));
      return out;
    },
  };
}

function run(label, answered) {
  const connection = lensConnectionOf('/socket.io/?EIO=4&transport=websocket', []);
  const lens = defaultLensRegistry().get('socket.io');
  const before = heapAfterGc();
  const started = performance.now();
  const view = new ConnectionProtocol(lens, connection);
  view.decodeTo(source(MESSAGES, answered), MESSAGES);
  const ms = performance.now() - started;
  const after = heapAfterGc();
  const growth = after - before;
  const links = view.linksOf({ message: MESSAGES - 1, packet: 0 });
  console.log(`${label}: ${MESSAGES} messages in ${(ms / 1000).toFixed(1)} s; heap kept ${(growth / 1e6).toFixed(1)} MB, ${(growth / MESSAGES).toFixed(1)} B/message; result bytes kept ${view.keptBytes}; last message linked: ${links ? 'yes' : 'no'}`);
  return view;
}

run('acks answered', true);
run('acks never answered', false);
