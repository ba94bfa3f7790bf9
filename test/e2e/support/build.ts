// Builds what the end-to-end tests run: the engine (tsc -b) and the UI (vite build) into dist/.
// Test files run in parallel processes, so a lock directory makes one build at a time, and a stamp
// check skips the UI build when nothing under renderer/ changed since the last one.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LOCK = join(ROOT, 'test-results', '.e2e-build.lock');
const UI_INDEX = join(ROOT, 'dist', 'renderer', 'index.html');
/** A lock older than this is left over from a killed run. */
const STALE_LOCK_MS = 180_000;

/** Builds the engine and, when it is older than its sources, the UI. */
export async function ensureBuilt(): Promise<void> {
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  await acquire();
  try {
    // tsc -b of the engine (the Electron shell is built apart, where electron is installed) is incremental; its exit code is ignored because other parts of the tree may be mid-edit
    // (it still emits), but the engine's entry point must be there.
    spawnSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-b', 'tsconfig.engine.json'], { cwd: ROOT, stdio: 'ignore' });
    if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('tsc -b did not produce dist/src/cli/main.js');
    if (uiIsStale()) {
      const vite = spawnSync(join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--config', 'renderer/vite.config.ts', '--logLevel', 'error'], { cwd: ROOT, encoding: 'utf8' });
      if (vite.status !== 0) throw new Error(`vite build failed:\n${vite.stdout}${vite.stderr}`);
    }
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

function uiIsStale(): boolean {
  if (!existsSync(UI_INDEX)) return true;
  const built = statSync(UI_INDEX).mtimeMs;
  const sources = [join(ROOT, 'renderer'), join(ROOT, 'src', 'control', 'api-types.ts'), join(ROOT, 'build', 'icon.svg')];
  return sources.some((path) => newest(path) > built);
}

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs);
}

async function acquire(): Promise<void> {
  for (;;) {
    try {
      mkdirSync(LOCK);
      return;
    } catch {
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      await sleep(250);
    }
  }
}
