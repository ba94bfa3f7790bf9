// Monaco in a React component. Monaco itself loads on first use (monaco-loader.ts); until then a
// plain placeholder shows. Read-only editors follow `value`. In an editable one the model is the
// source of truth while the user types: it reports each change and takes `value` again only when
// `revision` moves (a snippet, a resend, the Format button). A re-render that carries an older value
// than the model (React renders after the keystroke that made it) never reaches setValue, so fast
// typing loses no keystroke and the cursor stays where it is.
import { useEffect, useRef, useState } from 'react';
import type * as MonacoApi from 'monaco-editor/editor/editor.api';
import { loadMonaco } from '../../monaco/monaco-loader.js';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';

interface MonacoEditorProps {
  /** The text: followed when read-only; taken at creation and when `revision` moves when editable. */
  value: string;
  /** Bumped by the owner to put `value` into an editable editor (content set from outside). */
  revision?: number;
  language: 'plaintext' | 'json';
  readOnly?: boolean;
  onChange?: (value: string) => void;
  /** Told the editor's problems (JSON syntax) whenever they change. */
  onMarkers?: (messages: string[]) => void;
  ariaLabel: string;
  wordWrap?: boolean;
  className?: string;
}

export function MonacoEditor({ value, revision = 0, language, readOnly = false, onChange, onMarkers, ariaLabel, wordWrap = true, className }: MonacoEditorProps) {
  const { settings } = useApp();
  useStore(settings);
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<MonacoApi.editor.IStandaloneCodeEditor | null>(null);
  const monacoRef = useRef<typeof MonacoApi | null>(null);
  /** The revision whose value the model holds. */
  const appliedRevision = useRef(revision);
  /** The newest value given, for the model made once Monaco has loaded. */
  const latestValue = useRef(value);
  latestValue.current = value;
  const latestRevision = useRef(revision);
  latestRevision.current = revision;
  const callbacks = useRef({ onChange, onMarkers });
  callbacks.current = { onChange, onMarkers };
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState<string>();

  useEffect(() => {
    let disposed = false;
    const disposables: MonacoApi.IDisposable[] = [];
    loadMonaco().then((monaco) => {
      if (disposed || !host.current) return;
      monacoRef.current = monaco;
      monaco.editor.setTheme(settings.theme === 'dark' ? 'vs-dark' : 'vs');
      appliedRevision.current = latestRevision.current;
      const model = monaco.editor.createModel(latestValue.current, language);
      const instance = monaco.editor.create(host.current, {
        model,
        readOnly,
        domReadOnly: readOnly,
        automaticLayout: true,
        minimap: { enabled: false },
        scrollBeyondLastLine: false,
        fontSize: 12,
        lineNumbersMinChars: 3,
        wordWrap: wordWrap ? 'on' : 'off',
        renderLineHighlight: readOnly ? 'none' : 'line',
        ariaLabel,
        tabSize: 2,
        fixedOverflowWidgets: true,
        stickyScroll: { enabled: false },
        unicodeHighlight: { ambiguousCharacters: false, invisibleCharacters: true },
      });
      editor.current = instance;
      disposables.push(model.onDidChangeContent(() => callbacks.current.onChange?.(model.getValue())));
      disposables.push(monaco.editor.onDidChangeMarkers((uris) => {
        if (!uris.some((u) => u.toString() === model.uri.toString())) return;
        callbacks.current.onMarkers?.(monaco.editor.getModelMarkers({ resource: model.uri }).map((m) => `line ${m.startLineNumber}: ${m.message}`));
      }));
      setReady(true);
    }, (error: Error) => setFailed(error.message));
    return () => {
      disposed = true;
      for (const d of disposables) d.dispose();
      const model = editor.current?.getModel();
      editor.current?.dispose();
      model?.dispose();
      editor.current = null;
    };
    // The editor is made once; later props are applied by the effects that follow.
  }, []);

  useEffect(() => {
    const model = editor.current?.getModel();
    if (!model) return;
    if (!readOnly && revision === appliedRevision.current) return;
    appliedRevision.current = revision;
    if (value !== model.getValue()) model.setValue(value);
  }, [value, revision, readOnly, ready]);

  useEffect(() => {
    const model = editor.current?.getModel();
    if (model && monacoRef.current) monacoRef.current.editor.setModelLanguage(model, language);
  }, [language, ready]);

  useEffect(() => {
    editor.current?.updateOptions({ readOnly, domReadOnly: readOnly, wordWrap: wordWrap ? 'on' : 'off' });
  }, [readOnly, wordWrap, ready]);

  useEffect(() => {
    monacoRef.current?.editor.setTheme(settings.theme === 'dark' ? 'vs-dark' : 'vs');
  }, [settings.theme, ready]);

  return (
    <div className={`monaco ${className ?? ''}`} data-ready={ready ? 'true' : 'false'}>
      <div ref={host} className="monaco-host" />
      {ready ? null : <div className="monaco-placeholder">{failed ? `The editor could not load: ${failed}` : 'Loading editor…'}</div>}
    </div>
  );
}
