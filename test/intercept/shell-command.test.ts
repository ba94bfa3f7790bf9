// `framescope shell`: a command run non-interactively (-c) is intercepted and its status comes back;
// an interactive bash shows the prompt marker after the user's own rc file.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportHar } from '../../src/capture/har-export.js';
import { type HarEntryJson } from '../support/har-schema.js';
import { until } from '../support/proxy.js';
import { launcherEnv, runFramescope } from './support/run-intercepted.js';
import { useInterceptSuite } from './support/intercept-suite.js';

const client = fileURLToPath(new URL('./fixtures/ws-client.cjs', import.meta.url));

describe('framescope shell', () => {
  const suite = useInterceptSuite('framescope-shell-');

  it('runs a command with -c through the proxy, and exits with its status', async () => {
    const before = suite.proxy.session.connections.length;
    const command = `"${process.execPath}" "${client}" wss://127.0.0.1:${suite.targets.port}/shell; echo "in shell: $FRAMESCOPE_SHELL"; exit 3`;
    const result = await runFramescope(['shell', '--proxy', `127.0.0.1:${suite.proxy.port}`, '-c', command], launcherEnv(suite.home, { SHELL: '/bin/sh' }));
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('received: echo: hello from cjs\nin shell: 1\n');
    expect(result.code).toBe(3);
    const pick = () => suite.proxy.session.connections[before];
    await until(suite.proxy.session, () => pick()?.state === 'closed');
    const entry = exportHar([pick()!]).log.entries[0] as unknown as HarEntryJson;
    expect(entry.request.url).toBe(`wss://127.0.0.1:${suite.targets.port}/shell`);
    expect(entry._webSocketMessages.map((m) => m.data)).toEqual(['hello from cjs', 'echo: hello from cjs']);
  });

  it("starts bash with the user's bashrc, then the marker in front of their prompt", async () => {
    const userHome = join(suite.home, 'user');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(userHome, { recursive: true });
    writeFileSync(join(userHome, '.bashrc'), "PS1='user-prompt$ '\nexport FROM_BASHRC=yes\n");
    const result = await runFramescope(['shell', '--proxy', `127.0.0.1:${suite.proxy.port}`, '--shell', '/bin/bash'], launcherEnv(suite.home, { HOME: userHome }), 'echo "rc:$FROM_BASHRC proxy:${HTTPS_PROXY%@*}"\nexit 4\n');
    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(/^rc:yes proxy:http:\/\/shell:[0-9a-f]{8}\n$/);
    // Interactive bash writes its prompt to stderr.
    expect(result.stderr).toContain('(framescope) user-prompt$ ');
  });
});
