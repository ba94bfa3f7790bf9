// The settings' defaults and the checks every value passes before it is used or saved: a bad value
// from the control API is an error that names the setting and says what it takes; a bad value in
// settings.json falls back to its default and is reported, never ends the process.
import { DEFAULT_MAX_STORED_PAYLOAD, DEFAULT_PROXY_PORT } from '../proxy/proxy-server.js';
import { tlsExceptionProblem } from '../proxy/tls-exceptions.js';
import type { FrameFilter } from '../control/api-types.js';
import { DEFAULT_DISK_BUDGET } from '../capture/capture-store.js';
import type { SavedFilter, SettingKey, Settings } from './settings-types.js';

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  proxyPort: DEFAULT_PROXY_PORT,
  uiPort: 0,
  upstream: '',
  insecure: false,
  insecureHosts: [],
  maxStoredPayload: DEFAULT_MAX_STORED_PAYLOAD,
  connectTimeout: 10_000,
  diskBudget: DEFAULT_DISK_BUDGET,
  savedFilters: [],
});

export const SETTING_KEYS = Object.keys(DEFAULT_SETTINGS) as SettingKey[];

/** Largest stored payload cap (the CLI's --max-stored-payload takes the same). */
export const MAX_STORED_PAYLOAD_LIMIT = 2 ** 31;
export const MAX_SAVED_FILTERS = 100;
/** The smallest disk budget (the CLI's --disk-budget takes the same). */
export const MIN_DISK_BUDGET = 1024 * 1024;
export const MAX_INSECURE_HOSTS = 200;

/** A setting's value that does not fit, said in words. */
export class SettingsError extends Error {}

/**
 * Checks a partial change of the settings; returns it typed, or throws a SettingsError naming every
 * bad setting (all of them, so a form can mark each field).
 */
export function checkSettingsPatch(patch: unknown): Partial<Settings> {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new SettingsError('settings must be an object of setting names and values');
  const problems: string[] = [];
  const checked: Partial<Settings> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (!(SETTING_KEYS as string[]).includes(key)) {
      problems.push(`unknown setting "${key}" (known: ${SETTING_KEYS.join(', ')})`);
      continue;
    }
    const problem = checkValue(key as SettingKey, value);
    if (problem) problems.push(`${key}: ${problem}`);
    else (checked as Record<string, unknown>)[key] = normalize(key as SettingKey, value);
  }
  if (problems.length > 0) throw new SettingsError(problems.join('; '));
  return checked;
}

/** Reads settings.json's text: every good value is kept, every bad one falls back to its default and is named. */
export function parseSettingsText(text: string): { settings: Settings; problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { settings: defaults(), problems: [`settings.json is not JSON (${(error as Error).message}); using the defaults`] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { settings: defaults(), problems: ['settings.json does not hold an object; using the defaults'] };
  const settings = defaults();
  const problems: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (!(SETTING_KEYS as string[]).includes(key)) continue; // a newer version's setting: left alone
    const problem = checkValue(key as SettingKey, value);
    if (problem) problems.push(`settings.json: ${key}: ${problem}; using the default`);
    else (settings as unknown as Record<string, unknown>)[key] = normalize(key as SettingKey, value);
  }
  return { settings, problems };
}

export function defaults(): Settings {
  return { ...DEFAULT_SETTINGS, insecureHosts: [], savedFilters: [] };
}

