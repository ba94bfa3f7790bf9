// `npm run dist`: packages the desktop app with electron-builder (AppImage and deb, dmg, nsis).
// electron-builder and electron need Node >= 22.12, so they are not installed with the project (a
// fresh `npm install` on Node 20 stays free of engine warnings): electron is an optional dependency
// that npm installs where it can run, and electron-builder is fetched by `npm exec` at packaging time.
import { spawnSync } from 'node:child_process';
import { build, electronInstalled } from './build.mjs';

const ELECTRON_BUILDER = 'electron-builder@26.17.0';
const [major, minor] = process.versions.node.split('.').map(Number);

if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`dist: packaging needs Node >= 22.12 (electron and electron-builder require it); this is Node ${process.versions.node}`);
  process.exit(1);
}
if (!electronInstalled()) {
  console.error('dist: the electron package is not installed; run `npm install` with this Node (>= 22.12) first');
  process.exit(1);
}
if (!build({ ui: true })) process.exit(1);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const result = spawnSync(npm, ['exec', '--yes', `--package=${ELECTRON_BUILDER}`, '--', 'electron-builder', ...process.argv.slice(2)], { stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
