// `npm run build` (and `prepare`, which `npm install` runs): compiles the engine, the Electron shell
// where the electron package is installed, and the UI into dist/.
// electron is an optional dependency that npm installs only on Node >= 22.12 (what its installer
// needs); without it there is no shell to run, so it is type-checked (scripts/electron-types.mjs)
// but not built, and said so.
//   --no-ui   type-check and compile the engine and the shell only (`npm run typecheck`)
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { electronTypesConfig } from './electron-types.mjs';

const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status === 0;

/** Whether the electron package (its types, its CLI) is installed. */
export function electronInstalled() {
  try {
    createRequire(join(root, 'package.json')).resolve('electron/package.json');
    return true;
  } catch {
    return false;
  }
}

export function build({ ui }) {
  if (!run(bin('tsc'), ['-b', 'tsconfig.engine.json'])) return false;
  if (electronInstalled()) {
    if (!run(bin('tsc'), ['-b', 'electron/tsconfig.json'])) return false;
  } else {
    // No shell to build here, but it is still type-checked, against the pinned version's declarations.
    const config = electronTypesConfig(root);
    if (config instanceof Error) {
      console.error(`build: could not type-check the Electron shell: ${config.message}`);
      return false;
    }
    if (!run(bin('tsc'), ['-p', config])) return false;
    console.log(`build: the Electron shell is type-checked but not built: the electron package is not installed (npm installs it on Node >= 22.12; this is Node ${process.versions.node}). framescope opens the UI in the browser instead.`);
  }
  return !ui || run(bin('vite'), ['build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exit(build({ ui: !process.argv.includes('--no-ui') }) ? 0 : 1);
}
