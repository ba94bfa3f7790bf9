// Sessions from the UI: HAR export downloads a file that is valid HAR with the WebSocket fields;
// HAR import (Chrome's format) opens a new session that lists its connections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM } from '../support/chromium.js';
import { harProblems } from '../support/har-schema.js';
import { closed, nextMessage, opened, startWsServer, wsViaAbsoluteForm } from '../support/peers.js';
import { ensureBuilt } from './support/build.js';
import { launchChromium, openUi, screenshot, startApp, type RunningApp } from './support/ui-app.js';

/** The parts of a HAR entry the test reads. */
interface HarEntry {
  request: { url: string };
  _webSocketMessages: { type: string; data: string }[];
  _webSocketClose?: unknown;
}

const CHROME_HAR = fileURLToPath(new URL('../capture/fixtures/chrome.har', import.meta.url));

describe.runIf(existsSync(CHROMIUM))('sessions in the UI', () => {
  let app: RunningApp;
  let server: Awaited<ReturnType<typeof startWsServer>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 5000 });

  beforeAll(async () => {
    await ensureBuilt();
    [app, server, browser] = await Promise.all([startApp(), startWsServer(), launchChromium()]);
    server.wss.on('connection', (ws) => ws.on('message', (data: Buffer) => ws.send(`echo: ${data.toString()}`)));
    ({ page, errors } = await openUi(browser, app.url));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await app?.stop();
  });

  it('exports the session as a HAR file that validates and holds the messages', async () => {
    const ws = wsViaAbsoluteForm(app.proxyPort, `ws://127.0.0.1:${server.port}/export-me`);
    await opened(ws);
    ws.send('to be exported');
    await nextMessage(ws);
    ws.close(1000, 'done');
    await closed(ws);
    const row = page.locator('[data-connection-id]').filter({ hasText: '/export-me' });
    await poll(() => row.locator('.td').nth(2).textContent()).toBe('closed');

    await page.getByRole('button', { name: /^Session/ }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: 'Export HAR' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.har$/);
    const har = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { log: { entries: HarEntry[] } };
    expect(harProblems(har)).toEqual([]);
    const entry = har.log.entries.find((e) => e.request.url === `ws://127.0.0.1:${server.port}/export-me`)!;
    expect(entry._webSocketMessages.map((m) => [m.type, m.data])).toEqual([['send', 'to be exported'], ['receive', 'echo: to be exported']]);
    expect(entry._webSocketClose).toEqual({ code: 1000, reason: 'done', closedBy: 'client' });
  });

  it('imports a HAR from Chrome as a new session and lists its connections', async () => {
    await page.getByRole('button', { name: /^Session/ }).click();
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('menuitem', { name: 'Import HAR…' }).click()]);
    await chooser.setFiles(CHROME_HAR);
    const row = page.locator('[data-connection-id]').filter({ hasText: 'wss://chat.example.com/socket?room=42' });
    await row.waitFor();
    expect(await page.locator('[data-connection-id]').count()).toBe(1);
    expect(await page.locator('.session-name').textContent()).toBe('chrome');
    // Chrome keeps messages, not frames: the UI says so, and search lists the messages.
    await row.dispatchEvent('mousedown');
    await page.getByRole('tab', { name: 'Frames' }).click();
    expect(await page.getByTestId('messages-only').locator('p').first().textContent()).toBe('No frames were recorded for this connection, only its 4 messages.');
    const search = page.getByRole('searchbox', { name: 'Search payloads' });
    await search.fill('"type"');
    await search.press('Enter');
    await poll(() => page.locator('[data-hit] .preview').allTextContents()).toEqual(['{"type":"join","room":42}', '{"type":"joined","users":3}']);
    await screenshot(page, 'imported-har');
    expect(errors).toEqual([]);
  });
});
