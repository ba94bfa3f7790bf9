// "How to connect" opens on its Intercept section: each way with its action, the shell's environment
// as bash, fish and PowerShell lines with the engine's real proxy and CA, and a `framescope run` client
// listed under "Any program" once it connected through the proxy.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHROMIUM } from '../support/chromium.js';
import { runFramescope, launcherEnv } from '../intercept/support/run-intercepted.js';
import { screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

const client = fileURLToPath(new URL('../intercept/fixtures/ws-client.cjs', import.meta.url));

describe.runIf(existsSync(CHROMIUM))('the Intercept section of How to connect', () => {
  const ui = useUiSuite((ws) => ws.on('message', (data) => ws.send(`echo: ${data.toString()}`)));

  it('lists each way with its action and the commands for this proxy', async () => {
    await ui.page.getByTitle('How to connect clients to the proxy').click();
    const dialog = ui.page.getByRole('dialog');
    await dialog.getByRole('region', { name: 'Any program' }).waitFor();
    for (const way of ['Chromium', 'Firefox', 'A terminal', 'Any program', 'An Electron app']) {
      expect(await dialog.getByRole('region', { name: way }).count()).toBe(1);
    }
    expect(await dialog.getByRole('button', { name: 'Launch Chromium' }).isEnabled()).toBe(true);
    const proxy = `127.0.0.1:${ui.app.proxyPort}`;
    expect(await dialog.getByRole('region', { name: 'Any program' }).locator('pre').textContent()).toBe(`framescope run --proxy ${proxy} -- your-command --its-options`);
    expect(await dialog.getByRole('region', { name: 'An Electron app' }).locator('pre').textContent()).toBe(`framescope run --proxy ${proxy} --electron /path/to/app`);
    expect(await dialog.getByRole('region', { name: 'A terminal' }).locator('pre').first().textContent()).toBe(`framescope shell --proxy ${proxy}`);
  });

  it('gives the shell environment as bash, fish and PowerShell lines', async () => {
    const terminal = ui.page.getByRole('dialog').getByRole('region', { name: 'A terminal' });
    const lines = async () => (await terminal.locator('[data-dialect] pre').textContent())!.split('\n');
    const proxyUrl = new RegExp(`^http://shell:[0-9a-f]{8}@127\\.0\\.0\\.1:${ui.app.proxyPort}$`);
    const ca = join(ui.app.home, 'ca', 'ca.pem');
    const bash = await lines();
    expect(bash.find((l) => l.startsWith('export HTTPS_PROXY='))!.slice("export HTTPS_PROXY='".length, -1)).toMatch(proxyUrl);
    expect(bash).toContain("export NO_PROXY=''");
    expect(bash).toContain(`export NODE_EXTRA_CA_CERTS='${ca}'`);
    expect(bash).toContain(`export SSL_CERT_FILE='${join(ui.app.home, 'intercept', 'ca-bundle.pem')}'`);
    await terminal.getByRole('tab', { name: 'fish' }).click();
    expect(await lines()).toContain(`set -gx NODE_EXTRA_CA_CERTS '${ca}'`);
    await terminal.getByRole('tab', { name: 'PowerShell' }).click();
    expect(await lines()).toContain(`$env:NODE_EXTRA_CA_CERTS = '${ca}'`);
    expect(await lines()).toContain("$env:NO_PROXY = ''");
  });

  it('shows a framescope run client under Any program once it connected', async () => {
    const url = `ws://127.0.0.1:${ui.server.port}/from-run`;
    const result = await runFramescope(['run', '--proxy', `127.0.0.1:${ui.app.proxyPort}`, '--', process.execPath, client, url], launcherEnv(ui.app.home));
    expect(result.stdout).toBe('received: echo: hello from cjs\n');
    expect(result.code).toBe(0);
    const connected = ui.page.getByRole('dialog').getByRole('region', { name: 'Any program' }).getByRole('list', { name: 'Connected through this' });
    await poll(async () => (await connected.count()) > 0 ? await connected.textContent() : '').toMatch(/^node \([0-9a-f]{8}\): 0 open tunnels, WebSocket connection #\d+$/);
    await screenshot(ui.page, 'intercept-section');
  });
});
