// Compare in the UI: a connection compared with its replay from the connection's own actions (the
// server answers each connection with its ordinal, so exactly the answers differ, by one JSON path);
// then connections of two sessions picked side by side.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { CHROMIUM } from '../support/chromium.js';
import { converseThrough } from '../support/peers.js';
import { screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

interface Row { id: number; url: string; state: string; messageCount: number }

describe.runIf(existsSync(CHROMIUM))('compare in the UI', () => {
  const ordinals = new Map<string, number>();
  // Answers {"echo": text, "ordinal": n}, n counting the connections to its path.
  const ui = useUiSuite((ws, request) => {
    const path = request.url ?? '';
    const ordinal = (ordinals.get(path) ?? 0) + 1;
    ordinals.set(path, ordinal);
    ws.on('message', (data: Buffer) => ws.send(JSON.stringify({ echo: data.toString(), ordinal })));
  });

  const connections = () => ui.page.evaluate('window.framescope.client.request("listConnections", {})') as Promise<Row[]>;

  async function converse(path: string, texts: string[]): Promise<void> {
    await converseThrough(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}${path}`, texts);
    await poll(async () => (await connections()).filter((c) => c.url.endsWith(path) && c.state === 'closed').length).toBeGreaterThan(0);
  }

  const rowKinds = () => ui.page.locator('[data-compare-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')));

  it('compares a connection with its replay from the connection\'s actions', async () => {
    // One request: a fast replay sends all its requests at once, so with more the order of the
    // answers among them would depend on the server's timing.
    await converse('/orders', ['{"qty":10}']);
    const original = (await connections()).find((c) => c.url.endsWith('/orders'))!;
    await ui.page.evaluate(`window.framescope.client.request("replay", { connectionId: ${original.id}, timing: "fast" })`);
    await poll(async () => (await connections()).filter((c) => c.url.endsWith('/orders') && c.messageCount === 2).length).toBe(2);
    const replay = (await connections()).filter((c) => c.url.endsWith('/orders')).find((c) => c.id !== original.id)!;

    await ui.page.locator(`[data-connection-id="${original.id}"]`).dispatchEvent('mousedown');
    await ui.page.getByRole('button', { name: 'Actions' }).click();
    await ui.page.getByRole('menuitem', { name: 'Compare with…' }).click();
    const view = ui.page.locator('[data-view="compare"]');
    await view.waitFor();
    await poll(() => view.getByLabel('Left connection').inputValue()).toBe(String(original.id));
    expect(await view.getByLabel('Right connection').inputValue()).toBe(String(replay.id));
    await poll(rowKinds).toEqual(['same', 'changed']);
    expect(await view.getByLabel('Comparison summary').textContent()).toBe('1 same1 changed0 added0 removed');
    expect(await ui.page.locator('[data-compare-row="1"] .compare-preview').allTextContents()).toEqual(['{"echo":"{\\"qty\\":10}","ordinal":1}', '{"echo":"{\\"qty\\":10}","ordinal":2}']);

    await ui.page.locator('[data-compare-row="1"]').dispatchEvent('mousedown');
    const diffRow = view.locator('[data-path="$.ordinal"]');
    await diffRow.waitFor();
    expect(await diffRow.locator('td').allTextContents()).toEqual(['$.ordinal', 'changed', '1', '2']);
    expect(await view.locator('.json-diff tbody tr').count()).toBe(1);
    expect(await view.getByLabel('Left message').textContent()).toBe('{"echo":"{\\"qty\\":10}","ordinal":1}');
    await screenshot(ui.page, 'compare');

    // The arrow keys walk the rows: up from the answer is the request, identical on both sides.
    await ui.page.locator('[data-compare-row="1"]').click();
    await ui.page.keyboard.press('ArrowUp');
    await poll(() => view.locator('[data-compare-row="0"]').getAttribute('aria-selected')).toBe('true');
    await poll(() => view.locator('.pair-verdict').textContent()).toBe('The two messages are identical.');
  });

  it('compares connections of two sessions picked side by side', async () => {
    const first = (await ui.page.evaluate('window.framescope.session.session.name')) as string;
    const original = (await connections()).find((c) => c.url.endsWith('/orders'))!;
    await ui.page.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: 'Traffic' }).click();
    await ui.page.evaluate('window.framescope.session.newSession("second")');
    await converse('/orders', ['extra', '{"qty":10}']);
    const fresh = (await connections()).find((c) => c.url.endsWith('/orders'))!;

    await ui.page.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: 'Compare' }).click();
    const view = ui.page.locator('[data-view="compare"]');
    await poll(() => view.getByLabel('Left session').locator('option').allTextContents()).toContain('second (live)');
    await view.getByLabel('Left session').selectOption(first);
    await poll(() => view.getByLabel('Left connection').locator('option').count()).toBeGreaterThan(1);
    await view.getByLabel('Left connection').selectOption(String(original.id));
    await view.getByLabel('Right session').selectOption('second');
    await poll(() => view.getByLabel('Right connection').locator('option').count()).toBeGreaterThan(1);
    await view.getByLabel('Right connection').selectOption(String(fresh.id));
    // extra and its answer (added), the order (same), its answer (ordinal 1 against 3: changed).
    await poll(rowKinds).toEqual(['added', 'added', 'same', 'changed']);
    expect(await view.locator('.compare-head').textContent()).toBe(`##${original.id} ${first}##${fresh.id} second`);
    expect(ui.errors).toEqual([]);
  });
});
