// Settings: the proxy's ports, reverse mode's upstream, upstream TLS verification (globally or per
// host) and the stored payload cap. Kept in FRAMESCOPE_HOME/settings.json; a change applies at once
// where it can (the proxy moves to a new port live), the command line wins for the run it started.
import { useEffect, useState, type ReactNode } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import type { SettingsState } from '../../api/wire.js';
import { changeOf, draftOf, overrideNote, type SettingsDraft } from './settings-draft.js';
import './settings.css';

export function SettingsView() {
  const { engineSettings } = useApp();
  useStore(engineSettings);
  const state = engineSettings.state;
  if (!state) {
    return (
      <div className="workspace-page settings-view" data-view="settings">
        <div className="empty-state">{engineSettings.unavailable ?? 'Reading the settings…'}</div>
      </div>
    );
  }
  return <SettingsForm state={state} />;
}

function SettingsForm({ state }: { state: SettingsState }) {
  const { engineSettings } = useApp();
  const [draft, setDraft] = useState<SettingsDraft>(() => draftOf(state));
  const [outcome, setOutcome] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const [newHost, setNewHost] = useState('');
  const change = changeOf(draft, state);
  const dirty = Object.keys(change).length > 0;

  // Another window (or this one) changed the settings: an untouched form follows.
  const [seen, setSeen] = useState(state);
  useEffect(() => {
    if (state === seen) return;
    setSeen(state);
    if (!dirty) setDraft(draftOf(state));
  }, [state, seen, dirty]);

  const set = <K extends keyof SettingsDraft>(key: K, value: SettingsDraft[K]) => {
    setDraft({ ...draft, [key]: value });
    setOutcome(undefined);
  };
  const save = () => {
    engineSettings.save(change).then(
      (next) => {
        setDraft(draftOf(next));
        setOutcome({ kind: 'ok', text: `Saved. The proxy listens on ${next.proxyAddress}.` });
      },
      (error: Error) => setOutcome({ kind: 'error', text: error.message }),
    );
  };
  const addHost = () => {
    const host = newHost.trim();
    if (!host || draft.insecureHosts.includes(host.toLowerCase())) return;
    set('insecureHosts', [...draft.insecureHosts, host]);
    setNewHost('');
  };

  return (
    <div className="workspace-page settings-view" data-view="settings">
      <div className="page-head">
        <h2>Settings</h2>
        <span className="muted">Kept in <code>{state.path}</code>. Changes apply at once and are saved.</span>
      </div>
      {state.overridden.length > 0 ? (
        <div className="settings-note" role="note">
          This run was started with {state.overridden.map((o) => <code key={o.key}>{o.option}</code>).reduce<ReactNode[]>((all, c, i) => (i ? [...all, ' ', c] : [c]), [])}:
          command-line options win over the saved settings for this run only.
        </div>
      ) : null}

      <section className="settings-section" aria-labelledby="settings-proxy">
        <h3 id="settings-proxy">Proxy</h3>
        <Field label="Proxy port" note={overrideNote(state, 'proxyPort')} hint={`Listening on ${state.proxyAddress}. A new port is bound first, so the proxy stays where it is if the port is taken; open connections carry on. 0 picks a free port.`}>
          <input aria-label="Proxy port" inputMode="numeric" value={draft.proxyPort} onChange={(e) => set('proxyPort', e.target.value)} />
        </Field>
        <Field label="UI port" note={overrideNote(state, 'uiPort')} hint={`Takes effect at the next start (this window uses port ${state.effective.uiPort}). 0 picks a free port.`} pending={state.pendingRestart.includes('uiPort')}>
          <input aria-label="UI port" inputMode="numeric" value={draft.uiPort} onChange={(e) => set('uiPort', e.target.value)} />
        </Field>
        <Field label="Reverse mode upstream" note={overrideNote(state, 'upstream')} hint="Empty: an explicit proxy (absolute-form requests and CONNECT). A ws://, wss://, http:// or https:// URL: every new connection goes there with its own path and query.">
          <input aria-label="Reverse mode upstream" className="wide-input" placeholder="explicit proxy" value={draft.upstream} onChange={(e) => set('upstream', e.target.value)} />
        </Field>
      </section>

      <section className="settings-section" aria-labelledby="settings-tls">
        <h3 id="settings-tls">Upstream TLS</h3>
        <Field label="Verify certificates" note={overrideNote(state, 'insecure')} hint="Upstream certificates are verified unless you opt out, for every host or for the hosts below. Applies from the next connection on; each connection records whether its certificate verified.">
          <label className="check-label">
            <input type="checkbox" aria-label="Do not verify any upstream certificate" checked={draft.insecure} onChange={(e) => set('insecure', e.target.checked)} />
            Do not verify any upstream certificate (insecure)
          </label>
        </Field>
        <Field label="Hosts not verified" hint="host, host:port, [::1]:port or *.domain (its subdomains). Use it for dev servers with self-signed certificates.">
          <div className="host-list" aria-label="Hosts not verified">
            {draft.insecureHosts.length === 0 ? <span className="muted">None: every host is verified.</span> : null}
            {draft.insecureHosts.map((host) => (
              <span className="host-chip" key={host} data-host={host}>
                <code>{host}</code>
                <button className="icon-button" aria-label={`Verify ${host} again`} title="Verify this host again" onClick={() => set('insecureHosts', draft.insecureHosts.filter((h) => h !== host))}>×</button>
              </span>
            ))}
          </div>
          <div className="host-add">
            <input aria-label="Host to stop verifying" placeholder="dev.local:8443" value={newHost} onChange={(e) => setNewHost(e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter') addHost(); }} />
            <button className="button" onClick={addHost} disabled={!newHost.trim()}>Add host</button>
          </div>
        </Field>
      </section>

      <section className="settings-section" aria-labelledby="settings-recording">
        <h3 id="settings-recording">Recording</h3>
        <Field label="Stored payload cap (bytes)" note={overrideNote(state, 'maxStoredPayload')} hint="Payload bytes kept per frame and message, for connections that start from now on; the rest passes through untouched and the record is marked truncated.">
          <input aria-label="Stored payload cap" inputMode="numeric" value={draft.maxStoredPayload} onChange={(e) => set('maxStoredPayload', e.target.value)} />
        </Field>
        <Field label="Disk budget per session (bytes)" note={overrideNote(state, 'diskBudget')} hint="How much a session's file may take before payloads stop being stored (frames are still recorded, and said so). For sessions started from now on; the live one keeps its budget.">
          <input aria-label="Disk budget" inputMode="numeric" value={draft.diskBudget} onChange={(e) => set('diskBudget', e.target.value)} />
        </Field>
        <Field label="Connect timeout (ms)" note={overrideNote(state, 'connectTimeout')} hint="How long to wait for an upstream before answering the client 504.">
          <input aria-label="Connect timeout" inputMode="numeric" value={draft.connectTimeout} onChange={(e) => set('connectTimeout', e.target.value)} />
        </Field>
      </section>

      <div className="settings-actions">
        <button className="button primary" disabled={!dirty} onClick={save}>Save changes</button>
        <button className="button" disabled={!dirty} onClick={() => { setDraft(draftOf(state)); setOutcome(undefined); }}>Revert</button>
        {outcome ? <span className={outcome.kind === 'ok' ? 'ok-text' : 'error-text'} role={outcome.kind === 'error' ? 'alert' : 'status'}>{outcome.text}</span> : null}
      </div>
    </div>
  );
}

function Field({ label, hint, note, pending, children }: { label: string; hint: string; note?: string; pending?: boolean; children: ReactNode }) {
  return (
    <div className="settings-field">
      <div className="settings-label">{label}</div>
      <div className="settings-control">
        {children}
        <div className="settings-hint muted small">{hint}</div>
        {note ? <div className="settings-override small" data-override="true">{note}</div> : null}
        {pending ? <div className="settings-override small">Saved: used at the next start.</div> : null}
      </div>
    </div>
  );
}
