// "Mock this connection" in a connection's actions: the UI shows the mock's address, a ws client that
// connects there gets the recorded answers, and Stop closes it.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { WebSocket } from 'ws';
import { CHROMIUM } from '../support/chromium.js';
import { converseThrough, nextMessage, opened } from '../support/peers.js';
import { poll, useUiSuite } from './support/ui-suite.js';

describe.runIf(existsSync(CHROMIUM))('mocking a connection from the UI', () => {
  const clients: WebSocket[] = [];
  const ui = useUiSuite((ws) => {
    ws.on('message', (data: Buffer) => ws.send(`answer: ${data.toString()}`));
    ws.on('error', () => {});
  });

  afterAll(() => {
    for (const c of clients) c.terminate();
  });

  it('shows the address of a mock that answers a client like the recorded server, and stops it', async () => {
    await converseThrough(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}/to-mock`, ['q1', 'q2']);
    const row = ui.page.locator('[data-connection-id]').filter({ hasText: '/to-mock' }).first();
    await poll(() => row.locator('.td').nth(2).textContent()).toBe('closed');
    await row.dispatchEvent('mousedown');
    await ui.page.getByRole('button', { name: 'Actions' }).click();
    await ui.page.getByRole('menuitem', { name: 'Mock this connection' }).click();

    const bar = ui.page.getByRole('region', { name: 'Mocks' });
    const address = bar.getByLabel('Mock address');
    await address.waitFor();
    const url = (await address.textContent()) ?? '';
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await bar.textContent()).toContain(`Mock of #${await row.getAttribute('data-connection-id')} at`);

    const ws = new WebSocket(`${url}to-mock`);
    clients.push(ws);
    ws.on('error', () => {});
    await opened(ws);
    const answers: string[] = [];
    for (const text of ['q1', 'q2']) {
      const answer = nextMessage(ws);
      ws.send(text);
      answers.push((await answer).data.toString());
    }
    expect(answers).toEqual(['answer: q1', 'answer: q2']);
    await poll(() => bar.getByText(/^\d+ connections?$/).textContent()).toBe('1 connection');

    await bar.getByRole('button', { name: 'Stop' }).click();
    await bar.waitFor({ state: 'detached' });
    const refused = new WebSocket(url);
    const outcome = await new Promise<string>((resolve) => {
      refused.once('open', () => resolve('open'));
      refused.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    expect(outcome).toBe('ECONNREFUSED');
    expect(ui.errors).toEqual([]);
  });
});
