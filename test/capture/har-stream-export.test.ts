// The streamed HAR export: the same text as the whole-HAR builder, written in bounded pieces to a 0600
// file through a temporary one, and nothing left behind when it is cancelled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestEngine, type TestEngine } from '../support/engine.js';
import { closed, nextMessage, opened, startWsServer, wsViaAbsoluteForm } from '../support/peers.js';
import { exportHar } from '../../src/capture/har-export.js';
import { harText } from '../../src/capture/har-text.js';
import { HarExportCancelled, writeHarFile } from '../../src/capture/har-file.js';
import { connectionsOf, connectionsInMemory } from '../../src/capture/session-reader.js';

describe('streamed HAR export', () => {
  let t: TestEngine;
  let server: Awaited<ReturnType<typeof startWsServer>>;

  beforeAll(async () => {
    server = await startWsServer();
    server.wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
    t = await startTestEngine();
    for (const path of ['/one', '/two']) {
      const ws = wsViaAbsoluteForm(t.proxyPort, `ws://127.0.0.1:${server.port}${path}?q=1`);
      await opened(ws);
      for (const payload of ['hello', Buffer.from([0, 1, 2, 255]), 'x'.repeat(70_000)]) {
        ws.send(payload);
        await nextMessage(ws);
      }
      ws.close(1000, 'done');
      await closed(ws);
    }
    await waitFor(() => t.engine.store.connections().every((c) => c.state === 'closed') && t.engine.store.connections().length === 2);
    t.engine.store.flush();
  });

  afterAll(async () => {
    await t.close();
    await server.close();
  });

  it('writes exactly the text of JSON.stringify(exportHar(records), null, 2)', () => {
    const whole = JSON.stringify(exportHar(t.engine.store.toConnectionRecords()), null, 2);
    expect([...harText(connectionsOf(t.engine.store))].join('')).toBe(whole);
    expect([...harText(connectionsOf(t.engine.store, [2]))].join('')).toBe(JSON.stringify(exportHar(t.engine.store.toConnectionRecords([2])), null, 2));
  });

  it('writes a session without connections as an empty entries list', () => {
    expect([...harText([])].join('')).toBe(JSON.stringify(exportHar([]), null, 2));
    const empty = connectionsInMemory([{ ...t.engine.store.toConnectionRecords([1])[0]!, frames: [], messages: [] }]);
    expect([...harText(empty)].join('')).toBe(JSON.stringify(exportHar([{ ...t.engine.store.toConnectionRecords([1])[0]!, frames: [], messages: [] }]), null, 2));
  });

  it('writes the file with mode 0600 through a temporary file, replacing what was there, and reports progress', async () => {
    const path = join(t.dir, 'out.har');
    writeFileSync(path, 'old', { mode: 0o644 });
    const seen: number[] = [];
    const written = await writeHarFile(path, connectionsOf(t.engine.store), { onProgress: (p) => seen.push(p.done, p.total) });
    const text = readFileSync(path, 'utf8');
    expect(text).toBe(`${JSON.stringify(exportHar(t.engine.store.toConnectionRecords()), null, 2)}\n`);
    expect(written).toEqual({ connections: 2, bytes: Buffer.byteLength(text) });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const total = t.engine.store.connections().reduce((sum, c) => sum + c.messageCount + c.frameCount, 0);
    expect(seen.slice(-2)).toEqual([total, total]);
    expect(readdirSync(t.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('leaves neither the target nor a temporary file when cancelled', async () => {
    const path = join(t.dir, 'cancelled.har');
    const controller = new AbortController();
    controller.abort();
    await expect(writeHarFile(path, connectionsOf(t.engine.store), { signal: controller.signal })).rejects.toThrow(HarExportCancelled);
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(t.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(condition()).toBe(true);
}
