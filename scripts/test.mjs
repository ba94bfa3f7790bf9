// `npm test`: type-check every tsconfig, build the UI, lint, run the tests, and end with
// `Tests: N passed, N failed`.
// Each check counts as one test, so a type error or a lint error is a failure in the closing line.
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from './build.mjs';

const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status === 0;

let passed = 0;
let failed = 0;
const check = (label, ok) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}`);
  if (ok) passed++; else failed++;
};

check('type-check and build the engine and the Electron shell (scripts/build.mjs --no-ui)', build({ ui: false }));
// The end-to-end tests drive the built UI, so it is built first.
check('build the UI (vite build)', run(bin('vite'), ['build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']));
check('type-check tests (tsconfig.test.json)', run(bin('tsc'), ['-p', 'tsconfig.test.json']));
check('type-check renderer (renderer/tsconfig.json)', run(bin('tsc'), ['-p', 'renderer/tsconfig.json']));
check('lint (eslint)', run(bin('eslint'), ['.']));

const outDir = join(root, 'test-results');
mkdirSync(outDir, { recursive: true });
const report = join(outDir, 'vitest.json');
rmSync(report, { force: true });
const extra = process.argv.slice(2);
run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra]);
try {
  const result = JSON.parse(readFileSync(report, 'utf8'));
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  // A test file that fails outside its tests (it does not load, or a beforeAll throws and its tests
  // are skipped) has no failed test of its own; count it as a failure.
  for (const file of result.testResults) {
    if (file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed')) failed++;
  }
} catch (error) {
  console.error(`could not read the test report: ${error.message}`);
  failed++;
}
console.log(`Tests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
