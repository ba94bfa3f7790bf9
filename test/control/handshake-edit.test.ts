// An upgrade request edited at a handshake breakpoint is recorded as both: what the client sent and
// what went upstream, marked edited, in the API and the HAR (and read back from the HAR).
import { afterEach, describe, expect, it } from 'vitest';
import { startWsServer, wsViaAbsoluteForm, opened } from '../support/peers.js';
import { startTestEngine, type TestEngine } from '../support/engine.js';
import { exportHar } from '../../src/capture/har-export.js';
import { importHar } from '../../src/capture/har-import.js';

describe('an edited handshake', () => {
  let t: TestEngine;
  afterEach(async () => t.close());

  it('is recorded as the original and as sent, marked edited, in the API and the HAR', async () => {
    t = await startTestEngine();
    const server = await startWsServer();
    const seen = new Promise<string>((resolve) => server.wss.once('connection', (_ws, req) => resolve(req.url ?? '')));
    await t.api.call('setBreakpoint', { rule: { id: 0, enabled: true, phase: 'handshake', direction: 'send', urlPattern: '/dump-hs' } });
    const ws = wsViaAbsoluteForm(t.proxyPort, `ws://127.0.0.1:${server.port}/dump-hs?u=1`);
    const held = await t.api.waitForEvent((e) => e.kind === 'held' && e.items.length === 1);
    const item = held.kind === 'held' ? held.items[0]! : undefined;
    await t.api.call('resolveHeld', { id: item!.id, action: 'forward', editedRequest: { target: '/dump-hs?u=2', rawHeaders: [...item!.request!.rawHeaders, 'X-Edited', 'yes'] } });
    await opened(ws);
    expect(await seen).toBe('/dump-hs?u=2');
    const connectionId = t.engine.liveSession.connections[0]!.id;

    const detail = await t.api.call('getConnection', { id: connectionId });
    expect(detail.request.target).toBe(`ws://127.0.0.1:${server.port}/dump-hs?u=1`);
    expect(detail.request.rawHeaders).not.toContain('X-Edited');
    expect(detail.editedRequest).toMatchObject({ method: 'GET', target: '/dump-hs?u=2', httpVersion: '1.1' });
    expect(detail.editedRequest!.rawHeaders.slice(-2)).toEqual(['X-Edited', 'yes']);

    ws.close();
    t.engine.store.flush();
    const har = exportHar(t.engine.store.toConnectionRecords());
    const entry = har.log.entries[0]! as unknown as { request: { headers: { name: string; value: string }[] }; _framescope: Record<string, unknown> };
    expect(entry.request.headers.slice(-1)).toEqual([{ name: 'X-Edited', value: 'yes' }]);
    expect(entry._framescope).toMatchObject({
      requestTarget: '/dump-hs?u=2',
      edited: true,
      originalRequest: { target: `ws://127.0.0.1:${server.port}/dump-hs?u=1` },
    });
    expect((entry._framescope.originalRequest as { headers: { name: string }[] }).headers.map((h) => h.name)).not.toContain('X-Edited');
    // Read back: the same two requests.
    const [back] = importHar(JSON.stringify(har)).connections;
    expect(back!.request.target).toBe(`ws://127.0.0.1:${server.port}/dump-hs?u=1`);
    expect(back!.editedRequest!.target).toBe('/dump-hs?u=2');
    expect(exportHar(importHar(JSON.stringify(har)).connections).log.entries[0]!.request).toEqual(har.log.entries[0]!.request);
    await server.close();
  });
});
