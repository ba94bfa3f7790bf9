// `framescope shell`: a command run non-interactively (-c) is intercepted and its status comes back;
// an interactive bash shows the prompt marker after the user's own rc file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportHar } from '../../src/capture/har-export.js';
import { type HarEntryJson } from '../support/har-schema.js';
import { until } from '../support/proxy.js';
import { startInterceptTargets, type InterceptTargets } from './support/intercept-targets.js';
import { launcherEnv, runFramescope, startInterceptProxy } from './support/run-intercepted.js';

const client = fileURLToPath(new URL('./fixtures/ws-client.cjs', import.meta.url));

describe('framescope shell', () => {
  let home: string;
  let targets: InterceptTargets;
  let proxy: Awaited<ReturnType<typeof startInterceptProxy>>;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'framescope-shell-'));
    targets = await startInterceptTargets(home);
    proxy = await startInterceptProxy(home, targets.upstreamCaPem);
  });
  afterAll(async () => {
    await proxy?.close();
    await targets?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('runs a command with -c through the proxy, and exits with its status', async () => {
    const before = proxy.session.connections.length;
    const command = `"${process.execPath}" "${client}" wss://127.0.0.1:${targets.port}/shell; echo "in shell: $FRAMESCOPE_SHELL"; exit 3`;
    const result = await runFramescope(['shell', '--proxy', `127.0.0.1:${proxy.port}`, '-c', command], launcherEnv(home, { SHELL: '/bin/sh' }));
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('received: echo: hello from cjs\nin shell: 1\n');
    expect(result.code).toBe(3);
    const pick = () => proxy.session.connections[before];
    await until(proxy.session, () => pick()?.state === 'closed');
    const entry = exportHar([pick()!]).log.entries[0] as unknown as HarEntryJson;
    expect(entry.request.url).toBe(`wss://127.0.0.1:${targets.port}/shell`);
    expect(entry._webSocketMessages.map((m) => m.data)).toEqual(['hello from cjs', 'echo: hello from cjs']);
  });

  it("starts bash with the user's bashrc, then the marker in front of their prompt", async () => {
    const userHome = join(home, 'user');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(userHome, { recursive: true });
    writeFileSync(join(userHome, '.bashrc'), "PS1='user-prompt$ '\nexport FROM_BASHRC=yes\n");
    const result = await runFramescope(['shell', '--proxy', `127.0.0.1:${proxy.port}`, '--shell', '/bin/bash'], launcherEnv(home, { HOME: userHome }), 'echo "rc:$FROM_BASHRC proxy:${HTTPS_PROXY%@*}"\nexit 4\n');
    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(/^rc:yes proxy:http:\/\/shell:[0-9a-f]{8}\n$/);
    // Interactive bash writes its prompt to stderr.
    expect(result.stderr).toContain('(framescope) user-prompt$ ');
  });
});
