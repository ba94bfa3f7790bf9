// A HAR import from the UI shows its progress with a Cancel button; cancelling leaves no session.
// A finished import's progress bar goes away.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
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
    const file = join(dir, 'big.har');
    writeFileSync(file, bigHar(1024)); // 87 MiB of text: many pieces, so Cancel comes well before the end
    await ui.page.getByRole('button', { name: /^Session/ }).click();
    const [chooser] = await Promise.all([ui.page.waitForEvent('filechooser'), ui.page.getByRole('menuitem', { name: 'Import HAR…' }).click()]);
    await chooser.setFiles(file);
    const bar = ui.page.getByRole('status', { name: 'Uploading HAR' });
    await bar.waitFor();
    await poll(() => bar.locator('progress').getAttribute('value').then((v) => Number(v ?? 0) > 0)).toBe(true);
    await screenshot(ui.page, 'har-import-progress');
    await bar.getByRole('button', { name: 'Cancel' }).click();
    await ui.page.getByText('Import of big.har cancelled').waitFor();
    await poll(() => bar.count()).toBe(0);
    await poll(sessions).not.toContain('big.fscap');
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
