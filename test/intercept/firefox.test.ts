// `framescope browser --firefox`: a real Firefox (headless) in a fresh profile loads an https:// page
// on loopback and its wss:// socket, both verified against the CA that the profile alone trusts, and the
// proxy records the socket. Skipped where Firefox or certutil is not installed (Debian: firefox-esr,
// libnss3-tools; .ci/run installs them).
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { exportHar } from '../../src/capture/har-export.js';
import { findFirefox, firefoxPrefs, userJs } from '../../src/intercept/firefox-launcher.js';
import { type HarEntryJson } from '../support/har-schema.js';
import { BIN, exited } from '../support/cli.js';
import { until } from '../support/proxy.js';
import { launcherEnv } from './support/run-intercepted.js';
import { useInterceptSuite } from './support/intercept-suite.js';

function installed(): boolean {
  try {
    findFirefox();
  } catch {
    return false;
  }
  return (process.env.PATH ?? '').split(':').some((dir) => existsSync(join(dir, 'certutil')));
}

describe('firefox prefs', () => {
  it('proxy http and https through the proxy, loopback included', () => {
    const prefs = userJs(firefoxPrefs('127.0.0.1:8080'));
    for (const line of [
      'user_pref("network.proxy.type", 1);',
      'user_pref("network.proxy.http", "127.0.0.1");',
      'user_pref("network.proxy.http_port", 8080);',
      'user_pref("network.proxy.ssl", "127.0.0.1");',
      'user_pref("network.proxy.ssl_port", 8080);',
      'user_pref("network.proxy.no_proxies_on", "");',
      'user_pref("network.proxy.allow_hijacking_localhost", true);',
    ]) expect(prefs.split('\n')).toContain(line);
  });
});

describe.skipIf(!installed())('framescope browser --firefox', () => {
  const suite = useInterceptSuite('framescope-firefox-test-');

  it('records the wss:// socket of an https:// page on 127.0.0.1, and removes the profile when Firefox ends', async () => {
    const url = `https://127.0.0.1:${suite.targets.port}/firefox.html`;
    const child = spawn(process.execPath, [BIN, 'browser', '--firefox', '--proxy', `127.0.0.1:${suite.proxy.port}`, url], {
      env: launcherEnv(suite.home, { MOZ_HEADLESS: '1' }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const socket = () => suite.proxy.session.connections.find((c) => c.url === `wss://127.0.0.1:${suite.targets.port}/firefox`);
      await until(suite.proxy.session, () => socket()?.state === 'closed');
      const entry = exportHar([socket()!]).log.entries[0] as unknown as HarEntryJson;
      expect(entry._webSocketMessages.map((m) => [m.type, m.data])).toEqual([['send', 'hello from firefox'], ['receive', 'echo: hello from firefox']]);
      expect(entry._webSocketClose).toEqual({ code: 1000, reason: 'done', closedBy: 'client' });
      expect(entry.request.headers.find((h) => h.name.toLowerCase() === 'user-agent')?.value).toMatch(/Firefox\//);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
    const profile = /temporary profile (\S+)\)/.exec(stderr)?.[1];
    expect(profile).toMatch(/framescope-firefox-/);
    expect(existsSync(profile!)).toBe(false);
  }, 120_000);
});
