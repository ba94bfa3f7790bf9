// A test engine that runs a rules file, with raw peers through it (exact bytes on both sides), and
// the HAR of what it recorded.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportHar } from '../../../src/capture/har-export.js';
import { startTestEngine, type TestEngine } from '../../support/engine.js';
import { rawClientHandshake, startRawServer, type RawPeer } from '../../support/peers.js';

export interface RulesEngine {
  t: TestEngine;
  rulesPath: string;
  server: Awaited<ReturnType<typeof startRawServer>>;
  close(): Promise<void>;
}

/** Starts an engine on a rules file holding `rules` and a raw server to connect to. */
export async function startRulesEngine(rules: unknown): Promise<RulesEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'framescope-rules-'));
  const rulesPath = join(dir, 'rules.json');
  writeRules(rulesPath, rules);
  const t = await startTestEngine({}, undefined, { rulesFile: { path: rulesPath } });
  const server = await startRawServer();
  return {
    t, rulesPath, server,
    close: async () => {
      await t.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function writeRules(path: string, rules: unknown): void {
  writeFileSync(path, typeof rules === 'string' ? rules : JSON.stringify({ rules }), { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** A raw client through the proxy to the raw server, and the server's end; path picks the URL. */
export async function connect(e: RulesEngine, path = '/raw'): Promise<{ client: RawPeer; upstream: RawPeer; connectionId: number }> {
  const { peer } = await rawClientHandshake(e.t.proxyPort, `ws://127.0.0.1:${e.server.port}${path}`, `127.0.0.1:${e.server.port}`);
  const upstream = await e.server.nextConnection();
  const connections = e.t.engine.liveSession.connections;
  return { client: peer, upstream, connectionId: connections[connections.length - 1]!.id };
}

/** The HAR entry of a connection, as exported from the store. */
export function harEntry(e: RulesEngine, connectionId: number): HarEntry {
  return exportHar(e.t.engine.store.toConnectionRecords([connectionId])).log.entries[0] as unknown as HarEntry;
}

export interface HarEntry {
  response: { status: number };
  _webSocketMessages: { type: string; time: number; opcode: number; data: string; injected?: true; edited?: true; dropped?: true; _rule?: string; _arrived?: number }[];
  _webSocketFrames: { type: string; time: number; opcode: number; payloadLength: number; closeCode?: number; injected?: true; edited?: true; dropped?: true; _rule?: string; _arrived?: number }[];
}

/** Polls until check passes (or fails after a generous bound). */
export async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
