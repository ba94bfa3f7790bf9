// A full disk for a child engine: a real 4 MiB tmpfs as its FRAMESCOPE_HOME where mounting is
// allowed (root), filled to the last byte and freed again; elsewhere, writes made to fail with
// ENOSPC by a preloaded module (failing-writes.mjs) while a flag file exists.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface DiskFault {
  /** 'tmpfs': a real small file system; 'injected': writes fail while the disk is "full". */
  kind: 'tmpfs' | 'injected';
  /** FRAMESCOPE_HOME for the engine (mode 0700, empty). */
  home: string;
  /** The engine's environment: FRAMESCOPE_HOME, and the preload for an injected fault. */
  env: NodeJS.ProcessEnv;
  /** Makes the disk full. */
  fill(): void;
  /** Frees space again. */
  free(): void;
  /** Unmounts and removes everything. */
  dispose(): void;
}

const PRELOAD = pathToFileURL(new URL('./failing-writes.mjs', import.meta.url).pathname).href;

/** A full-disk fault; FRAMESCOPE_TEST_INJECT_DISK_FAULT=1 forces the injected kind (to test it as root). */
export function diskFault(): DiskFault {
  const base = mkdtempSync(join(tmpdir(), 'framescope-disk-'));
  const mountable = process.env.FRAMESCOPE_TEST_INJECT_DISK_FAULT !== '1'
    && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', base], { stdio: 'ignore' }).status === 0;
  const home = join(base, 'home');
  mkdirSync(home, { mode: 0o700 });
  const dispose = () => {
    if (mountable) execFileSync('umount', ['-l', base]);
    rmSync(base, { recursive: true, force: true });
  };
  if (mountable) {
    const filler = join(base, 'filler');
    return { kind: 'tmpfs', home, env: { ...process.env, FRAMESCOPE_HOME: home }, fill: () => fillDisk(filler), free: () => unlinkSync(filler), dispose };
  }
  const flag = join(base, 'disk-full');
  const options = [process.env.NODE_OPTIONS, `--import=${PRELOAD}`].filter(Boolean).join(' ');
  return {
    kind: 'injected', home, env: { ...process.env, FRAMESCOPE_HOME: home, FRAMESCOPE_TEST_DISK_FULL: flag, NODE_OPTIONS: options },
    fill: () => writeFileSync(flag, ''),
    free: () => {
      if (existsSync(flag)) unlinkSync(flag);
    },
    dispose,
  };
}

/** Fills the file system with one file to the last byte. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    for (const size of [65536, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 0x46);
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch {
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}
