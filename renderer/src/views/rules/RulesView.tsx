// Rules: the ordered list that changes traffic automatically (README "Rules and mocks"), kept in the
// engine's rules file. Each rule shows in words; switches, order and deletion save at once; a new
// rule comes from the form, or the whole list is edited as JSON. The engine checks every save and
// names the rule and the field of a problem. A rules file changed on disk shows at once; one with an
// error is reported here while the earlier rules stay in force.
import { useEffect, useState } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import type { Rule } from '../../api/wire.js';
import { ACTION_TYPES, emptyForm, fieldLabels, ruleOf, type RuleForm } from './rule-form.js';
import { rulesStoreOf } from './rules-store.js';
import './rules.css';

export function RulesView() {
  const app = useApp();
  const store = rulesStoreOf(app);
  useStore(store);
  useEffect(() => {
    void store.load();
  }, [store]);
  const [outcome, setOutcome] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const [json, setJson] = useState<string>();
  const state = store.state;
  if (!state) {
    return <div className="workspace-page rules-view" data-view="rules"><div className="empty-state">{store.unavailable ?? 'Reading the rules…'}</div></div>;
  }
  const save = (rules: Rule[], done?: () => void) => {
    store.save(rules).then(
      () => {
        setOutcome({ kind: 'ok', text: `Saved ${rules.length} rule${rules.length === 1 ? '' : 's'}.` });
        done?.();
      },
      (error: Error) => setOutcome({ kind: 'error', text: error.message }),
    );
  };
  const rules = state.rules;
  const move = (i: number, by: number) => {
    const next = [...rules];
    const [r] = next.splice(i, 1);
    next.splice(i + by, 0, r!);
    save(next);
  };

  return (
    <div className="workspace-page rules-view" data-view="rules">
      <div className="page-head">
        <h2>Rules</h2>
        <span className="muted">{state.path ? <>Kept in <code>{state.path}</code>; changes to the file apply at once.</> : 'This engine has no rules file.'} Rules run in order on every message; breakpoints come after them.</span>
      </div>
      {state.error ? <div className="rules-error" role="alert">{state.error}</div> : null}
      {outcome ? <div className={outcome.kind === 'ok' ? 'rules-ok' : 'rules-error'} role={outcome.kind === 'error' ? 'alert' : 'status'}>{outcome.text}</div> : null}

      {rules.length === 0 ? <div className="muted">No rules yet.</div> : (
        <ol className="rules-list" aria-label="Rules">
          {rules.map((rule, i) => (
            <li key={rule.name} className={`rule-item${rule.enabled ? '' : ' off'}`} data-rule={rule.name}>
              <input type="checkbox" aria-label={`Rule ${rule.name} on`} checked={rule.enabled} onChange={(e) => save(rules.map((r, j) => (j === i ? { ...r, enabled: e.target.checked } : r)))} />
              <div>
                <div className="rule-name">{rule.name}</div>
                <div className="rule-words">{state.explained[i]}</div>
              </div>
              <div className="rule-buttons">
                <button disabled={i === 0} title="Earlier" aria-label={`Move ${rule.name} up`} onClick={() => move(i, -1)}>↑</button>
                <button disabled={i === rules.length - 1} title="Later" aria-label={`Move ${rule.name} down`} onClick={() => move(i, 1)}>↓</button>
                <button aria-label={`Delete ${rule.name}`} onClick={() => save(rules.filter((_, j) => j !== i))}>Delete</button>
              </div>
            </li>
          ))}
        </ol>
      )}

      {state.path ? <NewRule onAdd={(rule, done) => save([...rules, rule], done)} /> : null}

      {state.path ? (
        json === undefined ? (
          <div><button onClick={() => setJson(JSON.stringify({ rules }, null, 2))}>Edit as JSON</button></div>
        ) : (
          <section aria-label="Rules as JSON">
            <textarea className="rules-json" aria-label="Rules JSON" value={json} onChange={(e) => setJson(e.target.value)} spellCheck={false} />
            <div className="rule-buttons">
              <button onClick={() => {
                let parsed: { rules?: Rule[] } | Rule[];
                try {
                  parsed = JSON.parse(json) as { rules?: Rule[] } | Rule[];
                } catch (error) {
                  setOutcome({ kind: 'error', text: `Not JSON: ${(error as Error).message}` });
                  return;
                }
                save((Array.isArray(parsed) ? parsed : parsed.rules) ?? ([] as Rule[]), () => setJson(undefined));
              }}>Save JSON</button>
              <button onClick={() => setJson(undefined)}>Cancel</button>
            </div>
          </section>
        )
      ) : null}
    </div>
  );
}

function NewRule({ onAdd }: { onAdd: (rule: Rule, done: () => void) => void }) {
  const [form, setForm] = useState<RuleForm>(emptyForm);
  const set = <K extends keyof RuleForm>(key: K, value: RuleForm[K]) => setForm({ ...form, [key]: value });
  const [first, second] = fieldLabels(form);
  const text = (key: keyof RuleForm, label: string, placeholder = '') => (
    <label>{label}<input aria-label={label} value={form[key] as string} placeholder={placeholder} onChange={(e) => set(key, e.target.value as never)} /></label>
  );
  return (
    <form className="rule-form" aria-label="New rule" onSubmit={(e) => {
      e.preventDefault();
      onAdd(ruleOf(form), () => setForm(emptyForm));
    }}>
      {text('name', 'Rule name')}
      <label>Direction
        <select aria-label="Direction" value={form.direction} onChange={(e) => set('direction', e.target.value as RuleForm['direction'])}>
          <option value="both">Both ways</option>
          <option value="send">Client to server</option>
          <option value="receive">Server to client</option>
        </select>
      </label>
      {text('url', 'URL', 'a substring, or /regex/')}
      {text('contains', 'Message contains')}
      {text('regex', 'Message matches', 'regular expression')}
      {text('jsonPath', 'JSON path', '$.type')}
      {text('jsonEquals', 'JSON value equals', '"ping"')}
      <label>Action
        <select aria-label="Action" value={form.action} onChange={(e) => setForm({ ...form, action: e.target.value as RuleForm['action'], value: '', second: '' })}>
          {ACTION_TYPES.map(([id, label]) => <option key={id} value={id}>{label}</option>)}
        </select>
      </label>
      {form.action === 'rewrite' ? (
        <label>Rewrite by
          <select aria-label="Rewrite by" value={form.rewriteKind} onChange={(e) => set('rewriteKind', e.target.value as RuleForm['rewriteKind'])}>
            <option value="regex">Regex replace</option>
            <option value="mergePatch">JSON merge patch</option>
            <option value="payload">New payload</option>
          </select>
        </label>
      ) : null}
      {first ? text('value', first) : null}
      {second ? text('second', second) : null}
      {form.action === 'reply' ? (
        <label><span><input type="checkbox" aria-label="Forward the original too" checked={form.forward} onChange={(e) => set('forward', e.target.checked)} /> Forward the original too</span></label>
      ) : null}
      <div className="form-buttons"><button type="submit">Add rule</button></div>
    </form>
  );
}
