// `framescope export NAME --har FILE [--connection N]`: a saved session (or one connection) as HAR.
import { parseArgs } from 'node:util';
import { renameSync, writeFileSync } from 'node:fs';
import { SessionCatalog } from '../capture/session-catalog.js';
import { exportHar } from '../capture/har-export.js';
import { sessionsDir } from '../home.js';
import { parseInteger } from './engine-options.js';

const HELP = `usage: framescope export NAME --har FILE [--connection N]

Writes a saved session as HAR 1.2 (Chrome's WebSocket fields plus Framescope's frame detail).

options:
  --har FILE         the HAR file to write (- for standard output)
  --connection N     only the connection with this id
  -h, --help         show this help
`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { har: { type: 'string' }, connection: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1 || !values.har) {
    process.stderr.write(`framescope export: a session name and --har FILE are needed\n\n${HELP}`);
    return 2;
  }
  const store = await new SessionCatalog(sessionsDir()).open(positionals[0]!);
  try {
    const ids = values.connection === undefined ? undefined : [parseInteger(values.connection, 'connection', 0, 1, Number.MAX_SAFE_INTEGER)];
    const records = store.toConnectionRecords(ids);
    if (ids && records.length === 0) throw new Error(`session "${positionals[0]}" has no connection ${ids[0]}`);
    const text = JSON.stringify(exportHar(records), null, 2);
    if (values.har === '-') {
      process.stdout.write(`${text}\n`);
    } else {
      const temporary = `${values.har}.${process.pid}.tmp`;
      writeFileSync(temporary, text);
      renameSync(temporary, values.har);
      process.stderr.write(`wrote ${values.har}: ${records.length} connection${records.length === 1 ? '' : 's'}\n`);
    }
  } finally {
    store.close();
  }
  return 0;
}
