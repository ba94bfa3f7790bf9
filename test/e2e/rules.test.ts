// Rules in the UI, in Chromium on real traffic: a rule made in the Rules view's form is saved to the
// app's rules file (0600) and rewrites the next live message; the frame list marks that message with
// the rule's name; a bad value is refused with the rule and the field named, and changes nothing; the
// file edited on disk shows in the open view without reopening it, and so does a refused edit.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WebSocket } from 'ws';
import { CHROMIUM } from '../support/chromium.js';
import { closed, nextMessage, opened, wsViaAbsoluteForm } from '../support/peers.js';
import { screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

describe.runIf(existsSync(CHROMIUM))('rules in the UI', () => {
  const ui = useUiSuite((ws) => {
    ws.on('message', (data: Buffer) => ws.send(`hello ${data.toString()}`));
    ws.on('error', () => {});
  });
  const clients: WebSocket[] = [];
  afterAll(() => {
    for (const c of clients) c.terminate();
  });
  const page = () => ui.page;
  const view = () => page().locator('[data-view="rules"]');

  it('creates a rule in the Rules view, sees it act on live traffic, and sees the badge', async () => {
    await page().getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: 'Rules' }).click();
    await view().getByText('No rules yet.').waitFor();
    const form = view().getByRole('form', { name: 'New rule' });
    await form.getByLabel('Rule name').fill('shout');
    await form.getByLabel('Direction').selectOption('receive');
    await form.getByLabel('Message contains').fill('hello');
    await form.getByLabel('Action').selectOption('rewrite');
    await form.getByLabel('Pattern').fill('hello');
    await form.getByLabel('Replacement').fill('HELLO');
    await form.getByRole('button', { name: 'Add rule' }).click();
    const item = view().locator('[data-rule="shout"]');
    await poll(() => item.locator('.rule-words').textContent()).toBe('Server-to-client messages containing "hello": replace /hello/ with "HELLO".');
    const file = join(ui.app.home, 'rules.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ rules: [{ name: 'shout', enabled: true, scope: { direction: 'receive' }, match: { contains: 'hello' }, actions: [{ type: 'rewrite', regex: 'hello', replace: 'HELLO' }] }] });
    await screenshot(page(), 'rules-view');

    const path = '/rules-live';
    const ws = wsViaAbsoluteForm(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}${path}`);
    clients.push(ws);
    await opened(ws);
    ws.send('world');
    expect((await nextMessage(ws)).data.toString()).toBe('HELLO world');
    ws.close(1000);
    await closed(ws);

    await page().getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: 'Traffic' }).click();
    const row = page().locator('[data-connection-id]').filter({ hasText: path }).first();
    await poll(() => row.locator('.td').nth(2).textContent()).toBe('closed');
    await row.dispatchEvent('mousedown');
    await page().getByRole('tab', { name: 'Frames' }).click();
    // Frames: the client's message, the server's original (replaced), the rule's version, then the closes.
    await page().locator('[data-frame="2"]').waitFor();
    expect(await page().locator('[data-frame="0"] .mark-rule').count()).toBe(0);
    expect(await page().locator('[data-frame="1"] .mark-rule').textContent()).toBe('rule: shout');
    expect(await page().locator('[data-frame="1"] .mark-replaced').count()).toBe(1);
    expect(await page().locator('[data-frame="2"] .mark-rule').textContent()).toBe('rule: shout');
    await page().locator('[data-frame="2"]').dispatchEvent('mousedown');
    await poll(() => page().locator('[data-frame-detail="2"] .info-line').filter({ hasText: 'Rule:' }).textContent()).toBe('Sent by Framescope in place of the held original (edited). Rule: shout.');
    await screenshot(page(), 'rules-badge');
  });

  it('refuses a bad value with the rule and the field named, and keeps the rules as they were', async () => {
    await page().getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: 'Rules' }).click();
    const form = view().getByRole('form', { name: 'New rule' });
    await form.getByLabel('Rule name').fill('lag');
    await form.getByLabel('Action').selectOption('delay');
    await form.getByLabel('Delay (ms)').fill('soon');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await poll(() => view().getByRole('alert').textContent()).toBe('rule "lag" (#2), actions[0].ms: must be a number of milliseconds, 0 or more');
    expect(await view().locator('[data-rule]').count()).toBe(1);
    expect(JSON.parse(readFileSync(join(ui.app.home, 'rules.json'), 'utf8')).rules.map((r: { name: string }) => r.name)).toEqual(['shout']);
  });

  it('shows the rules file edited on disk in the open view, and a refused edit with the rules kept', async () => {
    await page().getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: 'Rules' }).click();
    await view().locator('[data-rule="shout"]').waitFor();
    const file = join(ui.app.home, 'rules.json');
    // As an editor saves: a new file renamed over the old one.
    const write = (text: string) => {
      writeFileSync(`${file}.edit`, text, { mode: 0o600 });
      renameSync(`${file}.edit`, file);
    };
    write(JSON.stringify({ rules: [{ name: 'quiet', scope: { direction: 'send' }, match: { contains: 'psst' }, actions: [{ type: 'drop' }] }] }));
    await poll(() => view().locator('[data-rule="quiet"] .rule-words').textContent()).toBe('Client-to-server messages containing "psst": drop.');
    expect(await view().locator('[data-rule]').count()).toBe(1);

    write('{"rules": [{"name": "broken", "actions": [{"type": "delay", "ms": -1}]}]}');
    await poll(() => view().locator('.rules-error', { hasText: 'was not reloaded' }).textContent()).toBe(`the rules file ${file} was not reloaded, the earlier rules stay in force: rule "broken" (#1), actions[0].ms: must be a number of milliseconds, 0 or more`);
    expect(await view().locator('[data-rule]').count()).toBe(1);
    await view().locator('[data-rule="quiet"]').waitFor();
  });
});
