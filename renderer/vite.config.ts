// Builds the UI into dist/renderer/, next to the compiled engine that serves it (src/cli/ui-command.ts).
// Relative asset paths (base './') because the same files load from the engine's loopback server in a
// browser tab and in the Electron window. No Node modules here: the renderer lint rules cover this file.
import { defineConfig } from 'vite';

/** This folder as a file-system path (POSIX or Windows). */
const here = decodeURIComponent(new URL('.', import.meta.url).pathname).replace(/^\/([A-Za-z]:)/, '$1');

export default defineConfig({
  root: here,
  base: './',
  // React 19's automatic JSX runtime, without a plugin.
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: `${here}../dist/renderer`,
    emptyOutDir: true,
    target: 'es2022',
    // Monaco is one large lazy chunk; it loads only when an editor is shown.
    chunkSizeWarningLimit: 6000,
    reportCompressedSize: false,
  },
  // Monaco's workers are ES modules (json.worker splits code); they load from our own origin under the CSP.
  worker: { format: 'es' },
});
