// The frame list and its neighbours: rows come back after a session switch or a HAR import that
// leaves the same connection id with as many rows; labels and counts say what went on the wire
// (reserved opcodes by name, one violation counted once, wire / inflated lengths); the keyboard
// stays where the user put it (Ctrl+F does not steal the next ArrowDown; Escape returns to the list).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { WebSocket } from 'ws';
import { CHROMIUM } from '../support/chromium.js';
import { nextMessage, opened, rawClientHandshake, startWsServer, wsViaAbsoluteForm } from '../support/peers.js';
import { encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import { poll, useUiSuite } from './support/ui-suite.js';

describe.runIf(existsSync(CHROMIUM))('the frame list, its labels and its keys', () => {
  const ui = useUiSuite((ws) => {
    // A reserved opcode makes the ws server fail the connection: that is the point.
    ws.on('error', () => {});
    ws.on('message', (data: Buffer) => ws.send(`echo: ${data.toString()}`));
  });
  /** A server that negotiates permessage-deflate and compresses everything. */
  let deflating: Awaited<ReturnType<typeof startWsServer>>;
  const clients: WebSocket[] = [];

  beforeAll(async () => {
    deflating = await startWsServer({ perMessageDeflate: { threshold: 0 } });
    deflating.wss.on('connection', (ws) => ws.on('message', (data: Buffer) => ws.send(data.toString().toUpperCase())));
  });

  afterAll(async () => {
    for (const ws of clients) ws.terminate();
    await deflating?.close();
  });

  /** Connects through the proxy to a path of the echo server (or the deflating one). */
  const connect = async (path: string, server = ui.server) => {
    const ws = wsViaAbsoluteForm(ui.app.proxyPort, `ws://127.0.0.1:${server.port}${path}`);
    ws.on('error', () => {});
    clients.push(ws);
    await opened(ws);
    return ws;
  };
  const row = (path: string) => ui.page.locator('[data-connection-id]').filter({ hasText: path });
  const select = async (path: string) => {
    await row(path).dispatchEvent('mousedown');
    await ui.page.getByRole('tab', { name: 'Frames' }).click();
  };
  const connectionId = async (path: string) => Number(await row(path).getAttribute('data-connection-id'));
  /** Sends a hand-crafted frame through the UI's control client (as the composer's raw frame does). */
  const sendRaw = (id: number, direction: 'send' | 'receive', opcode: number, payload: number[]) => {
    const params = {
      connectionId: id, direction,
      frame: { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode, mask: direction === 'send', payloadBase64: Buffer.from(payload).toString('base64') },
    };
    return ui.page.evaluate(`window.framescope.client.request('sendRawFrame', ${JSON.stringify(params)})`);
  };
  /** The accessible name of the element that has the keyboard focus. */
  const focused = () => ui.page.evaluate<string | null>(`document.activeElement?.getAttribute('aria-label') ?? null`);

  it('lists the frames of the selected connection again after switching to a session with as many', async () => {
    const ws = await connect('/eq-first');
    ws.send('alpha');
    await nextMessage(ws);
    await poll(() => row('/eq-first').count()).toBe(1);
    expect(await connectionId('/eq-first')).toBe(1);
    const firstSession = (await ui.page.locator('.session-name').textContent())!;

    await ui.page.getByRole('button', { name: /^Session/ }).click();
    await ui.page.getByRole('menuitem', { name: 'New session…' }).click();
    await ui.page.getByLabel('Session name').fill('second');
    await ui.page.getByRole('button', { name: 'Start' }).click();
    await poll(() => ui.page.locator('.session-name').textContent()).toBe('second');
    const other = await connect('/eq-second');
    other.send('bravo');
    await nextMessage(other);
    await poll(() => row('/eq-second').count()).toBe(1);
    expect(await connectionId('/eq-second')).toBe(1);
    await select('/eq-second');
    await poll(() => ui.page.locator('[data-frame="0"]').textContent()).toContain('bravo');

    await ui.page.getByRole('button', { name: /^Session/ }).click();
    await ui.page.getByRole('menuitem', { name: 'Open session…' }).click();
    await ui.page.getByRole('button', { name: firstSession, exact: true }).click();
    await poll(() => ui.page.locator('.session-name').textContent()).toBe(firstSession);
    // Connection #1 again, two frames again: the list must still fetch this session's rows.
    await poll(() => ui.page.locator('[data-frame="0"]').textContent()).toContain('alpha');
    expect(await ui.page.locator('[data-frame="1"]').textContent()).toContain('echo: alpha');
    expect(await ui.page.locator('.frame-row.loading').count()).toBe(0);
  });

  it('lists the frames of a HAR imported with the same connection id and as many frames', async () => {
    // Export this session (connection #1: alpha and its echo), then browse another one with a #1 of two frames.
    await ui.page.getByRole('button', { name: /^Session/ }).click();
    const [download] = await Promise.all([ui.page.waitForEvent('download'), ui.page.getByRole('menuitem', { name: 'Export HAR' }).click()]);
    const har = (await download.path())!;
    await ui.page.getByRole('button', { name: /^Session/ }).click();
    await ui.page.getByRole('menuitem', { name: 'Open session…' }).click();
    await ui.page.getByRole('button', { name: 'second', exact: true }).click();
    await poll(() => ui.page.locator('.session-name').textContent()).toBe('second');
    await poll(() => ui.page.locator('[data-frame="0"]').textContent()).toContain('bravo');

    await ui.page.getByRole('button', { name: /^Session/ }).click();
    const [chooser] = await Promise.all([ui.page.waitForEvent('filechooser'), ui.page.getByRole('menuitem', { name: 'Import HAR…' }).click()]);
    await chooser.setFiles(har);
    await poll(() => ui.page.locator('.session-name').textContent()).not.toBe('second');
    await poll(() => row('/eq-first').count()).toBe(1);
    await poll(() => ui.page.locator('[data-frame="0"], [data-message="0"]').first().textContent()).toContain('alpha');
  });

  it('names a reserved opcode "reserved 0x3", not after the RSV3 header bit', async () => {
    await ui.page.getByRole('button', { name: /^Session/ }).click();
    await ui.page.getByRole('menuitem', { name: 'Open session…' }).click();
    await ui.page.getByRole('button', { name: 'second', exact: true }).click();
    await poll(() => ui.page.locator('.session-name').textContent()).toBe('second');
    await connect('/reserved');
    await poll(() => row('/reserved').count()).toBe(1);
    await sendRaw(await connectionId('/reserved'), 'send', 0x3, [1, 2, 3]);
    await select('/reserved');
    const frame = ui.page.locator('[data-frame="0"]');
    await poll(() => frame.locator('.opcode').textContent()).toBe('reserved 0x3');
    expect(await frame.locator('.violation-mark').textContent()).toBe('⚠ reserved-opcode');
  });

  it('counts a violation found in a frame and carried by its message once', async () => {
    // A raw client sends 68 ff: invalid UTF-8 in a text frame (the server fails the connection with 1007).
    const url = `ws://127.0.0.1:${ui.server.port}/invalid-utf8`;
    const { peer, responseHead } = await rawClientHandshake(ui.app.proxyPort, url, `127.0.0.1:${ui.server.port}`);
    expect(responseHead).toMatch(/^HTTP\/1\.1 101 /);
    peer.socket.write(encodeFrameBytes({ opcode: 1, mask: Buffer.from([1, 2, 3, 4]), payload: Buffer.from([0x68, 0xff]) }));
    await peer.ended;
    await poll(() => row('/invalid-utf8').count()).toBe(1);
    await select('/invalid-utf8');
    await poll(() => ui.page.locator('[data-frame="0"] .violation-mark').textContent()).toBe('⚠ invalid-utf8');
    await poll(() => row('/invalid-utf8').locator('.td').last().textContent()).toBe('1');
  });

  it('shows a compressed message\'s length as wire / inflated', async () => {
    const ws = await connect('/deflate', deflating);
    const text = 'inflate me '.repeat(30);
    ws.send(text);
    expect((await nextMessage(ws)).data.toString()).toBe(text.toUpperCase());
    await select('/deflate');
    // The server's answer (the client compresses only past 1 KiB; the server always).
    const sent = ui.page.locator('[data-frame="1"]');
    await poll(() => sent.locator('.td.num').nth(1).textContent()).toMatch(/^\d+ \/ 330$/);
    const wire = Number((await sent.locator('.td.num').nth(1).textContent())!.split(' / ')[0]);
    expect(wire).toBeLessThan(330);
    await sent.dispatchEvent('mousedown');
    await poll(() => ui.page.locator('.frame-detail .detail-title').textContent()).toContain(`${wire} B wire / 330 B inflated`);
  });

  it('keeps the focus in the connection list on ArrowDown after Ctrl+F', async () => {
    await row('/reserved').click();
    await ui.page.keyboard.press('ControlOrMeta+f');
    await poll(() => focused()).toBe('Search payloads');
    await row('/reserved').click();
    const before = await connectionId('/reserved');
    await ui.page.keyboard.press('ArrowDown');
    await poll(() => ui.page.evaluate<number>('window.framescope.connections.selectedId')).not.toBe(before);
    await ui.page.getByRole('tab', { name: 'Frames' }).waitFor();
    expect(await focused()).toBe('Connections');
    await ui.page.keyboard.press('ArrowDown');
    expect(await focused()).toBe('Connections');
  });

  it('returns the focus to the frame list on Escape in the detail', async () => {
    await select('/eq-second');
    await ui.page.locator('[data-frame="0"]').click();
    await ui.page.keyboard.press('Enter');
    await poll(() => focused()).toBe('Frame detail');
    await ui.page.keyboard.press('Escape');
    await poll(() => focused()).toBe('Frames');
    expect(await ui.page.locator('.frame-detail').isVisible()).toBe(false);
    // The arrow keys go on in the list.
    await ui.page.keyboard.press('ArrowDown');
    await poll(() => ui.page.locator('[data-frame="1"]').getAttribute('aria-selected')).toBe('true');
    expect(ui.errors).toEqual([]);
  });
});
