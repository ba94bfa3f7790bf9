// Framescope in reverse mode in its own process, recording as `framescope proxy` does, with a rules
// file. Usage: node framescope-rules-proxy.mjs <upstream port> <rules file, or "none">.
// `delays` reports how long each message a delay rule held waited at the proxy (wire time minus
// arrival, from the records), and forgets them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../dist/src/engine.js';
import { servePeer } from './peer-process.mjs';

const upstreamPort = Number(process.argv[2]);
const rulesFile = process.argv[3];
const dir = mkdtempSync(join(tmpdir(), 'framescope-bench-'));
const engine = await Engine.start({
  sessionsDir: dir,
  proxy: { host: '127.0.0.1', port: 0, upstream: `ws://127.0.0.1:${upstreamPort}` },
  ...(rulesFile && rulesFile !== 'none' ? { rulesFile: { path: rulesFile } } : {}),
});
const errors = [];
let waits = [];
engine.liveSession.on('error', (e) => errors.push(e.message));
engine.liveSession.on('message', (_c, m) => {
  if (m.rule === 'delay' && m.arrivedAt !== undefined) waits.push(m.time - m.arrivedAt);
});

servePeer(engine.proxyAddress.port, {
  delays: () => {
    const out = waits;
    waits = [];
    return out;
  },
  errors: () => errors.splice(0),
}, async () => {
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
});
