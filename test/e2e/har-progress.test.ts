// A HAR import from the UI shows its progress with a Cancel button; cancelling leaves no session.
// A finished import's progress bar goes away.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM } from '../support/chromium.js';
import { screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

/** A HAR of one connection with `count` binary messages of 64 KiB. */
function bigHar(count: number): string {
  const data = Buffer.alloc(64 * 1024, 7).toString('base64');
  const messages = Array.from({ length: count }, (_, i) => ({ type: i % 2 ? 'receive' : 'send', time: 1714557600 + i / 1000, opcode: 2, data }));
  return JSON.stringify({ log: { version: '1.2', creator: { name: 'test', version: '1' }, entries: [{
    startedDateTime: '2024-05-01T10:00:00.000Z', _resourceType: 'websocket',
    request: { method: 'GET', url: 'ws://example.test/big', httpVersion: 'HTTP/1.1', headers: [] },
    response: { status: 101, statusText: 'Switching Protocols', httpVersion: 'HTTP/1.1', headers: [] },
    _webSocketMessages: messages,
  }] } });
}

describe.runIf(existsSync(CHROMIUM))('HAR job progress in the UI', () => {
  const ui = useUiSuite();
  const dir = mkdtempSync(join(tmpdir(), 'framescope-har-progress-'));
  const sessions = () => readdirSync(join(ui.app.home, 'sessions')).filter((f) => f.endsWith('.fscap')).sort();

  it('shows an upload\'s progress and cancels it, leaving no session', async () => {
    // The page's control socket runs through a route that holds every message after the third upload
    // piece, so Cancel is clicked while the upload is certainly under way however fast the machine is;
    // the held messages then go on in their order (the Cancel's request after the piece in flight).
    const held: (string | Buffer)[] = [];
    let pieces = 0;
    let holding = false;
    let release = () => {};
    await ui.page.routeWebSocket(/\/control/, (route) => {
      const server = route.connectToServer();
      route.onMessage((message) => {
        if (holding) return void held.push(message);
        server.send(message);
        if (String(message).includes('"writeHarImport"') && ++pieces === 3) holding = true;
      });
      release = () => {
        holding = false;
        for (const message of held.splice(0)) server.send(message);
      };
    });
    await ui.page.reload();
    await ui.page.evaluate('window.framescope.initialized');
    const file = join(dir, 'big.har');
    writeFileSync(file, bigHar(64)); // 5.5 MiB of text: six pieces, and the upload is held after three
    await ui.page.getByRole('button', { name: /^Session/ }).click();
    const [chooser] = await Promise.all([ui.page.waitForEvent('filechooser'), ui.page.getByRole('menuitem', { name: 'Import HAR…' }).click()]);
    await chooser.setFiles(file);
    const bar = ui.page.getByRole('status', { name: 'Uploading HAR' });
    await bar.waitFor();
    await poll(() => holding).toBe(true);
    // Three pieces of 1 MiB answered; the fourth is held.
    const fraction = (3 * 1024 * 1024) / statSync(file).size;
    await poll(() => bar.locator('.har-job-label').textContent()).toBe(`Uploading HAR ${Math.floor(fraction * 100)}%`);
    expect(Number(await bar.locator('progress').getAttribute('value'))).toBeCloseTo(fraction, 6);
    await screenshot(ui.page, 'har-import-progress');
    await bar.getByRole('button', { name: 'Cancel' }).click();
    await poll(() => held.some((m) => String(m).includes('"cancelHarJob"'))).toBe(true);
    release();
    await ui.page.getByText('Import of big.har cancelled').waitFor();
    await poll(() => bar.count()).toBe(0);
    await poll(sessions).not.toContain('big.fscap');
    expect(pieces).toBe(3);
  });

  it('imports a small HAR to the end and takes the bar away', async () => {
    const file = join(dir, 'small.har');
    writeFileSync(file, bigHar(4));
    await ui.page.getByRole('button', { name: /^Session/ }).click();
    const [chooser] = await Promise.all([ui.page.waitForEvent('filechooser'), ui.page.getByRole('menuitem', { name: 'Import HAR…' }).click()]);
    await chooser.setFiles(file);
    await ui.page.getByText('Imported small.har').waitFor();
    expect(await ui.page.locator('.session-name').textContent()).toBe('small');
    expect(await ui.page.locator('.har-job').count()).toBe(0);
    expect(sessions()).toContain('small.fscap');
  });
});
