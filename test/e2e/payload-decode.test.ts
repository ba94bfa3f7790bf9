// The Decode tab in Chromium: a MessagePack message read automatically as a tree, "Decode as" JSON
// refused in words, and a protobuf message read raw, then with a .proto schema chosen for the connection.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { WebSocket } from 'ws';
import { encode } from '@msgpack/msgpack';
import protobuf from 'protobufjs';
import { CHROMIUM } from '../support/chromium.js';
import { closed, nextMessage, opened, wsViaAbsoluteForm } from '../support/peers.js';
import { screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

const PROTO = 'syntax = "proto3";\npackage chat;\nmessage Message { string text = 1; int64 at = 2; }\nmessage Other { bool x = 1; }\n';

describe.runIf(existsSync(CHROMIUM))('decoding payloads in the UI', () => {
  const ui = useUiSuite((ws: WebSocket) => {
    ws.on('message', (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary }));
    ws.on('error', () => {});
  });
  const clients: WebSocket[] = [];
  afterAll(() => {
    for (const c of clients) c.terminate();
  });

  it('shows MessagePack and protobuf as trees, and reads protobuf with a .proto chosen for the connection', async () => {
    const Message = protobuf.parse(PROTO).root.lookupType('chat.Message');
    const proto = Message.encode(Message.fromObject({ text: 'hi', at: 42 })).finish();
    const path = '/decode-me';
    const ws = wsViaAbsoluteForm(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}${path}`);
    clients.push(ws);
    await opened(ws);
    ws.send(encode({ user: 'ann', n: 5, tags: ['a', 'b'] }));
    await nextMessage(ws);
    ws.send(proto);
    await nextMessage(ws);
    ws.close(1000);
    await closed(ws);

    const page = ui.page;
    const row = page.locator('[data-connection-id]').filter({ hasText: path }).first();
    await poll(() => row.locator('.td').nth(2).textContent()).toBe('closed');
    await row.dispatchEvent('mousedown');
    await page.getByRole('tab', { name: 'Frames' }).click();
    await page.locator('[data-frame="0"]').dispatchEvent('mousedown');
    await page.locator('[data-frame-detail="0"]').waitFor();
    await page.getByRole('tab', { name: 'Decode' }).click();

    const tree = page.getByRole('tree', { name: 'Decoded payload' });
    await poll(() => page.locator('.decode-result').textContent()).toBe('MessagePack');
    expect(await tree.locator('[data-key="user"]').textContent()).toBe('userstringann');
    expect(await tree.locator('[data-key="n"]').textContent()).toBe('nint5');
    expect(await tree.locator('[data-key="tags"] [data-key="[1]"]').textContent()).toBe('[1]stringb');
    await screenshot(page, 'decode-msgpack');

    await page.getByRole('radiogroup', { name: 'Decode as' }).getByRole('radio', { name: 'JSON' }).click();
    await poll(() => page.locator('.decode-error').textContent()).toBe('Not JSON: not UTF-8 text');
    await page.getByRole('radiogroup', { name: 'Decode as' }).getByRole('radio', { name: 'Auto' }).click();

    // The protobuf message: read without a schema, field numbers and wire types.
    await page.locator('[data-frame="2"]').dispatchEvent('mousedown');
    await page.locator('[data-frame-detail="2"]').waitFor();
    await poll(() => page.locator('.decode-result').textContent()).toBe('Protobuf · without a schema: field numbers and wire types');
    expect(await tree.locator('[data-key="#1"]').textContent()).toBe('#1stringhi');
    expect(await tree.locator('[data-key="#2"]').textContent()).toBe('#2varint42sint 21');

    // With the connection's .proto: the fields by name.
    await page.getByRole('button', { name: 'Protobuf schema…' }).click();
    await page.getByRole('textbox', { name: '.proto text' }).fill(PROTO);
    await poll(() => page.getByRole('combobox', { name: 'Message type' }).locator('option').allTextContents()).toEqual(['chat.Message', 'chat.Other']);
    await page.getByRole('button', { name: 'Apply to this connection' }).click();
    await poll(() => page.locator('.decode-result').textContent()).toBe('Protobuf · as chat.Message');
    expect(await tree.locator('[data-key="text"]').textContent()).toBe('textstringhi');
    expect(await tree.locator('[data-key="at"]').textContent()).toBe('atstring42');
    expect(await page.getByRole('button', { name: 'Schema: chat.Message' }).count()).toBe(1);
    await screenshot(page, 'decode-protobuf-schema');

    // The choice is the connection's: the echoed frame reads with it too.
    await page.locator('[data-frame="3"]').dispatchEvent('mousedown');
    await page.locator('[data-frame-detail="3"]').waitFor();
    await poll(() => page.locator('.decode-result').textContent()).toBe('Protobuf · as chat.Message');
    expect(ui.errors).toEqual([]);
  });
});
