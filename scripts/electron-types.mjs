// Where the electron package is not installed (npm skips it on Node < 22.12), the shell is still
// type-checked: against the declarations of the very electron version package.json pins, taken from
// its npm tarball (the package holds electron.d.ts; the binary is a separate download it never gets).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The electron version package.json pins (optionalDependencies). */
function pinnedVersion(root) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return pkg.optionalDependencies?.electron ?? pkg.devDependencies?.electron;
}

/**
 * Path of a tsconfig that type-checks electron/ (no output) against the pinned electron.d.ts, or an
 * Error saying why it could not be had (no registry and nothing cached).
 */
export function electronTypesConfig(root) {
  const version = pinnedVersion(root);
  if (!version) return new Error('package.json pins no electron version');
  const dir = join(root, 'node_modules', '.cache', 'framescope-electron-types', version);
  const declarations = join(dir, 'package', 'electron.d.ts');
  if (!existsSync(declarations)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const pack = spawnSync('npm', ['pack', `electron@${version}`, '--silent', '--pack-destination', dir], { cwd: dir, encoding: 'utf8' });
    const tarball = pack.stdout.trim().split('\n').pop();
    if (pack.status !== 0 || !tarball) return new Error(`npm pack electron@${version} failed: ${pack.stderr.trim() || `exit ${pack.status}`}`);
    const untar = spawnSync('tar', ['-xzf', join(dir, tarball), '-C', dir, 'package/electron.d.ts', 'package/package.json'], { encoding: 'utf8' });
    if (untar.status !== 0) return new Error(`could not unpack ${tarball}: ${untar.stderr.trim()}`);
  }
  const config = join(dir, 'tsconfig.json');
  writeFileSync(config, JSON.stringify({
    extends: join(root, 'electron', 'tsconfig.json'),
    compilerOptions: { composite: false, declaration: false, noEmit: true, incremental: false },
    files: [declarations],
    include: [join(root, 'electron', '*.ts'), join(root, 'electron', '*.cts')],
  }, null, 2));
  return config;
}
