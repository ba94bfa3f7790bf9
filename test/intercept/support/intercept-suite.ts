// What every intercept suite starts before its tests and stops after them: a private home, the wss://
// targets the clients reach, and a proxy that trusts the targets' CA.
import { afterAll, beforeAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInterceptTargets, type InterceptTargets } from './intercept-targets.js';
import { startInterceptProxy } from './run-intercepted.js';

export interface InterceptSuite {
  home: string;
  targets: InterceptTargets;
  proxy: Awaited<ReturnType<typeof startInterceptProxy>>;
}

/** The suite's home, targets and proxy; the fields are set once beforeAll ran. */
export function useInterceptSuite(prefix: string): InterceptSuite {
  const suite = {} as InterceptSuite;
  beforeAll(async () => {
    suite.home = mkdtempSync(join(tmpdir(), prefix));
    suite.targets = await startInterceptTargets(suite.home);
    suite.proxy = await startInterceptProxy(suite.home, suite.targets.upstreamCaPem);
  });
  afterAll(async () => {
    await suite.proxy?.close();
    await suite.targets?.close();
    if (suite.home) rmSync(suite.home, { recursive: true, force: true });
  });
  return suite;
}
