#!/usr/bin/env node
// The `framescope` command: runs the compiled CLI in dist/, which `npm install` builds (the prepare
// script) and `npm run build` rebuilds. From a checkout it runs as it is (`node bin/framescope.js`,
// `npm run framescope --`, or `framescope` after `npm link`), with no install step of its own.
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);

let main;
try {
  ({ main } = await import(entry.href));
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes(fileURLToPath(entry))) throw error;
  console.error(`framescope: the CLI is not built (${fileURLToPath(entry)} is missing): run \`npm install\` or \`npm run build\` in ${fileURLToPath(new URL('..', import.meta.url))}`);
  process.exit(1);
}

main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (error) => {
    console.error(`framescope: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
