// `framescope sessions`: the saved sessions under FRAMESCOPE_HOME.
import { parseArgs } from 'node:util';
import { SessionCatalog } from '../capture/session-catalog.js';
import { sessionsDir } from '../home.js';

const HELP = `usage: framescope sessions [--json]

Lists the saved sessions (name, connections, frames, size on disk, last change), newest first.
Sessions live in FRAMESCOPE_HOME (or the platform's data directory).

options:
  --json       one JSON array instead of a table
  -h, --help   show this help
`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const sessions = await new SessionCatalog(sessionsDir()).list();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(sessions.map((s) => ({ ...s, modifiedAt: new Date(s.modifiedAt).toISOString() })), null, 2)}\n`);
    return 0;
  }
  if (sessions.length === 0) {
    process.stdout.write(`no sessions in ${sessionsDir()}\n`);
    return 0;
  }
  const rows = [['NAME', 'CONNECTIONS', 'FRAMES', 'SIZE', 'LAST CHANGE'], ...sessions.map((s) => [s.name, String(s.connections), String(s.frames), formatBytes(s.size), new Date(s.modifiedAt).toISOString().replace('T', ' ').slice(0, 19)])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows) process.stdout.write(`${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}\n`);
  return 0;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
