// Runtime settings through the control API on a real engine: a per-host TLS opt-out applies to the
// next connection to a real self-signed wss:// server while other hosts stay verified; the proxy
// port moves live (and stays put, listening, when the new port is taken); the reverse upstream and
// the stored payload cap change for the next connections; every change lands in settings.json (0600).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from 'node:https';
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from 'ws';
import { CertificateAuthority } from '../../src/proxy/certificate-authority.js';
import { Engine } from '../../src/engine.js';
import { ControlServer } from '../../src/control/control-server.js';
import { linkEngine } from '../../src/control/engine-link.js';
import { commandHandler } from '../../src/control/command-handler.js';
import { RuntimeSettings } from '../../src/settings/runtime-settings.js';
import { defaults } from '../../src/settings/settings-rules.js';
import type { SettingsState } from '../../src/control/api-types.js';
import { ControlClient } from '../support/engine.js';
import { closed, nextMessage, opened, rawClientHandshake, startWsServer, wsViaAbsoluteForm } from '../support/peers.js';

/** The status a proxied upgrade is answered with, and the body (101 with an empty body once open). */
function upgradeOutcome(proxyPort: number, url: string): Promise<{ status: number; body: string; ws: WebSocket }> {
  const ws = wsViaAbsoluteForm(proxyPort, url);
  ws.on('error', () => {});
  return new Promise((resolve) => {
    ws.once('open', () => resolve({ status: 101, body: '', ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ws }));
    });
  });
}

