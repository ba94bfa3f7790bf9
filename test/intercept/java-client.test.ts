// `framescope run` with a Java client (java.net.http's WebSocket, run from source): the proxy comes
// from JAVA_TOOL_OPTIONS (loopback included: http.nonProxyHosts is emptied) and the CA from the
// truststore made with keytool. Skipped where there is no JDK (java with its compiler) or keytool.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportHar } from '../../src/capture/har-export.js';
import { type HarEntryJson } from '../support/har-schema.js';
import { until } from '../support/proxy.js';
import { startInterceptTargets, type InterceptTargets } from './support/intercept-targets.js';
import { launcherEnv, runFramescope, startInterceptProxy } from './support/run-intercepted.js';

/** Whether a program runs (spawnSync's error is set when it is not on PATH). */
const runs = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).error === undefined;
const hasJdk = runs('javac', ['-version']) && runs('keytool', ['-help']);

describe.runIf(hasJdk)('framescope run with a Java client', () => {
  let home: string;
  let targets: InterceptTargets;
  let proxy: Awaited<ReturnType<typeof startInterceptProxy>>;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'framescope-java-'));
    targets = await startInterceptTargets(home);
    proxy = await startInterceptProxy(home, targets.upstreamCaPem);
  });
  afterAll(async () => {
    await proxy?.close();
    await targets?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('records java.net.http WebSocket to wss://127.0.0.1', async () => {
    const before = proxy.session.connections.length;
    const result = await runFramescope(['run', '--proxy', `127.0.0.1:${proxy.port}`, '--', 'java', fileURLToPath(new URL('./fixtures/WsClient.java', import.meta.url)), `wss://127.0.0.1:${targets.port}/java`], launcherEnv(home));
    expect(result.stdout).toBe('received: echo: hello from java\n');
    expect(result.code).toBe(0);
    const pick = () => proxy.session.connections[before];
    await until(proxy.session, () => pick()?.state === 'closed');
    const entry = exportHar([pick()!]).log.entries[0] as unknown as HarEntryJson;
    expect(entry.request.url).toBe(`wss://127.0.0.1:${targets.port}/java`);
    expect(entry._webSocketMessages.map((m) => [m.type, m.data])).toEqual([['send', 'hello from java'], ['receive', 'echo: hello from java']]);
  }, 90_000);
});
