// Sessions from the UI: HAR export downloads a file that is valid HAR with the WebSocket fields;
// HAR import (Chrome's format) opens a new session that lists its connections, and, since Chrome
// keeps messages rather than frames, lists each connection's messages to open, filter and search.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CHROMIUM } from '../support/chromium.js';
import { harProblems } from '../support/har-schema.js';
import { closed, nextMessage, opened, wsViaAbsoluteForm } from '../support/peers.js';
import { monacoReady, screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';
import { clockTime } from '../../renderer/src/views/format.js';

/** The parts of a HAR entry the test reads. */
interface HarEntry {
  request: { url: string };
  _webSocketMessages: { type: string; data: string }[];
  _webSocketClose?: unknown;
}

const CHROME_HAR = fileURLToPath(new URL('../capture/fixtures/chrome.har', import.meta.url));

describe.runIf(existsSync(CHROMIUM))('sessions in the UI', () => {

  const ui = useUiSuite((ws) => ws.on('message', (data: Buffer) => ws.send(`echo: ${data.toString()}`)));

  it('exports the session as a HAR file that validates and holds the messages', async () => {
    const ws = wsViaAbsoluteForm(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}/export-me`);
    await opened(ws);
    ws.send('to be exported');
    await nextMessage(ws);
    ws.close(1000, 'done');
    await closed(ws);
    const row = ui.page.locator('[data-connection-id]').filter({ hasText: '/export-me' });
    await poll(() => row.locator('.td').nth(2).textContent()).toBe('closed');

    await ui.page.getByRole('button', { name: /^Session/ }).click();
    const [download] = await Promise.all([ui.page.waitForEvent('download'), ui.page.getByRole('menuitem', { name: 'Export HAR' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.har$/);
    const har = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { log: { entries: HarEntry[] } };
    expect(harProblems(har)).toEqual([]);
    const entry = har.log.entries.find((e) => e.request.url === `ws://127.0.0.1:${ui.server.port}/export-me`)!;
    expect(entry._webSocketMessages.map((m) => [m.type, m.data])).toEqual([['send', 'to be exported'], ['receive', 'echo: to be exported']]);
    expect(entry._webSocketClose).toEqual({ code: 1000, reason: 'done', closedBy: 'client' });
  });

  it('imports a HAR from Chrome as a new session and lists its connections', async () => {
    await ui.page.getByRole('button', { name: /^Session/ }).click();
    const [chooser] = await Promise.all([ui.page.waitForEvent('filechooser'), ui.page.getByRole('menuitem', { name: 'Import HAR…' }).click()]);
    await chooser.setFiles(CHROME_HAR);
    const row = ui.page.locator('[data-connection-id]').filter({ hasText: 'wss://chat.example.com/socket?room=42' });
    await row.waitFor();
    expect(await ui.page.locator('[data-connection-id]').count()).toBe(1);
    expect(await ui.page.locator('.session-name').textContent()).toBe('chrome');
  });

  it('lists the imported messages (Chrome keeps no frames) with time, direction, opcode, size and data', async () => {
    await ui.page.locator('[data-connection-id]').first().dispatchEvent('mousedown');
    await ui.page.getByRole('tab', { name: 'Frames' }).click();
    await ui.page.locator('[data-message="3"]').waitFor();
    expect(await ui.page.locator('.filter-status').textContent()).toBe('4 messages');
    const rows = await Promise.all([0, 1, 2, 3].map((n) => ui.page.locator(`[data-message="${n}"] .td`).allTextContents()));
    // #, time, direction, opcode, size, data and flags (none): as chrome.har's _webSocketMessages have them.
    expect(rows).toEqual([
      ['0', clockTime(1714557600051.234), '↑', 'TEXT', '25', '{"type":"join","room":42}', ''],
      ['1', clockTime(1714557600089), '↓', 'TEXT', '27', '{"type":"joined","users":3}', ''],
      ['2', clockTime(1714557601500), '↓', 'BIN', '5', '00 01 02 03 ff', ''],
      ['3', clockTime(1714557602250), '↑', 'TEXT', '7', 'bye ✓', ''],
    ]);
    // The connection's row counts its messages: wire frames and bytes are unknown.
    expect((await ui.page.locator('[data-connection-id] .td').allTextContents()).slice(5, 9)).toEqual(['2 msg', '2 msg', '—', '—']);
    await screenshot(ui.page, 'imported-messages');
  });

  it('opens an imported message: JSON pretty-printed, binary as a hex dump, copied exactly', async () => {
    await ui.page.locator('[data-message="0"]').dispatchEvent('mousedown');
    const detail = ui.page.locator('[data-message-detail="0"]');
    await detail.waitFor();
    expect(await detail.locator('.detail-title').textContent()).toMatch(/^Message #0↑ client → serverTEXT25 B · /);
    expect(await detail.getByRole('radio', { name: 'JSON' }).getAttribute('aria-checked')).toBe('true');
    await monacoReady(ui.page);
    await poll(async () => (await detail.locator('.payload-editor .view-lines').textContent())!.replace(/\u00a0/g, ' ')).toBe('{  "type": "join",  "room": 42}');
    await screenshot(ui.page, 'imported-message-detail');
    await detail.getByRole('button', { name: 'Copy', exact: true }).click();
    await ui.page.getByRole('menuitem', { name: 'As base64' }).click();
    expect(await ui.page.evaluate('navigator.clipboard.readText()')).toBe(Buffer.from('{"type":"join","room":42}').toString('base64'));

    await ui.page.locator('[data-message="2"]').dispatchEvent('mousedown');
    const binary = ui.page.locator('[data-message-detail="2"]');
    await binary.waitFor();
    expect(await binary.locator('[data-hex-line="0"] .hex-bytes').textContent()).toMatch(/^00 01 02 03 ff\s*$/);
    await binary.getByRole('button', { name: 'Copy', exact: true }).click();
    await ui.page.getByRole('menuitem', { name: 'As hex' }).click();
    expect(await ui.page.evaluate('navigator.clipboard.readText()')).toBe('00010203ff');

    // The arrow keys move through the messages as through frames.
    await ui.page.getByRole('grid', { name: 'Messages' }).focus();
    await ui.page.keyboard.press('ArrowDown');
    await ui.page.locator('[data-message-detail="3"]').waitFor();
    await poll(async () => (await ui.page.locator('[data-message-detail="3"] .payload-editor .view-lines').textContent())!.replace(/\u00a0/g, ' ')).toBe('bye ✓');
  });

  it('filters the imported messages by direction and opcode', async () => {
    const shown = () => ui.page.locator('[data-message]').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-message'))).sort((a, b) => a - b));
    await ui.page.getByRole('radio', { name: '↑ Sent' }).click();
    await poll(() => ui.page.locator('.filter-status').textContent()).toBe('2 messages match');
    await poll(shown).toEqual([0, 3]);
    await ui.page.getByRole('radiogroup', { name: 'Direction' }).getByRole('radio', { name: 'All' }).click();
    await ui.page.getByRole('combobox', { name: 'Opcode' }).selectOption({ label: 'Binary' });
    await poll(() => ui.page.locator('.filter-status').textContent()).toBe('1 message match');
    await poll(shown).toEqual([2]);
    await ui.page.getByRole('combobox', { name: 'Opcode' }).selectOption({ label: 'All opcodes' });
    await poll(() => ui.page.locator('.filter-status').textContent()).toBe('4 messages');
  });

  it('searches the imported messages: the hits name messages and open them', async () => {
    const search = ui.page.getByRole('searchbox', { name: 'Search payloads' });
    await search.fill('"type"');
    await search.press('Enter');
    await poll(() => ui.page.locator('[data-hit] .preview').allTextContents()).toEqual(['{"type":"join","room":42}', '{"type":"joined","users":3}']);
    expect(await ui.page.locator('[data-hit]').evaluateAll((els) => els.map((el) => el.getAttribute('data-hit')))).toEqual(['0', '1']);
    await ui.page.locator('[data-hit="1"]').dispatchEvent('mousedown');
    await ui.page.locator('[data-message-detail="1"]').waitFor();
    await screenshot(ui.page, 'imported-har');
    // Double-click: back to the message list, at that message.
    await ui.page.locator('[data-hit="1"]').dblclick();
    await ui.page.locator('[data-message="1"].selected').waitFor();
    expect(await ui.page.locator('.filter-status').textContent()).toBe('4 messages');
    expect(ui.errors).toEqual([]);
  });
});
