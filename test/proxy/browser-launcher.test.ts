import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { Server as HttpServer, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as HttpsServer } from 'node:https';
import { connect as netConnect, createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { run as runBrowserCommand } from '../../src/cli/browser-command.js';
import { CertificateAuthority } from '../../src/proxy/certificate-authority.js';
import {
  browserSearch,
  chromiumArguments,
  DEFAULT_PROXY_ADDRESS,
  findBrowser,
  launchBrowser,
  parseProxyAddress,
} from '../../src/proxy/browser-launcher.js';

const scratch = mkdtempSync(join(tmpdir(), 'framescope-browser-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('chromiumArguments', () => {
  it('builds the proxy, certificate and profile flags, then the URL', () => {
    expect(chromiumArguments({
      proxy: '127.0.0.1:9000',
      spkiFingerprints: ['LEAF+fp/=', 'CA+fp/='],
      userDataDir: '/tmp/profile',
      url: 'https://example.test/',
    })).toEqual([
      '--user-data-dir=/tmp/profile',
      '--proxy-server=http://127.0.0.1:9000',
      '--proxy-bypass-list=<-loopback>',
      '--ignore-certificate-errors-spki-list=LEAF+fp/=,CA+fp/=',
      '--no-first-run',
      '--no-default-browser-check',
      'https://example.test/',
    ]);
  });

  it('opens about:blank when no URL is given and puts extra flags before the URL', () => {
    const args = chromiumArguments({ proxy: DEFAULT_PROXY_ADDRESS, spkiFingerprints: ['x'], userDataDir: '/p', extraArgs: ['--headless'] });
    expect(args.slice(-2)).toEqual(['--headless', 'about:blank']);
    expect(args[1]).toBe('--proxy-server=http://127.0.0.1:8080');
  });
});

describe('parseProxyAddress', () => {
  it('accepts host:port, a bare port, an http:// URL and a bracketed IPv6 host', () => {
    expect(parseProxyAddress('localhost:9000')).toBe('localhost:9000');
    expect(parseProxyAddress('9000')).toBe('127.0.0.1:9000');
    expect(parseProxyAddress('http://127.0.0.1:8081/')).toBe('127.0.0.1:8081');
    expect(parseProxyAddress('[::1]:8080')).toBe('[::1]:8080');
  });

  it('rejects an address without a valid port', () => {
    expect(() => parseProxyAddress('localhost')).toThrow('invalid proxy address "localhost": expected host:port, e.g. 127.0.0.1:8080');
    expect(() => parseProxyAddress('localhost:70000')).toThrow('invalid proxy address');
    expect(() => parseProxyAddress('::1:8080')).toThrow('invalid proxy address');
  });
});

describe('findBrowser', () => {
  function fakeExecutable(dir: string, name: string): string {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, name);
    writeFileSync(file, '#!/bin/sh\n');
    chmodSync(file, 0o755);
    return file;
  }

  it('looks for the standard install locations of each platform', () => {
    expect(browserSearch({ PATH: '' }, 'linux')).toEqual({
      paths: ['/usr/bin/chromium'],
      names: ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'],
    });
    expect(browserSearch({ HOME: '/Users/ada' }, 'darwin').paths).toEqual([
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '/Applications/Chromium.app/Contents/MacOS/Chromium',
      '/Users/ada/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '/Users/ada/Applications/Chromium.app/Contents/MacOS/Chromium',
    ]);
    expect(browserSearch({ PROGRAMFILES: 'C:\\Program Files', LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' }, 'win32').paths).toEqual([
      'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
      'C:\\Users\\ada\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe',
      'C:\\Program Files\\Chromium\\Application\\chrome.exe',
      'C:\\Users\\ada\\AppData\\Local\\Chromium\\Application\\chrome.exe',
      'C:\\Program Files\\Microsoft\\Edge\\Application\\msedge.exe',
      'C:\\Users\\ada\\AppData\\Local\\Microsoft\\Edge\\Application\\msedge.exe',
    ]);
  });

  it('finds a browser by name on PATH', () => {
    const bin = join(scratch, 'path-bin');
    const chrome = fakeExecutable(bin, 'google-chrome-stable');
    expect(findBrowser({ env: { PATH: `/nonexistent:${bin}`, HOME: scratch }, platform: 'darwin' })).toBe(chrome);
  });

  it('skips a file on PATH that is not executable', () => {
    const bin = join(scratch, 'plain-bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'chromium'), '');
    expect(() => findBrowser({ env: { PATH: bin, HOME: scratch }, platform: 'darwin' })).toThrow('no Chromium or Chrome found');
  });

  it('names every place it tried when no browser is found', () => {
    const empty = join(scratch, 'empty-bin');
    mkdirSync(empty, { recursive: true });
    expect(() => findBrowser({ env: { PATH: empty, HOME: '/Users/nobody' }, platform: 'darwin' })).toThrow(
      'no Chromium or Chrome found; tried /Applications/Google Chrome.app/Contents/MacOS/Google Chrome, ' +
        '/Applications/Chromium.app/Contents/MacOS/Chromium, ' +
        '/Users/nobody/Applications/Google Chrome.app/Contents/MacOS/Google Chrome, ' +
        '/Users/nobody/Applications/Chromium.app/Contents/MacOS/Chromium, ' +
        `then chromium, chromium-browser, google-chrome, google-chrome-stable on PATH (${empty}). ` +
        'Install one, or pass --browser PATH.',
    );
  });

  it('uses the --browser choice alone, by path or by name on PATH', () => {
    const bin = join(scratch, 'choice-bin');
    const custom = fakeExecutable(bin, 'my-chrome');
    expect(findBrowser({ browser: custom, env: { PATH: '' } })).toBe(custom);
    expect(findBrowser({ browser: 'my-chrome', env: { PATH: bin } })).toBe(custom);
    expect(() => findBrowser({ browser: join(bin, 'missing'), env: { PATH: bin } })).toThrow(`browser "${join(bin, 'missing')}" not found or not executable`);
  });
});

describe('launchBrowser', () => {
  it('returns the browser exit code and removes the temporary profile', async () => {
    const script = join(scratch, 'fake-browser.sh');
    // Records its arguments and exits 7, standing in for a browser the user closed.
    writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$@" > "${join(scratch, 'fake-args.txt')}"\nexit 7\n`);
    chmodSync(script, 0o755);
    const browser = launchBrowser({ executablePath: script, proxy: '127.0.0.1:1', spkiFingerprints: ['fp'], stdio: 'ignore' });
    expect(browser.userDataDir.startsWith(join(tmpdir(), 'framescope-browser-'))).toBe(true);
    expect(existsSync(browser.userDataDir)).toBe(true);
    expect(await browser.exited).toBe(7);
    expect(existsSync(browser.userDataDir)).toBe(false);
  });

  it('rejects when the executable cannot start, and still removes the profile', async () => {
    const browser = launchBrowser({ executablePath: join(scratch, 'no-such-browser'), proxy: '127.0.0.1:1', spkiFingerprints: [], stdio: 'ignore' });
    await expect(browser.exited).rejects.toThrow('ENOENT');
    expect(existsSync(browser.userDataDir)).toBe(false);
  });
});

// A real Chromium, a CONNECT proxy and an HTTPS + WSS server, all on loopback. The test proxy tunnels
// every CONNECT to the local server (it never dials out), which serves leaves from the CA via SNI.
const CHROMIUM = '/usr/bin/chromium';
const HEADLESS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--dump-dom'];
if (!existsSync(CHROMIUM)) console.warn(`skipping the Chromium end-to-end test: ${CHROMIUM} is not installed`);

describe.skipIf(!existsSync(CHROMIUM))('Chromium through a proxy with the CA fingerprints', () => {
  let ca: CertificateAuthority;
  let server: HttpsServer;
  let proxy: HttpServer;
  let proxyPort: number;
  const proxiedHosts: string[] = [];

  beforeAll(async () => {
    ca = CertificateAuthority.loadOrCreate(join(scratch, 'ca'));
    // The page opens wss://localhost/echo and sends "ping"; once the echo is on the page it sends "done".
    // The page's load event waits for /gate, held until "done" arrives, so --dump-dom shows the final DOM.
    let releaseGate: (() => void) | undefined;
    server = createHttpsServer({ SNICallback: ca.sniCallback }, (request, response: ServerResponse) => {
      if (request.url === '/gate') {
        const timer = setTimeout(() => response.end(), 10_000);
        releaseGate = () => { clearTimeout(timer); response.end(); };
        return;
      }
      response.setHeader('content-type', 'text/html');
      response.end(`<!doctype html><p id="status">loading</p><script>
        const ws = new WebSocket('wss://localhost/echo');
        ws.onopen = () => ws.send('ping');
        ws.onmessage = (e) => { document.getElementById('status').textContent = 'echo:' + e.data; ws.send('done'); };
        ws.onerror = () => { document.getElementById('status').textContent = 'websocket error'; };
      </script><img src="/gate">`);
    });
    new WebSocketServer({ server, path: '/echo' }).on('connection', (socket) => {
      socket.on('message', (data) => {
        if (String(data) === 'done') releaseGate?.();
        else socket.send(String(data));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const serverPort = (server.address() as AddressInfo).port;

    proxy = createHttpServer((_request, response) => response.writeHead(502).end());
    proxy.on('connect', (request, client, head) => {
      proxiedHosts.push(request.url ?? '');
      const upstream = netConnect(serverPort, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyPort = (proxy.address() as AddressInfo).port;
  });
  afterAll(async () => {
    proxy.closeAllConnections();
    server.closeAllConnections();
    await Promise.all([new Promise((r) => proxy.close(r)), new Promise((r) => server.close(r))]);
  });

  async function loadInChromium(spkiFingerprints: string[]): Promise<{ exitCode: number; dom: string; log: string }> {
    const browser = launchBrowser({
      executablePath: CHROMIUM,
      proxy: `127.0.0.1:${proxyPort}`,
      spkiFingerprints,
      url: 'https://localhost/',
      extraArgs: HEADLESS,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let dom = '';
    let log = '';
    browser.child.stdout?.on('data', (chunk) => { dom += chunk; });
    browser.child.stderr?.on('data', (chunk) => { log += chunk; });
    return { exitCode: await browser.exited, dom, log };
  }

  it('loads an https:// page and talks wss:// through the proxy with no certificate error', async () => {
    const result = await loadInChromium([ca.leafSpkiFingerprint(), ca.spkiFingerprint()]);
    expect(result.exitCode).toBe(0);
    expect(result.dom).toContain('<p id="status">echo:ping</p>');
    expect(proxiedHosts).toContain('localhost:443');
  });

  it('accepts the CA fingerprint alone, because the proxy sends the CA after the leaf', async () => {
    const result = await loadInChromium([ca.spkiFingerprint()]);
    expect(result.dom).toContain('<p id="status">echo:ping</p>');
  });

  it('refuses the page without the fingerprints', async () => {
    const result = await loadInChromium([]);
    expect(result.dom).not.toContain('echo:ping');
    expect(result.log).toContain('ERR_CERT_AUTHORITY_INVALID');
  });
});

// `framescope browser` (src/cli/browser-command.ts), with a stand-in browser that records its arguments.
describe('framescope browser', () => {
  const home = join(scratch, 'command-home');
  const argsFile = join(scratch, 'command-args.txt');
  const fakeBrowser = join(scratch, 'command-browser.sh');
  let listener: NetServer;
  let listeningPort: number;
  beforeAll(async () => {
    writeFileSync(fakeBrowser, `#!/bin/sh\nprintf '%s\\n' "$@" > "${argsFile}"\nexit 3\n`);
    chmodSync(fakeBrowser, 0o755);
    listener = createNetServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    listeningPort = (listener.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

  async function framescopeBrowser(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await runBrowserCommand(args, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: { FRAMESCOPE_HOME: home, PATH: process.env.PATH },
    });
    return { code, stdout, stderr };
  }

  it('launches the browser through the proxy with both fingerprints and returns its exit code', async () => {
    const result = await framescopeBrowser(['https://example.test/', '--proxy', `127.0.0.1:${listeningPort}`, '--browser', fakeBrowser]);
    expect(result.code).toBe(3);
    const ca = CertificateAuthority.loadOrCreate(join(home, 'ca'));
    const args = readFileSync(argsFile, 'utf8').trimEnd().split('\n');
    expect(args[0]).toMatch(/^--user-data-dir=.*framescope-browser-/);
    expect(args.slice(1)).toEqual([
      `--proxy-server=http://127.0.0.1:${listeningPort}`,
      '--proxy-bypass-list=<-loopback>',
      `--ignore-certificate-errors-spki-list=${ca.leafSpkiFingerprint()},${ca.spkiFingerprint()}`,
      '--no-first-run',
      '--no-default-browser-check',
      ...(process.platform === 'linux' && process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      'https://example.test/',
    ]);
    expect(existsSync(args[0]!.slice('--user-data-dir='.length))).toBe(false);
    expect(result.stderr).not.toContain('nothing is listening');
  });

  it('warns when nothing listens on the proxy address, and still launches', async () => {
    const closed = createNetServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await framescopeBrowser(['--proxy', `127.0.0.1:${port}`, '--browser', fakeBrowser]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`framescope browser: warning: nothing is listening on 127.0.0.1:${port};`);
    expect(readFileSync(argsFile, 'utf8').trimEnd().split('\n').at(-1)).toBe('about:blank');
  });

  it('exits 1 naming the browser when it cannot be found', async () => {
    const result = await framescopeBrowser(['--browser', join(scratch, 'absent-browser')]);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `framescope browser: browser "${join(scratch, 'absent-browser')}" not found or not executable\n` });
  });

  it('exits 2 on a bad proxy address or more than one URL', async () => {
    expect((await framescopeBrowser(['--proxy', 'nope', '--browser', fakeBrowser])).code).toBe(2);
    expect((await framescopeBrowser(['a', 'b', '--browser', fakeBrowser])).code).toBe(2);
  });

  it('shows its usage with --help', async () => {
    const result = await framescopeBrowser(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith('usage: framescope browser [URL] [--proxy HOST:PORT] [--browser PATH] [--firefox]\n')).toBe(true);
  });
});
