// Lint rules that enforce the layering in DESIGN.md: where code may run decides what it may import.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const ioModules = ['net', 'tls', 'http', 'https', 'http2', 'dgram', 'fs', 'fs/promises', 'child_process', 'cluster', 'worker_threads', 'readline', 'timers', 'timers/promises'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'renderer/dist/**', 'test-results/**', 'bench-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only electron/ may import electron.' }] }],
    },
  },
  {
    // The codec is sans-IO: bytes in, frames out. No sockets, files or timers. The snippet
    // generators are pure too: the UI runs them.
    files: ['src/protocol/**/*.ts', 'src/snippets/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['electron', 'react', 'react-dom', ...ioModules, ...ioModules.map((m) => `node:${m}`)]
          .map((name) => ({ name, message: 'src/protocol is sans-IO: no sockets, files, timers, UI or electron.' })),
      }],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'setImmediate'],
    },
  },
  {
    // The engine runs headless: no UI libraries, no electron.
    files: ['src/**/*.ts'],
    ignores: ['src/protocol/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['electron', 'react', 'react-dom', 'monaco-editor'].map((name) => ({ name, message: 'src/ is the headless engine.' })),
      }],
    },
  },
  {
    // The UI runs in a browser or a sandboxed renderer: no Node modules, no electron.
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['electron', ...nodeBuiltins].map((name) => ({ name, message: 'renderer/ runs in a browser: no Node modules or electron.' })),
      }],
    },
  },
  {
    // The Node preload that `framescope run` injects is CommonJS (--require works on every Node):
    // `import x = require()` is how TypeScript writes that.
    files: ['src/intercept/node-preload/**/*.cts'],
    rules: { '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }] },
  },
  {
    // Test clients written as a CommonJS app would be: require() is the point.
    files: ['test/**/fixtures/**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['electron/**/*.{ts,cts}'],
    rules: {
      'no-restricted-imports': 'off',
      // A sandboxed preload is CommonJS: `import x = require()` is how TypeScript writes that.
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }],
    },
  },
);
