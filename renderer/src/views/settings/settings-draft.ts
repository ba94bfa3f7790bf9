// The Settings form's draft: text fields as the user types them, turned into the change the engine
// gets. Numbers that are not whole numbers go as typed, so the engine's check names them.
import type { SettingKey, Settings, SettingsState } from '../../api/wire.js';

export interface SettingsDraft {
  proxyPort: string;
  uiPort: string;
  upstream: string;
  insecure: boolean;
  insecureHosts: string[];
  maxStoredPayload: string;
  connectTimeout: string;
  diskBudget: string;
}

export function draftOf(state: SettingsState): SettingsDraft {
  const e = state.effective;
  return {
    proxyPort: String(e.proxyPort),
    // The UI port to use from the next start: what is saved, unless a change waits for a restart.
    uiPort: String(state.saved.uiPort),
    upstream: e.upstream,
    insecure: e.insecure,
    insecureHosts: [...e.insecureHosts],
    maxStoredPayload: String(e.maxStoredPayload),
    connectTimeout: String(e.connectTimeout),
    diskBudget: String(e.diskBudget),
  };
}

/** The settings the draft changes, compared with what is in effect (the UI port: with what is saved). */
export function changeOf(draft: SettingsDraft, state: SettingsState): Partial<Settings> {
  const change: Record<string, unknown> = {};
  const number = (text: string) => (/^\s*\d+\s*$/.test(text) ? Number(text) : text);
  const e = state.effective;
  if (draft.proxyPort !== String(e.proxyPort)) change.proxyPort = number(draft.proxyPort);
  if (draft.uiPort !== String(state.saved.uiPort)) change.uiPort = number(draft.uiPort);
  if (draft.upstream.trim() !== e.upstream) change.upstream = draft.upstream.trim();
  if (draft.insecure !== e.insecure) change.insecure = draft.insecure;
  if (draft.insecureHosts.join('\n') !== e.insecureHosts.join('\n')) change.insecureHosts = draft.insecureHosts;
  if (draft.maxStoredPayload !== String(e.maxStoredPayload)) change.maxStoredPayload = number(draft.maxStoredPayload);
  if (draft.connectTimeout !== String(e.connectTimeout)) change.connectTimeout = number(draft.connectTimeout);
  if (draft.diskBudget !== String(e.diskBudget)) change.diskBudget = number(draft.diskBudget);
  return change as Partial<Settings>;
}

/** What the command line did to a setting for this run, in words; undefined when it did nothing. */
export function overrideNote(state: SettingsState, key: SettingKey): string | undefined {
  const o = state.overridden.find((x) => x.key === key);
  if (!o) return undefined;
  const saved = state.saved[key];
  const shown = typeof saved === 'boolean' ? (saved ? 'on' : 'off') : Array.isArray(saved) ? saved.join(', ') || 'none' : saved === '' ? 'none' : String(saved);
  return `Set by ${o.option} on the command line for this run (saved: ${shown}). A change here applies now and is saved.`;
}
