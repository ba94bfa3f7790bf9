// settings.json: read at start (a missing file means the defaults, a damaged one is reported and
// replaced by the defaults in memory), written atomically with mode 0600 on every change.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { defaults, parseSettingsText } from './settings-rules.js';
import type { Settings } from './settings-types.js';

export function loadSettingsFile(path: string): { settings: Settings; problems: string[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { settings: defaults(), problems: [] };
    return { settings: defaults(), problems: [`could not read ${path} (${code ?? (error as Error).message}); using the defaults`] };
  }
  return parseSettingsText(text);
}

/** Writes the settings so that a reader (or a crash) sees the old file or the new one, never half of one. */
export function saveSettingsFile(path: string, settings: Settings): void {
  const temporary = `${path}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(settings, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
