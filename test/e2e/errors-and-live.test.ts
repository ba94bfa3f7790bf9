// The error log groups errors by kind and host and says what to do; a group can be muted (kept
// across reloads) so a browser's background TLS noise stays out of the log and the badge; the badge
// clears once the log is seen. While another session is browsed, a live badge counts the connections
// the live session opened and brings it back in one click.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { WebSocket } from 'ws';
import { CHROMIUM } from '../support/chromium.js';
import { opened, wsViaAbsoluteForm } from '../support/peers.js';
import { rawExchange } from '../support/raw-http.js';
import { screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

/** A TLS record that holds no valid ClientHello: the proxy's TLS interception fails on it. */
const BAD_CLIENT_HELLO = Buffer.from('16030100050100000100', 'hex');

describe.runIf(existsSync(CHROMIUM))('the error log and the live badge', () => {
  const ui = useUiSuite();
  const clients: WebSocket[] = [];
  afterAll(() => {
    for (const ws of clients) ws.terminate();
  });

  /** A client that fails TLS with the proxy for host (what a browser's background traffic does without the CA). */
  const failTls = (host: string) => rawExchange(ui.app.proxyPort, [`CONNECT ${host}:443 HTTP/1.1\r\nHost: ${host}:443\r\n\r\n`, BAD_CLIENT_HELLO]);
  /** A plain request to a host that does not resolve. */
  const failDns = () => rawExchange(ui.app.proxyPort, 'GET http://no-such-host.invalid:8081/x HTTP/1.1\r\nHost: no-such-host.invalid:8081\r\n\r\n');
  const badge = () => ui.page.getByTestId('error-badge');
  const group = (key: string) => ui.page.locator(`.modal .error-group[data-error-group="${key}"]`);

  it('groups errors by kind and host, says what to do, and clears the badge once seen', async () => {
    for (let i = 0; i < 3; i++) await failTls('accounts.google.com');
    for (let i = 0; i < 2; i++) await failTls('clients2.google.com');
    await failDns();
    await poll(() => badge().textContent()).toBe('6 errors (6 new)');
    expect(await badge().getAttribute('class')).toContain('has-errors');

    await badge().click();
    const tls = group('tls-client accounts.google.com');
    await tls.waitFor();
    expect(await ui.page.locator('.modal .error-group').count()).toBe(3);
    expect(await tls.locator('.error-count').textContent()).toBe('3×');
    expect(await tls.locator('.error-group-head strong').textContent()).toBe('TLS with the client failed');
    expect(await tls.locator('.error-advice').first().textContent()).toMatch(/^The client does not trust Framescope's CA for this host\./);
    expect(await tls.locator('.error-message').textContent()).toMatch(/^TLS with the client for accounts\.google\.com failed: /);
    expect(await group('tls-client clients2.google.com').locator('.error-count').textContent()).toBe('2×');
    const dns = group('dns no-such-host.invalid');
    expect(await dns.locator('.error-group-head strong').textContent()).toBe('Host name does not resolve');
    expect(await dns.locator('.error-message').textContent()).toMatch(/no-such-host\.invalid:8081/);
    await screenshot(ui.page, 'error-log');
    // Seen: the badge is no longer red, and errors arriving while the log is open are seen too.
    await poll(() => badge().getAttribute('class')).not.toContain('has-errors');
    await failDns();
    await poll(() => dns.locator('.error-count').textContent()).toBe('2×');
    await ui.page.keyboard.press('Escape');
    expect(await badge().textContent()).toBe('7 errors');
    expect(await badge().getAttribute('class')).not.toContain('has-errors');
  });

  it('mutes a host\'s background noise: out of the log and the badge, and still muted after a reload', async () => {
    await badge().click();
    await group('tls-client accounts.google.com').getByRole('button', { name: 'Mute host' }).click();
    await poll(() => group('tls-client accounts.google.com').count()).toBe(0);
    expect(await ui.page.getByTestId('muted-errors').locator('summary').textContent()).toBe('1 muted (3 errors)');
    await ui.page.keyboard.press('Escape');
    await poll(() => badge().textContent()).toBe('4 errors');

    await failTls('accounts.google.com');
    await failDns();
    await poll(() => badge().textContent()).toBe('5 errors (1 new)');

    await ui.page.reload();
    await ui.page.waitForFunction('window.framescope !== undefined');
    await ui.page.evaluate('window.framescope.initialized');
    await failTls('accounts.google.com');
    await failTls('clients2.google.com');
    await poll(() => badge().textContent()).toBe('1 error (1 new)');
    await badge().click();
    await group('tls-client clients2.google.com').waitFor();
    expect(await ui.page.getByTestId('muted-errors').locator('summary').textContent()).toBe('1 muted (1 errors)');
    await ui.page.keyboard.press('Escape');
  });

  it('shows a live badge with the new connections while another session is browsed, and goes back in one click', async () => {
    const first = wsViaAbsoluteForm(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}/before-leaving`);
    clients.push(first);
    await opened(first);
    await ui.page.locator('[data-connection-id]').filter({ hasText: '/before-leaving' }).waitFor();
    const liveName = (await ui.page.locator('.session-name').textContent())!;
    expect(await ui.page.getByTestId('live-badge').count()).toBe(0);

    // Browse a copy of this session: the live one goes on recording out of view.
    await ui.page.getByRole('button', { name: /^Session/ }).click();
    const [download] = await Promise.all([ui.page.waitForEvent('download'), ui.page.getByRole('menuitem', { name: 'Export HAR' }).click()]);
    await ui.page.getByRole('button', { name: /^Session/ }).click();
    const [chooser] = await Promise.all([ui.page.waitForEvent('filechooser'), ui.page.getByRole('menuitem', { name: 'Import HAR…' }).click()]);
    await chooser.setFiles((await download.path())!);
    await poll(() => ui.page.locator('.session-name').textContent()).not.toBe(liveName);
    const live = ui.page.getByTestId('live-badge');
    await poll(() => live.textContent()).toBe('LiveBack to live');

    for (const path of ['/while-away-1', '/while-away-2']) {
      const ws = wsViaAbsoluteForm(ui.app.proxyPort, `ws://127.0.0.1:${ui.server.port}${path}`);
      clients.push(ws);
      await opened(ws);
    }
    await poll(() => live.textContent()).toBe('Live2 newBack to live');
    expect(await ui.page.locator('[data-connection-id]').filter({ hasText: '/while-away' }).count()).toBe(0);
    // With the badge the toolbar still shows every control at 1440 px (it wraps rather than cut them off).
    expect(await ui.page.evaluate<string[]>(`[...document.querySelectorAll('.toolbar button')].filter((b) => b.getBoundingClientRect().right > innerWidth).map((b) => b.textContent)`)).toEqual([]);
    await screenshot(ui.page, 'live-badge');

    await live.click();
    await poll(() => ui.page.locator('.session-name').textContent()).toBe(liveName);
    await poll(() => ui.page.locator('[data-connection-id]').filter({ hasText: '/while-away' }).count()).toBe(2);
    expect(await live.count()).toBe(0);
    expect(ui.errors).toEqual([]);
  });
});
