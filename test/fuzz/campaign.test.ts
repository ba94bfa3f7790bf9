// A short fuzz campaign with a fixed seed per target, through `npm run fuzz`'s own runner (fuzz/run.mjs)
// as a child process: it must find nothing (corpus.test.ts replays what campaigns found before).
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUN = fileURLToPath(new URL('../../fuzz/run.mjs', import.meta.url));

/** Targets, and how many inputs their fixed-seed campaign runs (a few seconds each on a loaded machine). */
const CAMPAIGNS: Record<string, number> = {
  'http-head': 2000,
  'frame-stream': 1500,
  handshake: 600,
  'har-import': 1000,
  'proxy-listener': 96,
  'ui-listener': 96,
  'control-socket': 96,
  'control-api': 48,
};

function fuzz(args: string[]): Promise<{ code: number | null; lines: Record<string, unknown>[]; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [RUN, '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr, lines: stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) }));
  });
}

describe('a fixed-seed fuzz campaign per target', () => {
  for (const [target, execs] of Object.entries(CAMPAIGNS)) {
    it(`${target}: ${execs} inputs from seed 20261206 find nothing`, async () => {
      const r = await fuzz(['--target', target, '--execs', String(execs), '--seed', '20261206', '--no-save']);
      expect(r.lines).toHaveLength(1);
      expect(r.lines[0]!.findings).toEqual([]);
      expect(r.lines[0]!.execs).toBe(execs);
      expect(r.code).toBe(0);
    }, 60_000);
  }
});
