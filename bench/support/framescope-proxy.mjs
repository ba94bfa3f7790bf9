// Framescope in reverse mode, in its own process, configured as `framescope proxy` runs it: the
// engine records every frame and message into its capture store on disk (memory keeps only the
// index). Usage: node framescope-proxy.mjs <upstream port> [none|url|payload|unrecorded|headers|off].
// headers and off are the recording policies (`--record headers` keeping 256 payload bytes, `--record off`).
// The second argument adds breakpoint rules that match nothing: 'url' rules whose URL pattern matches
// no connection, 'payload' rules that watch every message but whose text never appears in one.
// `drain-session` reports what was recorded since the last call; recording is never switched off.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../dist/src/engine.js';
import { servePeer } from './peer-process.mjs';

const upstreamPort = Number(process.argv[2]);
const dir = mkdtempSync(join(tmpdir(), 'framescope-bench-'));
const engine = await Engine.start({
  sessionsDir: dir,
  proxy: { host: '127.0.0.1', port: 0, upstream: `ws://127.0.0.1:${upstreamPort}` },
});
const rules = process.argv[3] ?? 'none';
if (rules === 'url') {
  engine.proxy.breakpoints.set({ id: 0, enabled: true, phase: 'message', direction: 'both', urlPattern: '/no-such-path' });
  engine.proxy.breakpoints.set({ id: 0, enabled: true, phase: 'handshake', direction: 'send', urlPattern: '/no-such-path' });
} else if (rules === 'payload') {
  engine.proxy.breakpoints.set({ id: 0, enabled: true, phase: 'message', direction: 'both', text: 'never-in-any-message' });
  engine.proxy.breakpoints.set({ id: 0, enabled: true, phase: 'message', direction: 'send', regex: '^\\{"never"' });
} else if (rules === 'unrecorded') {
  // Everything is still decoded; nothing is written to the capture file. Shows what recording costs.
  engine.setRecording(false);
} else if (rules === 'headers' || rules === 'off') {
  engine.setRecordPolicy({ mode: rules, prefixBytes: 256 });
} else if (rules !== 'none') {
  throw new Error(`unknown rules ${rules}`);
}
const counts = { frames: 0, messages: 0, violations: 0, errors: [] };
const session = engine.liveSession;
session.on('frame', (_c, f) => {
  counts.frames++;
  counts.violations += f.frame.violations.length;
});
session.on('message', () => counts.messages++);
session.on('error', (e) => counts.errors.push(e.message));
session.on('connection-updated', (c) => { if (c.error) counts.errors.push(`connection ${c.id}: ${c.error}`); });

servePeer(engine.proxyAddress.port, {
  'drain-session': () => {
    const recorded = { ...counts, memory: process.memoryUsage(), disk: engine.store.diskUsage(), indexBytes: engine.store.indexBytes };
    counts.frames = counts.messages = counts.violations = 0;
    counts.errors = [];
    globalThis.gc?.();
    return recorded;
  },
}, async () => {
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
});
