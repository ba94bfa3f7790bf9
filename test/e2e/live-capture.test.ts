// The UI against the real engine and real traffic: a connection shows up while it is open, a frame's
// header bits and hex are exactly the bytes on the wire (RFC 6455 §5.7's masked "Hello"), search and
// filters narrow the timeline, the handshake checks pass, the keyboard drives the timeline; a
// compressed message's preview is marked inflated; the status bar follows the session's size.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { WebSocket } from 'ws';
import { computeAccept } from '../../src/protocol/handshake.js';
import { CHROMIUM } from '../support/chromium.js';
import { constants, inflateRawSync } from 'node:zlib';
import { closed, nextMessage, opened, rawClientHandshake, startWsServer, wsViaAbsoluteForm, type RawPeer } from '../support/peers.js';
import { formatBytes } from '../../renderer/src/protocol/bytes.js';
import { monacoReady, screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

describe.runIf(existsSync(CHROMIUM))('live capture in the UI', () => {
  const clients: WebSocket[] = [];
  const rawPeers: RawPeer[] = [];

  // An echo server: text comes back prefixed, binary as it was.
  const ui = useUiSuite((ws) => {
    ws.on('message', (data: Buffer, isBinary: boolean) => ws.send(isBinary ? data : `echo: ${data.toString()}`, { binary: isBinary }));
    // An unmasked client frame (sent on purpose below) makes ws fail the connection: expected here.
    ws.on('error', () => {});
  });

  afterAll(() => {
    for (const c of clients) c.terminate();
    for (const p of rawPeers) p.socket.destroy();
  });

  const connect = async (path: string) => {
    const ws = wsViaAbsoluteForm(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}${path}`);
    clients.push(ws);
    await opened(ws);
    return ws;
  };
  const connectionRow = (path: string) => ui.page.locator('[data-connection-id]').filter({ hasText: path });
  const cell = (path: string, column: number) => connectionRow(path).locator('.td').nth(column);
  const select = async (path: string) => {
    await connectionRow(path).dispatchEvent('mousedown');
    await ui.page.getByRole('tab', { name: 'Frames' }).click();
  };

  it('shows a new connection while it is open and counts its frames live', async () => {
    const ws = await connect('/live?room=1');
    await connectionRow('/live?room=1').waitFor();
    expect(await cell('/live?room=1', 1).textContent()).toBe(`ws://127.0.0.1:${ui.server.port}/live?room=1`);
    // The row can appear while the handshake is still under way ('connecting').
    await poll(() => cell('/live?room=1', 2).textContent()).toBe('open');
    for (const text of ['one', 'two', 'three']) ws.send(text);
    // Three frames each way: the sent ones and their echoes.
    await poll(() => cell('/live?room=1', 5).textContent()).toBe('3');
    await poll(() => cell('/live?room=1', 6).textContent()).toBe('3');
    ws.close(1000, 'bye');
    await closed(ws);
    await poll(() => cell('/live?room=1', 2).textContent()).toBe('closed');
    expect(await cell('/live?room=1', 9).textContent()).toBe('1000 Normal Closure');
  });

  it('shows a masked frame\'s header bit by bit and its payload masked and unmasked, exactly as on the wire', async () => {
    const { peer } = await rawClientHandshake(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}/rfc-example`, `127.0.0.1:${ui.server.port}`);
    rawPeers.push(peer);
    // RFC 6455 §5.7: a single-frame masked text message containing "Hello".
    peer.socket.write(Buffer.from('818537fa213d7f9f4d5158', 'hex'));
    await connectionRow('/rfc-example').waitFor();
    await select('/rfc-example');
    const frame0 = ui.page.locator('[data-frame="0"]');
    await frame0.waitFor();
    await frame0.dispatchEvent('mousedown');
    await ui.page.locator('[data-frame-detail="0"]').waitFor();

    await ui.page.getByRole('tab', { name: 'Header' }).click();
    const field = async (name: string) => {
      const cells = ui.page.locator(`tr[data-field="${name}"] td`);
      return [await cells.nth(0).textContent(), await cells.nth(1).textContent()];
    };
    expect(await field('FIN')).toEqual(['1', '1']);
    expect(await field('RSV1')).toEqual(['0', '0']);
    expect(await field('RSV2')).toEqual(['0', '0']);
    expect(await field('RSV3')).toEqual(['0', '0']);
    expect(await field('Opcode')).toEqual(['0001', '0x1']);
    expect(await field('MASK')).toEqual(['1', '1']);
    expect(await field('Payload len')).toEqual(['0000101', '5']);
    expect(await field('Masking key')).toEqual(['00110111 11111010 00100001 00111101', '37fa213d']);
    expect(await ui.page.locator('[data-field="header-hex"]').textContent()).toBe('81 85 37 fa 21 3d');
    expect(await ui.page.locator('[data-field="length-form"]').textContent()).toBe('7-bit');
    await screenshot(ui.page, 'frame-detail-header');

    await ui.page.getByRole('tab', { name: 'Hex' }).click();
    const hexLine = async () => (await ui.page.locator('[data-hex-line="0"] .hex-bytes').textContent())!.trim().split(/\s+/);
    expect(await hexLine()).toEqual(['48', '65', '6c', '6c', '6f']);
    expect(await ui.page.locator('[data-hex-line="0"] .hex-ascii').textContent()).toBe('Hello');
    await ui.page.getByRole('radio', { name: 'Wire (masked)' }).click();
    expect(await hexLine()).toEqual(['81', '85', '37', 'fa', '21', '3d', '7f', '9f', '4d', '51', '58']);

    await ui.page.getByRole('tab', { name: 'Payload' }).click();
    await monacoReady(ui.page);
    await poll(() => ui.page.locator('.payload-editor .view-lines').textContent()).toBe('Hello');
    await screenshot(ui.page, 'frame-detail');

    await ui.page.getByRole('button', { name: 'Copy', exact: true }).click();
    await ui.page.getByRole('menuitem', { name: 'As hex' }).click();
    expect(await ui.page.evaluate('navigator.clipboard.readText()')).toBe('48656c6c6f');
  });

  it('shows a fragment with its whole message, and a violation with its explanation and RFC section', async () => {
    const { peer } = await rawClientHandshake(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}/fragments`, `127.0.0.1:${ui.server.port}`);
    rawPeers.push(peer);
    const key = Buffer.from('37fa213d', 'hex');
    const masked = (text: string) => Buffer.from(Array.from(Buffer.from(text), (b, i) => b ^ key[i % 4]!));
    // "Hel" then "lo" as two masked fragments (RFC 6455 §5.4), then a text frame the client forgot to mask.
    peer.socket.write(Buffer.concat([Buffer.from([0x01, 0x83]), key, masked('Hel'), Buffer.from([0x80, 0x82]), key, masked('lo'), Buffer.from([0x81, 0x03]), Buffer.from('bad')]));
    await connectionRow('/fragments').waitFor();
    await select('/fragments');
    await ui.page.locator('[data-frame="2"]').waitFor();

    await ui.page.locator('[data-frame="0"]').dispatchEvent('mousedown');
    await ui.page.locator('[data-frame-detail="0"]').waitFor();
    await ui.page.getByRole('tab', { name: 'Message' }).click();
    await poll(() => ui.page.getByRole('radio', { name: /^Message #/ }).textContent()).toBe('Message #0');
    await monacoReady(ui.page);
    await poll(() => ui.page.locator('.payload-editor .view-lines').textContent()).toBe('Hello');
    expect(await ui.page.locator('.payload-view .sub-bar .muted').textContent()).toBe('5 B · 2 frames');

    const unmasked = ui.page.locator('[data-frame="2"]');
    expect(await unmasked.locator('.violation-mark').textContent()).toBe('⚠ unmasked-client-frame');
    await unmasked.dispatchEvent('mousedown');
    const violation = ui.page.locator('[data-violation="unmasked-client-frame"]');
    await violation.waitFor();
    expect(await violation.textContent()).toBe('unmasked-client-frame RFC 6455 §5.1A frame from the client was not masked; clients must mask every frame. A conforming receiver would fail the connection with 1002 Protocol Error.');
    await screenshot(ui.page, 'violation');
  });

  it('searches payloads as text and as a regex, streaming the hits, and filters by direction and opcode', async () => {
    const ws = await connect('/search');
    for (const text of ['alpha needle-101', 'beta', 'gamma needle-202']) ws.send(text);
    ws.send(Buffer.from([1, 2, 3]));
    await connectionRow('/search').waitFor();
    await poll(() => cell('/search', 6).textContent()).toBe('4');
    await select('/search');
    await poll(() => ui.page.locator('.filter-status').textContent()).toBe('8 frames');

    const search = ui.page.getByRole('searchbox', { name: 'Search payloads' });
    await search.fill('needle');
    await search.press('Enter');
    // Two sent messages and their two echoes.
    await poll(() => ui.page.locator('.filter-status').textContent()).toMatch(/^4 hits in \d+ scanned$/);
    expect(await ui.page.locator('[data-hit]').count()).toBe(4);

    await ui.page.getByRole('button', { name: '.*' }).click();
    await search.fill('needle-2\\d\\d');
    await search.press('Enter');
    await poll(() => ui.page.locator('.filter-status').textContent()).toMatch(/^2 hits in \d+ scanned$/);
    const snippets = await ui.page.locator('[data-hit] .preview').allTextContents();
    expect(snippets.sort()).toEqual(['echo: gamma needle-202', 'gamma needle-202']);
    expect(await ui.page.locator('[data-hit] mark').first().textContent()).toBe('needle-202');
    await screenshot(ui.page, 'search-hits');

    await search.press('Escape');
    await poll(() => ui.page.locator('.filter-status').textContent()).toBe('8 frames');
    await ui.page.getByRole('radio', { name: '↓ Received' }).click();
    await poll(() => ui.page.locator('.filter-status').textContent()).toBe('4 frames match');
    expect(await ui.page.locator('[data-frame] .dir').allTextContents()).toEqual(['↓', '↓', '↓', '↓']);
    await ui.page.getByRole('combobox', { name: 'Opcode' }).selectOption({ label: 'Binary' });
    await poll(() => ui.page.locator('.filter-status').textContent()).toBe('1 frame match');
    expect(await ui.page.locator('[data-frame] .opcode').allTextContents()).toEqual(['BIN']);
    await ui.page.getByRole('combobox', { name: 'Opcode' }).selectOption({ label: 'All opcodes' });
    await ui.page.getByRole('radiogroup', { name: 'Direction' }).getByRole('radio', { name: 'All' }).click();
    await poll(() => ui.page.locator('.filter-status').textContent()).toBe('8 frames');
    await screenshot(ui.page, 'connections-and-frames');
  });

  it('moves through frames with the arrow keys, opens the detail with Enter and searches with Ctrl+F', async () => {
    await select('/search');
    await ui.page.locator('[data-frame="0"]').dispatchEvent('mousedown');
    await ui.page.locator('[data-frame-detail="0"]').waitFor();
    await ui.page.getByRole('grid', { name: 'Frames' }).focus();
    await ui.page.keyboard.press('ArrowDown');
    await ui.page.keyboard.press('ArrowDown');
    await ui.page.locator('[data-frame-detail="2"]').waitFor();
    expect(await ui.page.locator('[data-frame].selected').getAttribute('data-frame')).toBe('2');
    await ui.page.keyboard.press('ArrowUp');
    await ui.page.locator('[data-frame-detail="1"]').waitFor();
    await ui.page.keyboard.press('Enter');
    expect(await ui.page.evaluate('document.activeElement?.getAttribute("aria-label")')).toBe('Frame detail');
    await ui.page.keyboard.press('Control+f');
    expect(await ui.page.evaluate('document.activeElement?.getAttribute("aria-label")')).toBe('Search payloads');
  });

  it('shows the handshake as on the wire with every check passed and the expected Accept value', async () => {
    await select('/search');
    await ui.page.getByRole('tab', { name: 'Handshake' }).click();
    const request = (await ui.page.getByTestId('handshake-request').textContent())!;
    expect(request.split('\n')[0]).toBe(`GET ws://127.0.0.1:${ui.server.port}/search HTTP/1.1`);
    const key = /^Sec-WebSocket-Key: (.+)$/m.exec(request)![1]!;
    const response = (await ui.page.getByTestId('handshake-response').textContent())!;
    expect(response.split('\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
    expect(response).toContain(`Sec-WebSocket-Accept: ${computeAccept(key)}`);
    const accept = ui.page.locator('[data-negotiation="accept"]');
    expect(await accept.locator('code').first().textContent()).toBe(computeAccept(key));
    expect(await accept.locator('.verdict').textContent()).toBe('✓ pass');
    const checks = ui.page.locator('[data-check]');
    expect(await checks.count()).toBeGreaterThan(5);
    expect(await ui.page.locator('[data-check][data-ok="false"]').count()).toBe(0);
    expect(await ui.page.locator('[data-check="accept-matches"] .check-result').textContent()).toBe('Pass');
    await screenshot(ui.page, 'handshake');
  });

  it('marks the preview of a compressed message as inflated; the frame keeps the compressed bytes', async () => {
    const deflating = await startWsServer({ perMessageDeflate: { threshold: 0 } });
    try {
      deflating.wss.on('connection', (ws) => ws.on('message', (data: Buffer) => ws.send(`echo: ${data.toString()}`)));
      const ws = wsViaAbsoluteForm(ui.app.proxyPort, `ws://127.0.0.1:${deflating.port}/deflate`, { perMessageDeflate: { threshold: 0 } });
      clients.push(ws);
      await opened(ws);
      expect(ws.extensions).toBe('permessage-deflate');
      const text = 'squeeze me, squeeze me, squeeze me: permessage-deflate';
      ws.send(text);
      expect((await nextMessage(ws)).data.toString()).toBe(`echo: ${text}`);
      await connectionRow('/deflate').waitFor();
      await poll(() => cell('/deflate', 6).textContent()).toBe('1');
      await select('/deflate');

      const sent = ui.page.locator('[data-frame="0"]');
      await sent.waitFor();
      const marker = sent.locator('.mark-inflated');
      expect(await marker.textContent()).toBe('inflated');
      expect(await marker.getAttribute('title')).toMatch(/^Preview of the decompressed message/);
      expect(await sent.locator('.preview').textContent()).toBe(`inflated${text}`);
      expect(await ui.page.locator('[data-frame="1"] .preview').textContent()).toBe(`inflatedecho: ${text}`);
      expect(await sent.locator('.flags').getAttribute('aria-label')).toBe('FIN 1, RSV1 1, RSV2 0, RSV3 0, MASK 1');
      await screenshot(ui.page, 'inflated-marker');

      // The row's length is wire / inflated; the hex dump is the compressed payload, which inflates to what was sent (RFC 7692 §7.2.2).
      const [length, inflated] = (await sent.locator('.td.num').nth(1).textContent())!.split(' / ').map(Number) as [number, number];
      expect(inflated).toBe(text.length);
      expect(length).toBeLessThan(text.length);
      await sent.dispatchEvent('mousedown');
      await ui.page.locator('[data-frame-detail="0"]').waitFor();
      await ui.page.getByRole('tab', { name: 'Hex' }).click();
      const hex: string[] = [];
      for (let line = 0; line * 16 < length; line++) hex.push((await ui.page.locator(`[data-hex-line="${line}"] .hex-bytes`).textContent())!);
      const payload = Buffer.from(hex.join(' ').replace(/\s+/g, ''), 'hex');
      expect(payload.length).toBe(length);
      expect(inflateRawSync(Buffer.concat([payload, Buffer.from([0x00, 0x00, 0xff, 0xff])]), { finishFlush: constants.Z_SYNC_FLUSH }).toString()).toBe(text);
      await ui.page.getByRole('tab', { name: 'Payload' }).click();
    } finally {
      await deflating.close();
    }
  });

  it('shows the session\'s size on disk, growing while traffic flows', async () => {
    const size = ui.page.locator('[data-session-size]');
    const shown = async () => Number(await size.getAttribute('data-session-size'));
    const before = await shown();
    expect(before).toBeGreaterThan(0);
    expect(await size.textContent()).toBe(`${formatBytes(before)} on disk`);
    const ws = await connect('/big');
    const big = Buffer.alloc(100_000, 'x').toString();
    ws.send(big);
    await nextMessage(ws);
    // The engine announces the session about once a second while traffic flows: keep it flowing.
    const ticker = setInterval(() => ws.send('tick'), 200);
    try {
      // The message and its echo are stored whole.
      await expect.poll(shown, { timeout: 6000 }).toBeGreaterThan(before + 2 * big.length);
    } finally {
      clearInterval(ticker);
    }
    expect(await size.textContent()).toBe(`${formatBytes(await shown())} on disk`);
  });

  it('switches to the dark theme and keeps it', async () => {
    await ui.page.getByRole('tab', { name: 'Frames' }).click();
    await ui.page.getByRole('button', { name: 'Toggle theme' }).click();
    expect(await ui.page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    await ui.page.locator('[data-frame="0"]').dispatchEvent('mousedown');
    await monacoReady(ui.page);
    await screenshot(ui.page, 'dark-theme');
    await ui.page.reload();
    await ui.page.waitForFunction('window.framescope !== undefined');
    expect(await ui.page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    expect(ui.errors).toEqual([]);
  });
});
