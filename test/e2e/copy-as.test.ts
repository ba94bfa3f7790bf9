// "Copy as" from the UI: the code copied for a message and the script copied for a connection run
// against the real server (Python's websockets and Node's ws), which receives exactly what the
// original client sent through the proxy.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { CHROMIUM } from '../support/chromium.js';
import { closed, nextMessage, opened, wsViaAbsoluteForm } from '../support/peers.js';
import { PYTHON, runScript } from '../snippets/snippet-peer.js';
import { screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

const TEXT = `{"note":"it's \\"quoted\\"","emoji":"😀","line":"a\\nb"} é\n2nd line`;
const BYTES = Buffer.from([0, 1, 0x27, 0x22, 0x5c, 0x80, 0xff]);

describe.runIf(existsSync(CHROMIUM))('copy as code from the UI', () => {
  const received: { path: string; origin?: string; messages: { data: Buffer; isBinary: boolean }[]; closed: Promise<{ code: number; reason: string }> }[] = [];
  const ui = useUiSuite((ws: WebSocket, request: IncomingMessage) => {
    const side = { path: request.url ?? '', origin: request.headers.origin, messages: [] as { data: Buffer; isBinary: boolean }[], closed: closed(ws) };
    received.push(side);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      side.messages.push({ data, isBinary });
      ws.send(data, { binary: isBinary });
    });
    ws.on('error', () => {});
  });
  const clients: WebSocket[] = [];
  afterAll(() => {
    for (const c of clients) c.terminate();
  });
  const clipboard = () => ui.page.evaluate('navigator.clipboard.readText()') as Promise<string>;
  const connections = (path: string) => received.filter((r) => r.path === path);

  it('copies a message as Python and the connection as a JavaScript script, which send the same bytes', async () => {
    const path = '/copy-as?room=1';
    const ws = wsViaAbsoluteForm(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}${path}`, { headers: { Origin: 'http://app.example' } });
    clients.push(ws);
    await opened(ws);
    ws.send(TEXT);
    await nextMessage(ws);
    ws.send(BYTES);
    await nextMessage(ws);
    ws.close(4000, 'done');
    await closed(ws);

    const row = ui.page.locator('[data-connection-id]').filter({ hasText: path }).first();
    await poll(() => row.locator('.td').nth(2).textContent()).toBe('closed');
    await row.dispatchEvent('mousedown');
    await ui.page.getByRole('tab', { name: 'Frames' }).click();
    await ui.page.locator('[data-frame="0"]').dispatchEvent('mousedown');
    await ui.page.locator('[data-frame-detail="0"]').waitFor();

    await ui.page.getByRole('button', { name: 'Copy as code' }).click();
    expect(await ui.page.getByRole('menuitem').allTextContents()).toEqual(['JavaScript (ws)', 'Python (websockets)', 'websocat', 'framescope send', 'JSON']);
    await screenshot(ui.page, 'copy-as-menu');
    await ui.page.getByRole('menuitem', { name: 'Python (websockets)' }).click();
    await poll(() => ui.page.locator('.notice').last().textContent()).toContain('Copied message #0 as Python (websockets)');
    const python = await clipboard();
    expect(python).toContain(`connect("ws://127.0.0.1:${ui.server.port}${path}"`);
    const run = await runScript(PYTHON, 'send.py', python);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    await poll(() => connections(path).length).toBe(2);
    expect(connections(path)[1]!.origin).toBe('http://app.example');
    expect(connections(path)[1]!.messages).toEqual([{ data: Buffer.from(TEXT), isBinary: false }]);

    await ui.page.getByRole('button', { name: 'Actions' }).click();
    await ui.page.getByRole('menuitem', { name: 'Copy as JavaScript script (ws)' }).click();
    await poll(() => ui.page.locator('.notice').last().textContent()).toContain(`as a JavaScript script`);
    const script = await clipboard();
    const replay = await runScript(process.execPath, 'replay.mjs', script);
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(0);
    expect(replay.stdout).toBe(`text ${TEXT}\nbinary ${BYTES.toString('base64')}\n`);
    await poll(() => connections(path).length).toBe(3);
    const third = connections(path)[2]!;
    expect(third.messages).toEqual([{ data: Buffer.from(TEXT), isBinary: false }, { data: BYTES, isBinary: true }]);
    expect(await third.closed).toEqual({ code: 4000, reason: 'done' });
    expect(ui.errors).toEqual([]);
  });
});
