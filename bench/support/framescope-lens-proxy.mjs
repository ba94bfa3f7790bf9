// Framescope in reverse mode in its own process, recording every frame and message as `framescope
// proxy` does, with the protocol lenses read as the UI reads them. Usage:
//   node framescope-lens-proxy.mjs <upstream port> <none|follow|all|rule>
//   none     nothing reads the lenses (they decode on read only: this is recording without them)
//   follow   every 100 ms, the Protocol column of the newest 40 frames of one connection (the busiest when
//            following starts), as a UI following it asks for it (protocolForFrames, the control API's handler)
//   all      the same for every connection: every message of every connection is decoded as it comes
//   rule     a rule on a protocol field that matches nothing (socket.io.event:never): the lens reads
//            every message on the relay's path, before it goes on
// `lens-stats` reports how many messages the reads decoded and how many column lines they got.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../dist/src/engine.js';
import { protocolCommands } from '../../dist/src/control/protocol-commands.js';
import { defaultLensRegistry } from '../../dist/src/protocol/lenses/registry.js';
import { servePeer } from './peer-process.mjs';

const upstreamPort = Number(process.argv[2]);
const mode = process.argv[3] ?? 'none';
if (!['none', 'follow', 'all', 'rule'].includes(mode)) throw new Error(`unknown mode ${mode}`);
const dir = mkdtempSync(join(tmpdir(), 'framescope-lens-bench-'));
const rulesFile = join(dir, 'rules.json');
writeFileSync(rulesFile, JSON.stringify({ rules: [
  { name: 'never', match: { protocol: 'socket.io.event:never' }, actions: [{ type: 'drop' }] },
] }), { mode: 0o600 });
const engine = await Engine.start({
  sessionsDir: dir,
  proxy: { host: '127.0.0.1', port: 0, upstream: `ws://127.0.0.1:${upstreamPort}` },
  ...(mode === 'rule' ? { rulesFile: { path: rulesFile } } : {}),
});
const errors = [];
engine.liveSession.on('error', (e) => errors.push(e.message));
const protocol = protocolCommands(engine);
const stats = { reads: 0, lines: 0, lenses: new Set(), detections: 0 };
// Detection runs until a connection's lens is settled: counted, to show it is not run on every read.
const registry = defaultLensRegistry();
const scores = registry.scores.bind(registry);
registry.scores = (...args) => {
  stats.detections++;
  return scores(...args);
};
const COLUMN_ROWS = 40;

const readColumn = (id) => {
  const count = engine.store.frameCount(id);
  if (count === 0) return;
  const frames = Array.from({ length: Math.min(COLUMN_ROWS, count) }, (_, i) => count - 1 - i);
  const { frames: lines } = protocol.protocolForFrames({ connectionId: id, frames });
  stats.reads++;
  stats.lines += lines.length;
  const lens = protocol.getProtocolLens({ connectionId: id }).lens;
  if (lens) stats.lenses.add(lens);
};
const reader = mode === 'follow' || mode === 'all' ? setInterval(() => {
  // The open connections from the session's records, as the UI knows them from its events (not the
  // store's summaries, which a UI never asks for every 100 ms).
  const live = engine.liveSession.connections.filter((c) => c.state === 'open');
  if (mode === 'all') for (const c of live) readColumn(c.id);
  else if (live.length > 0) {
    // The busiest connection when following starts, kept while it is open (as a user's selection is).
    if (followed === undefined || !live.some((c) => c.id === followed)) followed = live.reduce((a, b) => (engine.store.frameCount(b.id) > engine.store.frameCount(a.id) ? b : a)).id;
    readColumn(followed);
  }
}, 100) : undefined;
let followed;

servePeer(engine.proxyAddress.port, {
  'lens-stats': () => ({ reads: stats.reads, lines: stats.lines, lenses: [...stats.lenses], detections: stats.detections }),
  errors: () => errors.splice(0),
}, async () => {
  if (reader) clearInterval(reader);
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
});
