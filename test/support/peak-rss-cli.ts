// `framescope` as a child process under a private FRAMESCOPE_HOME, reporting its peak RSS (peak-rss.mjs
// appends `peak-rss N` to stderr): for the fault tests that bound memory.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { BIN } from './cli.js';

const PEAK_RSS = new URL('./peak-rss.mjs', import.meta.url).pathname;

/** Makes a home (with its sessions directory) before the suite and removes it after. */
export function usePeakRssCli(prefix: string) {
  let home = '';
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), prefix));
    mkdirSync(join(home, 'sessions'), { recursive: true, mode: 0o700 });
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  return {
    home: () => home,
    cli: (...args: string[]): SpawnSyncReturns<string> => spawnSync(process.execPath, ['--import', PEAK_RSS, BIN, ...args], {
      env: { ...process.env, FRAMESCOPE_HOME: home }, encoding: 'utf8', timeout: 110_000, maxBuffer: 512 * 1024 * 1024,
    }),
    /** stderr without the peak-rss line. */
    stderrOf: (r: { stderr: string }) => r.stderr.replace(/\npeak-rss \d+\n$/, ''),
    peakOf: (r: { stderr: string }) => Number(/peak-rss (\d+)/.exec(r.stderr)![1]),
  };
}
