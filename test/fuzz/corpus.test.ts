// The fuzz corpus as regression tests: every input the fuzzer ever saved (fuzz/corpus/<target>/, each a
// crash, hang or runaway allocation once, minimized) runs again through its target and must pass
// (campaign.test.ts runs a short fixed-seed campaign per target). Both go through `npm run fuzz`'s own
// runner (fuzz/run.mjs) as a child process: in-process targets in a worker with a watchdog, listener
// targets against a real engine process over real sockets.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const RUN = fileURLToPath(new URL('../../fuzz/run.mjs', import.meta.url));
const CORPUS = fileURLToPath(new URL('../../fuzz/corpus/', import.meta.url));

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

const saved = (target: string) => (existsSync(`${CORPUS}${target}`) ? readdirSync(`${CORPUS}${target}`).filter((f) => f.endsWith('.bin')).sort() : []);

const TARGETS = ['http-head', 'frame-stream', 'handshake', 'har-import', 'proxy-listener', 'ui-listener', 'control-socket', 'control-api'];
const withCorpus = existsSync(CORPUS) ? readdirSync(CORPUS).filter((d) => saved(d).length > 0).sort() : [];

describe('the fuzz corpus', () => {
  it('is kept only for targets the fuzzer has', () => {
    expect(withCorpus.filter((d) => !TARGETS.includes(d))).toEqual([]);
  });

  // One test per target that has saved inputs.
  for (const target of withCorpus) {
    it(`replays every saved ${target} input, and each passes`, async () => {
      const r = await fuzz(['--replay', '--target', target]);
      expect(r.lines.map((l) => [String(l.file).split('/').pop(), l.failure])).toEqual(saved(target).map((f) => [f, null]));
      expect(r.code).toBe(0);
    }, 60_000);
  }
});
