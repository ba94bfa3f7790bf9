// Filtering a Socket.IO connection of MESSAGES messages (default 1,000,000) by event name, through the
// compiled engine code the control API runs (filterProtocol: the connection's lens decodes on read).
// Reports the time to the first page of hits for an event that is everywhere (every 10th message), and
// for one first seen at the end (a full scan), cold (nothing decoded yet) and warm. Goal (issue 11):
// first hits in under 500 ms.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureStore } from '../dist/src/capture/capture-store.js';
import { protocolCommands } from '../dist/src/control/protocol-commands.js';

const MESSAGES = Number(process.env.MESSAGES ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'framescope-filter-bench-'));
try {
  const store = CaptureStore.create(join(dir, 'bench.fscap'));
  const t0 = Date.now();
  store.putConnection({
    id: 1, url: 'ws://127.0.0.1:9/socket.io/?EIO=4&transport=websocket', clientAddress: '127.0.0.1:50000', startedAt: t0, state: 'closed',
    request: { method: 'GET', target: '/socket.io/?EIO=4&transport=websocket', httpVersion: '1.1', rawHeaders: ['Host', '127.0.0.1:9'], time: t0 },
    checks: [], frames: [], messages: [],
  });
  const written = performance.now();
  for (let i = 0; i < MESSAGES; i++) {
    const event = i === MESSAGES - 5 ? 'payment' : i % 10 === 3 ? 'message' : 'typing';
    const text = `42/chat,${i}["${event}",{"user":"u${i % 97}","text":"hello number ${i}"}]`;
    const data = Buffer.from(text);
    store.putMessage(1, { direction: i % 2 ? 'receive' : 'send', time: t0 + i, message: { opcode: 1, data, truncated: false, compressed: false, size: data.length, frameIndexes: [], violations: [] } });
  }
  store.flush();
  console.log(`wrote ${MESSAGES} Socket.IO messages in ${((performance.now() - written) / 1000).toFixed(1)} s`);
  const engine = { store, emit() {} };
  const run = (label, filter) => {
    const commands = protocolCommands(engine);
    const started = performance.now();
    let result = commands.filterProtocol({ connectionId: 1, filter, limit: 200 });
    const first = performance.now() - started;
    // As the UI does: go on while nothing was found yet.
    while (result.hits.length === 0 && result.next !== undefined) result = commands.filterProtocol({ connectionId: 1, filter, from: result.next, limit: 200 });
    const firstHits = performance.now() - started;
    console.log(`${label.padEnd(46)} first answer ${first.toFixed(0).padStart(5)} ms, first hits ${firstHits.toFixed(0).padStart(5)} ms (${result.hits.length} hits, first #${result.hits[0]?.message})`);
    return firstHits;
  };
  const common = run('socket.io.event:message (cold)', 'socket.io.event:message');
  run('socket.io.event:message (warm)', 'socket.io.event:message');
  const rare = run('socket.io.event:payment (cold, one near the end)', 'socket.io.event:payment');
  run('socket.io.event:payment (again)', 'socket.io.event:payment');
  console.log(`goal: first hits under 500 ms: ${common < 500 ? 'met' : 'NOT met'} for a common event; a full scan of ${MESSAGES} messages took ${rare.toFixed(0)} ms`);
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
