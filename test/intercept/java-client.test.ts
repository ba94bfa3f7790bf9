// `framescope run` with a Java client (java.net.http's WebSocket, run from source): the proxy comes
// from JAVA_TOOL_OPTIONS (loopback included: http.nonProxyHosts is emptied) and the CA from the
// truststore made with keytool. Skipped where there is no JDK (java with its compiler) or keytool.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { exportHar } from '../../src/capture/har-export.js';
import { type HarEntryJson } from '../support/har-schema.js';
import { until } from '../support/proxy.js';
import { launcherEnv, runFramescope } from './support/run-intercepted.js';
import { useInterceptSuite } from './support/intercept-suite.js';

/** Whether a program runs (spawnSync's error is set when it is not on PATH). */
const runs = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).error === undefined;
const hasJdk = runs('javac', ['-version']) && runs('keytool', ['-help']);

describe.runIf(hasJdk)('framescope run with a Java client', () => {
  const suite = useInterceptSuite('framescope-java-');

  it('records java.net.http WebSocket to wss://127.0.0.1', async () => {
    const before = suite.proxy.session.connections.length;
    const result = await runFramescope(['run', '--proxy', `127.0.0.1:${suite.proxy.port}`, '--', 'java', fileURLToPath(new URL('./fixtures/WsClient.java', import.meta.url)), `wss://127.0.0.1:${suite.targets.port}/java`], launcherEnv(suite.home));
    expect(result.stdout).toBe('received: echo: hello from java\n');
    expect(result.code).toBe(0);
    const pick = () => suite.proxy.session.connections[before];
    await until(suite.proxy.session, () => pick()?.state === 'closed');
    const entry = exportHar([pick()!]).log.entries[0] as unknown as HarEntryJson;
    expect(entry.request.url).toBe(`wss://127.0.0.1:${suite.targets.port}/java`);
    expect(entry._webSocketMessages.map((m) => [m.type, m.data])).toEqual([['send', 'hello from java'], ['receive', 'echo: hello from java']]);
  }, 90_000);
});
