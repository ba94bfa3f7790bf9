// Loads Monaco on first use, from the package (never a CDN), with its workers bundled as ES module
// workers from our own origin, so they run under the engine's CSP (worker-src 'self' blob:).
// Everything else in the renderer imports Monaco as types only, so the first paint never waits for it.
import type * as MonacoApi from 'monaco-editor/editor/editor.api';

export type Monaco = typeof MonacoApi;

let loading: Promise<Monaco> | undefined;

/** Monaco with the JSON language, loaded once. */
export function loadMonaco(): Promise<Monaco> {
  loading ??= (async () => {
    const [{ default: EditorWorker }, { default: JsonWorker }] = await Promise.all([
      import('monaco-editor/editor/editor.worker?worker'),
      import('monaco-editor/language/json/json.worker?worker'),
    ]);
    self.MonacoEnvironment = {
      getWorker: (_workerId: string, label: string) => (label === 'json' ? new JsonWorker() : new EditorWorker()),
    };
    const monaco = await import('monaco-editor/editor/editor.api');
    // Every editor contribution (find, folding, suggest...) registers its services before the first
    // editor starts them; registered later (when the JSON mode pulls them in) they are unknown services.
    await import('monaco-editor/features/register.all');
    await import('monaco-editor/languages/features/json/register');
    return monaco;
  })();
  return loading;
}
