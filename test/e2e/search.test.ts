// Search across sessions in the UI: a query over this session or every saved session, streamed
// results with their session and connection, a saved filter kept in settings.json (0600) across a
// reload, and a result that opens its session with its frame selected.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM } from '../support/chromium.js';
import { converseThrough } from '../support/peers.js';
import { screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

describe.runIf(existsSync(CHROMIUM))('search across sessions in the UI', () => {
  const ui = useUiSuite((ws) => ws.on('message', () => ws.send('ok')));
  let first = '';

  async function converse(path: string, texts: string[]): Promise<void> {
    await converseThrough(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}${path}`, texts);
    await poll(() => ui.page.locator('[data-connection-id]').filter({ hasText: path }).locator('.td').nth(2).textContent()).toBe('closed');
  }

  const results = () => ui.page.locator('[data-hit]').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('.td')].map((c) => c.textContent)));

  it('finds matches in this session or in every saved session', async () => {
    await converse('/alpha', ['hay', 'a Needle in the first session']);
    first = (await ui.page.evaluate('window.framescope.session.session.name')) as string;
    await ui.page.evaluate('window.framescope.session.newSession("later")');
    // Three messages, so its connection #1 has more frames than the first session's #1 (lists of the
    // same id and length across a session switch are defect 6 of issue 14, the ui helper's).
    await converse('/beta', ['needle in later', 'hay', 'more hay']);

    await ui.page.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: 'Search' }).click();
    const view = ui.page.locator('[data-view="search"]');
    await view.getByLabel('Search text').fill('needle');
    await view.getByRole('button', { name: 'Search', exact: true }).click();
    await poll(() => view.getByRole('status').textContent()).toMatch(/^1 match in 1 session \(\d+ messages and frames searched\)$/);
    expect((await results()).map((r) => [r[0], r[1]!.replace(/ ws:.*\//, ' /'), r[2], r[5]])).toEqual([['later', '#1 /beta', '↑', 'needle in later']]);

    await view.getByLabel('Scope').selectOption('all');
    await view.getByRole('button', { name: 'Search', exact: true }).click();
    await poll(() => view.getByRole('status').textContent()).toMatch(/^2 matches in 2 sessions \(\d+ messages and frames searched\)$/);
    expect((await results()).map((r) => [r[0], r[5]]).sort()).toEqual([[first, 'a Needle in the first session'], ['later', 'needle in later']]);
    await screenshot(ui.page, 'search');

    await view.getByText('Match case').click();
    await view.getByRole('button', { name: 'Search', exact: true }).click();
    await poll(() => view.getByRole('status').textContent()).toMatch(/^1 match in 2 sessions/);
  });

  it('saves a filter in settings.json and offers it again after a reload', async () => {
    const view = ui.page.locator('[data-view="search"]');
    await view.getByLabel('Filter name').fill('needles');
    await view.getByRole('button', { name: 'Save filter' }).click();
    const file = join(ui.app.home, 'settings.json');
    await poll(() => existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).savedFilters).toEqual([{ name: 'needles', filter: { text: 'needle' } }]);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    await ui.page.reload();
    await ui.page.waitForFunction('window.framescope !== undefined');
    await ui.page.evaluate('window.framescope.initialized');
    await ui.page.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: 'Search' }).click();
    await poll(() => view.getByLabel('Saved filters').locator('option').allTextContents()).toEqual(['Saved filters…', 'needles']);
    expect(await view.getByLabel('Search text').inputValue()).toBe('');
    await view.getByLabel('Saved filters').selectOption('needles');
    expect(await view.getByLabel('Search text').inputValue()).toBe('needle');
    expect(await view.getByLabel('Match case').isChecked()).toBe(true);
  });

  it('opens a result in its session with its frame selected', async () => {
    const view = ui.page.locator('[data-view="search"]');
    await view.getByText('Match case').click();
    await view.getByLabel('Scope').selectOption('all');
    await view.getByRole('button', { name: 'Search', exact: true }).click();
    await poll(() => view.getByRole('status').textContent()).toMatch(/^2 matches in 2 sessions/);
    // Arrow keys walk the results; Enter opens the one selected.
    const hit = view.locator('[data-hit]').filter({ hasText: 'a Needle in the first session' });
    const index = Number(await hit.getAttribute('data-hit'));
    await view.locator('[data-hit="0"]').click();
    expect(await view.locator('[data-hit="0"]').getAttribute('aria-selected')).toBe('true');
    if (index === 1) await ui.page.keyboard.press('ArrowDown');
    await poll(() => hit.getAttribute('aria-selected')).toBe('true');
    await ui.page.keyboard.press('Enter');
    await poll(() => ui.page.locator('.session-name').textContent()).toBe(first);
    // The first session's /alpha: hay (frame 0), ok (1), the needle (frame 2).
    await poll(() => ui.page.locator('[data-frame="2"]').getAttribute('aria-selected')).toBe('true');
    expect(await ui.page.locator('[data-connection-id][aria-selected="true"]').textContent()).toContain('/alpha');
    expect(ui.errors).toEqual([]);
  });
});