describe('runtime settings', () => {
  let dir: string;
  let engine: Engine;
  let settings: RuntimeSettings;
  let control: ControlServer;
  let api: ControlClient;
  let tlsServer: https.Server;
  let tlsPort: number;
  let plain: Awaited<ReturnType<typeof startWsServer>>;
  const settingsPath = () => join(dir, 'settings.json');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'framescope-settings-'));
    // A dev server's own CA: nobody trusts it, so its certificate does not verify anywhere.
    const devCa = CertificateAuthority.loadOrCreate(join(dir, 'dev-ca'));
    const leaf = devCa.certificateFor('localhost');
    tlsServer = https.createServer({ cert: leaf.cert, key: leaf.key });
    new WebSocketServer({ server: tlsServer }).on('connection', (ws) => ws.on('message', (d) => ws.send(`tls echo: ${d.toString()}`)));
    tlsServer.listen(0, '127.0.0.1');
    await once(tlsServer, 'listening');
    tlsPort = (tlsServer.address() as net.AddressInfo).port;
    plain = await startWsServer();
    plain.wss.on('connection', (ws, req) => ws.on('message', (d) => ws.send(`${req.url}: ${d.toString()}`)));

    engine = await Engine.start({ sessionsDir: join(dir, 'sessions'), sessionName: 'live', proxy: { port: 0 }, announceInterval: 20 });
    settings = new RuntimeSettings(engine.proxy, { path: settingsPath(), saved: defaults(), overrides: [{ key: 'proxyPort', option: '--proxy-port 0', value: 0 }], applyDiskBudget: (bytes) => engine.setDiskBudget(bytes) });
    control = new ControlServer({ handler: commandHandler(engine, { settings }), batchInterval: 10, onClientCount: (n) => engine.setWatched(n > 0) });
    linkEngine(engine, control);
    settings.on('changed', (state) => engine.emit('event', { kind: 'settings', settings: state }));
    await control.listen();
    api = await ControlClient.connect(`ws://127.0.0.1:${control.port}/control?token=${control.token}`);
  });
  afterAll(async () => {
    api.close();
    await control.close();
    await engine.stop();
    tlsServer.closeAllConnections();
    tlsServer.close();
    await plain.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the saved settings, those in effect and what the command line set for this run', async () => {
    const state = await api.call('getSettings', {});
    expect(state).toEqual({
      saved: defaults(),
      effective: { ...defaults(), proxyPort: engine.proxyAddress.port },
      overridden: [{ key: 'proxyPort', option: '--proxy-port 0' }],
      pendingRestart: [],
      path: settingsPath(),
      proxyAddress: `127.0.0.1:${engine.proxyAddress.port}`,
    } satisfies SettingsState);
  });

  it('exempts one host from TLS verification from its next connection on, while other hosts stay verified', async () => {
    const port = engine.proxyAddress.port;
    const before = await upgradeOutcome(port, `wss://localhost:${tlsPort}/dev`);
    expect(before.status).toBe(502);
    expect(before.body).toMatch(/TLS certificate failed verification \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/);

    const state = await api.call('setSettings', { settings: { insecureHosts: ['localhost'] } });
    expect(state.effective.insecureHosts).toEqual(['localhost']);
    expect(state.effective.insecure).toBe(false);

    // Same proxy, no restart: localhost is accepted now...
    const after = await upgradeOutcome(port, `wss://localhost:${tlsPort}/dev`);
    expect(after.status).toBe(101);
    after.ws.send('hello');
    expect((await nextMessage(after.ws)).data.toString()).toBe('tls echo: hello');
    const done = closed(after.ws);
    after.ws.close(1000);
    await done;
    await expect.poll(() => engine.store.connections().filter((c) => c.url === `wss://localhost:${tlsPort}/dev`).map((c) => [c.state, c.tls?.verified, c.tls?.insecure]), { timeout: 5000 })
      .toEqual([['failed', undefined, undefined], ['closed', false, true]]);
    // ...while the same server under another name is still verified, and refused.
    const other = await upgradeOutcome(port, `wss://127.0.0.1:${tlsPort}/dev`);
    expect(other.status).toBe(502);
    expect(other.body).toMatch(/TLS certificate failed verification/);

    const file = settingsPath();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ ...defaults(), insecureHosts: ['localhost'] });
    // The command line's port is not saved: it held for this run only.
    expect(JSON.parse(readFileSync(file, 'utf8')).proxyPort).toBe(8080);
    // Every UI hears of the change.
    await api.waitForEvent((e) => e.kind === 'settings' && e.settings.effective.insecureHosts.includes('localhost'));

    await api.call('setSettings', { settings: { insecureHosts: [] } });
    expect((await upgradeOutcome(port, `wss://localhost:${tlsPort}/dev`)).status).toBe(502);
  });

  it('moves the proxy to another port live; open connections carry on and the old port is released', async () => {
    const oldPort = engine.proxyAddress.port;
    const open = wsViaAbsoluteForm(oldPort, `ws://127.0.0.1:${plain.port}/stay`);
    await opened(open);
    const newPort = await freePort();
    const state = await api.call('setSettings', { settings: { proxyPort: newPort } });
    expect(state.proxyAddress).toBe(`127.0.0.1:${newPort}`);
    expect(state.effective.proxyPort).toBe(newPort);
    expect(engine.proxyAddress.port).toBe(newPort);
    expect((await api.call('hello', {})).proxy.address).toBe(`127.0.0.1:${newPort}`);

    open.send('still here');
    expect((await nextMessage(open)).data.toString()).toBe('/stay: still here');
    open.close();
    const moved = wsViaAbsoluteForm(newPort, `ws://127.0.0.1:${plain.port}/moved`);
    await opened(moved);
    moved.send('x');
    expect((await nextMessage(moved)).data.toString()).toBe('/moved: x');
    moved.close();
    await expect(connectOnce(oldPort)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(JSON.parse(readFileSync(settingsPath(), 'utf8')).proxyPort).toBe(newPort);
  });

  it('keeps listening on the old port and changes nothing when the new port is in use', async () => {
    const port = engine.proxyAddress.port;
    const squatter = net.createServer();
    squatter.listen(0, '127.0.0.1');
    await once(squatter, 'listening');
    const taken = (squatter.address() as net.AddressInfo).port;
    try {
      await expect(api.call('setSettings', { settings: { proxyPort: taken, maxStoredPayload: 5 } })).rejects.toThrow(
        `proxyPort: port ${taken} on 127.0.0.1 is already in use; choose another port; the proxy still listens on port ${port}`,
      );
      expect(engine.proxyAddress.port).toBe(port);
      const state = await api.call('getSettings', {});
      expect(state.effective.proxyPort).toBe(port);
      expect(state.effective.maxStoredPayload).toBe(defaults().maxStoredPayload);
      const ws = wsViaAbsoluteForm(port, `ws://127.0.0.1:${plain.port}/after-refusal`);
      await opened(ws);
      ws.close();
    } finally {
      squatter.close();
    }
  });

  it('refuses bad values with an error naming them and keeps every setting as it was', async () => {
    const before = await api.call('getSettings', {});
    await expect(api.call('setSettings', { settings: { proxyPort: -1, upstream: 'nope' } as never })).rejects.toThrow(
      'proxyPort: must be from 0 to 65535, not -1; upstream: must be a ws://, wss://, http:// or https:// URL, not "nope"',
    );
    await expect(api.call('setSettings', { settings: 'all' as never })).rejects.toThrow('settings must be an object of setting names and values');
    expect(await api.call('getSettings', {})).toEqual(before);
  });

  it('switches to reverse mode and back for the next connections', async () => {
    const port = engine.proxyAddress.port;
    let state = await api.call('setSettings', { settings: { upstream: `ws://127.0.0.1:${plain.port}/base` } });
    expect((await api.call('hello', {})).proxy).toMatchObject({ mode: 'reverse', upstream: `ws://127.0.0.1:${plain.port}/base` });
    const ws = new WebSocket(`ws://127.0.0.1:${port}/room?id=7`);
    await opened(ws);
    ws.send('via reverse');
    expect((await nextMessage(ws)).data.toString()).toBe('/base/room?id=7: via reverse');
    ws.close();
    state = await api.call('setSettings', { settings: { upstream: '' } });
    expect(state.effective.upstream).toBe('');
    expect((await api.call('hello', {})).proxy.mode).toBe('explicit');
    const { responseHead, peer } = await rawClientHandshake(port, '/room', `127.0.0.1:${port}`);
    expect(responseHead).toMatch(/^HTTP\/1\.1 400 /);
    peer.socket.destroy();
  });

  it('gives sessions started after the change the new disk budget; the live one keeps its own', async () => {
    const before = engine.liveStore.diskBudget;
    await api.call('setSettings', { settings: { diskBudget: 2 * 1024 * 1024 } });
    expect(engine.liveStore.diskBudget).toBe(before);
    await api.call('newSession', { name: 'budgeted' });
    expect(engine.liveStore.diskBudget).toBe(2 * 1024 * 1024);
    await expect(api.call('setSettings', { settings: { diskBudget: 1000 } })).rejects.toThrow(`diskBudget: must be from 1048576 to ${Number.MAX_SAFE_INTEGER}, not 1000`);
  });

  it('stores payloads up to the new cap for connections that start after the change', async () => {
    await api.call('setSettings', { settings: { maxStoredPayload: 4 } });
    const ws = wsViaAbsoluteForm(engine.proxyAddress.port, `ws://127.0.0.1:${plain.port}/cap`);
    await opened(ws);
    ws.send('abcdefgh');
    await nextMessage(ws);
    const done = closed(ws);
    ws.close();
    await done;
    await expect.poll(() => engine.store.connections().find((x) => x.url.endsWith('/cap'))?.state, { timeout: 5000 }).toBe('closed');
    const c = engine.store.connections().find((x) => x.url.endsWith('/cap'))!;
    const [sent] = engine.store.messages(c.id, 0, 1);
    expect(sent!.message.data.toString()).toBe('abcd');
    expect(sent!.message.truncated).toBe(true);
    await api.call('setSettings', { settings: { maxStoredPayload: defaults().maxStoredPayload } });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function connectOnce(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(); });
    socket.once('error', reject);
  });
}
