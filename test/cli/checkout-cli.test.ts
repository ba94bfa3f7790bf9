// The CLI runs straight from a checkout, the ways the README says, with nothing to install first;
// and a checkout that is not built says how to build it.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../support/cli.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('the framescope command from a checkout', () => {
  it('runs as `npm run framescope -- <command>`', () => {
    const r = spawnSync('npm', ['run', '--silent', 'framescope', '--', 'decode', '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: framescope decode/);
  });

  it('runs as `node bin/framescope.js <command>`', () => {
    const r = spawnSync(process.execPath, [BIN, 'decode', '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: framescope decode/);
  });

  it('says how to build it when dist/ is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'framescope-unbuilt-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(BIN, join(dir, 'bin', 'framescope.js'));
      writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
      const r = spawnSync(process.execPath, [join(dir, 'bin', 'framescope.js'), '--help'], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`framescope: the CLI is not built (${join(dir, 'dist', 'src', 'cli', 'main.js')} is missing): run \`npm install\` or \`npm run build\` in ${dir}/\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is what the README tells to run, never `npx framescope <command>`', () => {
    expect(README).not.toMatch(/npx framescope [a-z-]/);
    for (const form of ['npm link', 'node bin/framescope.js proxy --port 8080', 'npm run framescope -- proxy --port 8080']) expect(README).toContain(form);
    // The README's first two commands stay the way to start.
    expect(README).toMatch(/```sh\nnpm install && npm start {4}# runs the app\nnpm test {20}# runs every test/);
  });
});
