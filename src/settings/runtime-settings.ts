// The settings of a running engine: read from settings.json, overridden by the command line for
// this run, changed through the control API. A change is checked, applied to the proxy at once
// (the port is rebound first, so "port in use" changes nothing), then saved.
import { EventEmitter } from 'node:events';
import type { ProxyServer } from '../proxy/proxy-server.js';
import { checkSettingsPatch, SettingsError } from './settings-rules.js';
import { saveSettingsFile } from './settings-file.js';
import type { SettingKey, SettingOverride, Settings, SettingsState } from './settings-types.js';

export interface RuntimeSettingsOptions {
  /** settings.json's path. */
  path: string;
  /** What settings.json held at start. */
  saved: Settings;
  /** What the command line set for this run, over the saved values. */
  overrides: (SettingOverride & { value: unknown })[];
  /** Applies a disk budget to the sessions started from now on. */
  applyDiskBudget?: (bytes: number) => void;
}

export class RuntimeSettings extends EventEmitter<{ changed: [state: SettingsState] }> {
  private saved: Settings;
  private effective: Settings;
  private readonly overrides: SettingOverride[];
  private uiPortBound: number | undefined;
  private uiPortChanged = false;
  /** Changes wait for the one before them (a rebind takes a moment). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly proxy: ProxyServer, private readonly options: RuntimeSettingsOptions) {
    super();
    this.saved = structuredClone(options.saved);
    this.effective = structuredClone(options.saved);
    for (const o of options.overrides) (this.effective as unknown as Record<string, unknown>)[o.key] = o.value;
    this.overrides = options.overrides.map(({ key, option }) => ({ key, option }));
  }

  /** What this run uses now (the command line's values included). */
  get current(): Readonly<Settings> {
    return this.effective;
  }

  /** Told the port the UI server bound (framescope ui). */
  setUiPort(port: number): void {
    this.uiPortBound = port;
  }

  state(): SettingsState {
    const address = this.proxy.address;
    return {
      saved: structuredClone(this.saved),
      effective: { ...structuredClone(this.effective), proxyPort: address.port, ...(this.uiPortBound !== undefined ? { uiPort: this.uiPortBound } : {}) },
      overridden: [...this.overrides],
      pendingRestart: this.uiPortChanged && this.saved.uiPort !== this.uiPortBound ? ['uiPort'] : [],
      path: this.options.path,
      proxyAddress: `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    };
  }

  /** Checks, applies and saves a change; resolves with the new state, or rejects saying what was wrong. */
  update(patch: unknown): Promise<SettingsState> {
    const run = this.queue.then(() => this.apply(patch));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async apply(patch: unknown): Promise<SettingsState> {
    const change = checkSettingsPatch(patch);
    // The port first: it is the one change that can fail, and a failure must leave everything as it was.
    if (change.proxyPort !== undefined && change.proxyPort !== this.effective.proxyPort && change.proxyPort !== this.proxy.address.port) {
      try {
        await this.proxy.rebind(change.proxyPort);
      } catch (error) {
        throw new SettingsError(`proxyPort: ${(error as Error).message}; the proxy still listens on port ${this.proxy.address.port}`);
      }
    }
    this.proxy.reconfigure({
      ...(change.upstream !== undefined ? { upstream: change.upstream } : {}),
      ...(change.insecure !== undefined ? { insecure: change.insecure } : {}),
      ...(change.insecureHosts !== undefined ? { insecureHosts: change.insecureHosts } : {}),
      ...(change.maxStoredPayload !== undefined ? { maxStoredPayload: change.maxStoredPayload } : {}),
      ...(change.connectTimeout !== undefined ? { connectTimeout: change.connectTimeout } : {}),
    });
    if (change.diskBudget !== undefined) this.options.applyDiskBudget?.(change.diskBudget);
    if (change.uiPort !== undefined) this.uiPortChanged = true;
    this.effective = { ...this.effective, ...structuredClone(change) };
    this.saved = { ...this.saved, ...structuredClone(change) };
    try {
      saveSettingsFile(this.options.path, this.saved);
    } catch (error) {
      throw new SettingsError(`the change applies to this run but could not be saved to ${this.options.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    } finally {
      this.emit('changed', this.state());
    }
    return this.state();
  }
}

/** Which settings a command line sets, for this run only. */
export function commandLineOverrides(values: Partial<Record<SettingKey, { value: unknown; option: string } | undefined>>): RuntimeSettingsOptions['overrides'] {
  const overrides: RuntimeSettingsOptions['overrides'] = [];
  for (const [key, given] of Object.entries(values)) {
    if (given) overrides.push({ key: key as SettingKey, option: given.option, value: given.value });
  }
  return overrides;
}
