// Runtime settings: what the user chooses about the engine, kept between runs in
// FRAMESCOPE_HOME/settings.json. Types only: the control API and the renderer share them.
import type { FrameFilter } from '../control/api-types.js';

export interface Settings {
  /** The proxy's port on its host; 0 picks a free one. Changing it moves the listener at once. */
  proxyPort: number;
  /** The UI server's port (framescope ui); 0 picks a free one. Takes effect at the next start. */
  uiPort: number;
  /** Reverse mode: every connection goes to this ws://, wss://, http:// or https:// URL. '' for the explicit proxy. */
  upstream: string;
  /** Do not verify any upstream TLS certificate. */
  insecure: boolean;
  /** Upstreams whose TLS certificates are not verified: host, host:port, [v6]:port or *.domain. */
  insecureHosts: string[];
  /** Payload bytes stored per frame and message, for connections that start from now on. */
  maxStoredPayload: number;
  /** Milliseconds to connect to an upstream before answering 504. */
  connectTimeout: number;
  /** Bytes a session's file may take before payloads stop being stored; for sessions started from now on. */
  diskBudget: number;
  /** Search filters the user saved, by name. */
  savedFilters: SavedFilter[];
}

export type SettingKey = keyof Settings;

/** A named search: a filter over the messages of a session's connections. */
export interface SavedFilter {
  /** Unique among the saved filters; 1-80 characters. */
  name: string;
  filter: FrameFilter;
}

/** A setting the command line set for this run, over the saved value. */
export interface SettingOverride {
  key: SettingKey;
  /** The option as given, e.g. `--insecure` or `--proxy-port 0`. */
  option: string;
}

/** The settings as getSettings and the 'settings' event give them. */
export interface SettingsState {
  /** What settings.json holds. */
  saved: Settings;
  /** What this run uses now: saved, then the command line over it, then changes made since. */
  effective: Settings;
  /** Settings the command line set at start, over the saved ones, for this run only. */
  overridden: SettingOverride[];
  /** Settings that were saved but apply only at the next start (the UI port). */
  pendingRestart: SettingKey[];
  /** Where the settings are kept. */
  path: string;
  /** host:port the proxy listens on now. */
  proxyAddress: string;
}
