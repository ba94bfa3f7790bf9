// Settings in the UI: the command line's options are shown as winning for this run; a per-host TLS
// opt-out saved in the form lets the next connection to a real self-signed wss:// server through
// while another host stays verified; a bad value and a taken port are refused with the engine's
// words and change nothing; a free port moves the proxy live. settings.json is written 0600.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from 'node:https';
import net from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { WebSocketServer, type WebSocket } from 'ws';
import { CHROMIUM } from '../support/chromium.js';
import { CertificateAuthority } from '../../src/proxy/certificate-authority.js';
import { nextMessage, opened, wsViaAbsoluteForm } from '../support/peers.js';
import { screenshot } from './support/ui-app.js';
import { poll, useUiSuite } from './support/ui-suite.js';

/** The status an upgrade through the proxy gets: 101 once open, else the error status. */
function upgradeStatus(proxyPort: number, url: string): Promise<{ status: number; ws: WebSocket }> {
  const ws = wsViaAbsoluteForm(proxyPort, url);
  ws.on('error', () => {});
  return new Promise((resolve) => {
    ws.once('open', () => resolve({ status: 101, ws }));
    ws.once('unexpected-response', (_req, res) => { res.resume(); resolve({ status: res.statusCode ?? 0, ws }); });
  });
}

describe.runIf(existsSync(CHROMIUM))('settings in the UI', () => {
  const ui = useUiSuite();
  let dir: string;
  let tlsServer: https.Server;
  let tlsPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'framescope-e2e-tls-'));
    const devCa = CertificateAuthority.loadOrCreate(join(dir, 'dev-ca'));
    const leaf = devCa.certificateFor('localhost');
    tlsServer = https.createServer({ cert: leaf.cert, key: leaf.key });
    new WebSocketServer({ server: tlsServer }).on('connection', (ws) => ws.on('message', (d) => ws.send(`tls echo: ${d.toString()}`)));
    tlsServer.listen(0, '127.0.0.1');
    await once(tlsServer, 'listening');
    tlsPort = (tlsServer.address() as net.AddressInfo).port;
  });
  afterAll(() => {
    tlsServer.closeAllConnections();
    tlsServer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens Settings and says which options the command line set for this run', async () => {
    await ui.page.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: 'Settings' }).click();
    const view = ui.page.locator('[data-view="settings"]');
    await view.waitFor();
    expect(await view.getByRole('note').textContent()).toBe('This run was started with --proxy-port 0 --port 0: command-line options win over the saved settings for this run only.');
    expect(await view.getByLabel('Proxy port').inputValue()).toBe(String(ui.app.proxyPort));
    expect(await view.locator('.settings-override').first().textContent()).toBe('Set by --proxy-port 0 on the command line for this run (saved: 8080). A change here applies now and is saved.');
    expect(await view.getByText(`Listening on 127.0.0.1:${ui.app.proxyPort}.`, { exact: false }).count()).toBe(1);
  });

  it('stops verifying one host from its next connection on, and keeps verifying the others', async () => {
    expect((await upgradeStatus(ui.app.proxyPort, `wss://localhost:${tlsPort}/dev`)).status).toBe(502);
    const view = ui.page.locator('[data-view="settings"]');
    await view.getByLabel('Host to stop verifying').fill('localhost');
    await view.getByRole('button', { name: 'Add host' }).click();
    await view.getByRole('button', { name: 'Save changes' }).click();
    await poll(() => view.getByRole('status').textContent()).toBe(`Saved. The proxy listens on 127.0.0.1:${ui.app.proxyPort}.`);
    expect(await view.locator('[data-host]').allTextContents()).toEqual(['localhost×']);

    const accepted = await upgradeStatus(ui.app.proxyPort, `wss://localhost:${tlsPort}/dev`);
    expect(accepted.status).toBe(101);
    accepted.ws.send('through');
    expect((await nextMessage(accepted.ws)).data.toString()).toBe('tls echo: through');
    accepted.ws.close();
    expect((await upgradeStatus(ui.app.proxyPort, `wss://127.0.0.1:${tlsPort}/dev`)).status).toBe(502);

    const file = join(ui.app.home, 'settings.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ insecureHosts: ['localhost'], insecure: false, proxyPort: 8080, uiPort: 0 });
    await view.evaluate((el) => { el.scrollTop = 0; });
    await screenshot(ui.page, 'settings');
  });

  it('refuses a value that is not a number with the engine\'s words, changing nothing', async () => {
    const view = ui.page.locator('[data-view="settings"]');
    await view.getByLabel('Connect timeout').fill('soon');
    await view.getByRole('button', { name: 'Save changes' }).click();
    await poll(() => view.getByRole('alert').textContent()).toBe('connectTimeout: takes a whole number from 1 to 600000, not "soon"');
    await view.getByRole('button', { name: 'Revert' }).click();
    expect(await view.getByLabel('Connect timeout').inputValue()).toBe('10000');
  });

  it('keeps the proxy where it is when the new port is taken, and moves it live to a free one', async () => {
    const view = ui.page.locator('[data-view="settings"]');
    const squatter = net.createServer().listen(0, '127.0.0.1');
    await once(squatter, 'listening');
    const taken = (squatter.address() as net.AddressInfo).port;
    try {
      await view.getByLabel('Proxy port').fill(String(taken));
      await view.getByRole('button', { name: 'Save changes' }).click();
      await poll(() => view.getByRole('alert').textContent()).toBe(`proxyPort: port ${taken} on 127.0.0.1 is already in use; choose another port; the proxy still listens on port ${ui.app.proxyPort}`);
      const still = await upgradeStatus(ui.app.proxyPort, `wss://localhost:${tlsPort}/still`);
      expect(still.status).toBe(101);
      still.ws.close();
    } finally {
      squatter.close();
    }
    const free = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      });
    });
    await view.getByLabel('Proxy port').fill(String(free));
    await view.getByRole('button', { name: 'Save changes' }).click();
    await poll(() => view.getByRole('status').textContent()).toBe(`Saved. The proxy listens on 127.0.0.1:${free}.`);
    await poll(() => ui.page.locator('.proxy-status code').textContent()).toBe(`127.0.0.1:${free}`);
    const moved = wsViaAbsoluteForm(free, `wss://localhost:${tlsPort}/moved`);
    await opened(moved);
    moved.close();
    expect(ui.errors).toEqual([]);
  });
});