function checkValue(key: SettingKey, value: unknown): string | undefined {
  switch (key) {
    case 'proxyPort':
    case 'uiPort':
      return integerProblem(value, 0, 65535);
    case 'maxStoredPayload':
      return integerProblem(value, 0, MAX_STORED_PAYLOAD_LIMIT);
    case 'connectTimeout':
      return integerProblem(value, 1, 600_000);
    case 'diskBudget':
      return integerProblem(value, MIN_DISK_BUDGET, Number.MAX_SAFE_INTEGER);
    case 'insecure':
      return typeof value === 'boolean' ? undefined : 'takes true or false';
    case 'upstream':
      return upstreamProblem(value);
    case 'insecureHosts': {
      if (!Array.isArray(value)) return 'takes a list of hosts';
      if (value.length > MAX_INSECURE_HOSTS) return `takes at most ${MAX_INSECURE_HOSTS} hosts`;
      for (const host of value) {
        const problem = typeof host === 'string' ? tlsExceptionProblem(host) : 'is not text';
        if (problem) return `${JSON.stringify(host)} ${problem}`;
      }
      return undefined;
    }
    case 'savedFilters': {
      if (!Array.isArray(value)) return 'takes a list of {name, filter}';
      if (value.length > MAX_SAVED_FILTERS) return `takes at most ${MAX_SAVED_FILTERS} filters`;
      const names = new Set<string>();
      for (const item of value) {
        const problem = savedFilterProblem(item);
        if (problem) return problem;
        const name = (item as SavedFilter).name;
        if (names.has(name)) return `the name ${JSON.stringify(name)} is used twice`;
        names.add(name);
      }
      return undefined;
    }
  }
}

function normalize(key: SettingKey, value: unknown): unknown {
  if (key === 'insecureHosts') return [...new Set((value as string[]).map((h) => h.toLowerCase()))];
  if (key === 'upstream') return (value as string).trim();
  if (key === 'savedFilters') return (value as SavedFilter[]).map((f) => ({ name: f.name, filter: cleanFilter(f.filter) }));
  return value;
}

function integerProblem(value: unknown, min: number, max: number): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) return `takes a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`;
  if (value < min || value > max) return `must be from ${min} to ${max}, not ${value}`;
  return undefined;
}

function upstreamProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'takes a URL, or "" for the explicit proxy';
  const text = value.trim();
  if (text === '') return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `must be a ws://, wss://, http:// or https:// URL, not ${JSON.stringify(value)}`;
  }
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol)) return `must be a ws://, wss://, http:// or https:// URL, not ${JSON.stringify(value)}`;
  if (url.username || url.password) return 'must not hold a user name or password';
  if (url.search || url.hash) return 'must not hold a query or fragment (each connection brings its own path and query)';
  return undefined;
}

const FILTER_KEYS = ['direction', 'opcode', 'violation', 'text', 'regex', 'flags'] as const;

function savedFilterProblem(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null) return 'a saved filter is not {name, filter}';
  const { name, filter } = item as { name?: unknown; filter?: unknown };
  if (typeof name !== 'string' || name.trim() === '' || name.length > 80) return `a saved filter's name must be 1-80 characters, not ${JSON.stringify(name)}`;
  const problem = filterProblem(filter);
  return problem ? `filter ${JSON.stringify(name)}: ${problem}` : undefined;
}

/** Why a search filter is not one (also used by the search commands). */
export function filterProblem(filter: unknown): string | undefined {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) return 'is not an object';
  const f = filter as Record<string, unknown>;
  for (const key of Object.keys(f)) if (!(FILTER_KEYS as readonly string[]).includes(key)) return `has an unknown field "${key}"`;
  if (f.direction !== undefined && f.direction !== 'send' && f.direction !== 'receive') return 'direction must be "send" or "receive"';
  if (f.opcode !== undefined && (typeof f.opcode !== 'number' || !Number.isInteger(f.opcode) || f.opcode < 0 || f.opcode > 15)) return 'opcode must be 0-15';
  if (f.violation !== undefined && (typeof f.violation !== 'string' || f.violation === '')) return 'violation must be a violation code or "any"';
  if (f.text !== undefined && typeof f.text !== 'string') return 'text must be text';
  if (f.flags !== undefined && (typeof f.flags !== 'string' || !/^[imsu]*$/.test(f.flags))) return 'flags may hold only i, m, s and u';
  if (f.regex !== undefined) {
    if (typeof f.regex !== 'string') return 'regex must be text';
    try {
      new RegExp(f.regex, typeof f.flags === 'string' ? f.flags : '');
    } catch (error) {
      return `regex does not compile: ${(error as Error).message}`;
    }
  }
  return undefined;
}

function cleanFilter(filter: FrameFilter): FrameFilter {
  const clean: Record<string, unknown> = {};
  for (const key of FILTER_KEYS) if (filter[key] !== undefined && filter[key] !== '') clean[key] = filter[key];
  return clean as FrameFilter;
}
