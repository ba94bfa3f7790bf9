// `framescope export NAME --har FILE [--connection N]`: a saved session (or one connection) as HAR;
// `--pcapng FILE [--legs client|both]` writes it as a packet capture instead (pcapng-export-command.ts).
import { parseArgs } from 'node:util';
import { SessionCatalog } from '../capture/session-catalog.js';
import { writeHarFile, writeHarStream } from '../capture/har-file.js';
import { connectionsOf } from '../capture/session-reader.js';
import { progressLine } from './progress-line.js';
import { writeErrorInWords } from '../file-errors.js';
import { sessionsDir } from '../home.js';
import { parseInteger } from './engine-options.js';
import { exportPcapng } from './pcapng-export-command.js';

const HELP = `usage: framescope export NAME --har FILE [--connection N]
       framescope export NAME --pcapng FILE [--legs client|both] [--connection N]

Writes a saved session as HAR 1.2 (Chrome's WebSocket fields plus Framescope's frame detail), or as a
pcapng capture for Wireshark: each connection as a TCP conversation with its real addresses, the
handshake and every frame's wire bytes at their times (the TCP packets around them are made up, as the
file's comments say).

options:
  --har FILE         the HAR file to write (- for standard output)
  --pcapng FILE      the pcapng file to write
  --legs client|both the client's leg only (default), or the proxy's leg to the server too (a second interface)
  --connection N     only the connection with this id
  -h, --help         show this help
`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { har: { type: 'string' }, pcapng: { type: 'string' }, legs: { type: 'string' }, connection: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length === 1 && values.pcapng && !values.har) return exportPcapng(positionals[0]!, values.pcapng, values.legs, values.connection);
  if (positionals.length !== 1 || !values.har || values.legs !== undefined) {
    process.stderr.write(`framescope export: a session name and --har FILE (or --pcapng FILE) are needed\n\n${HELP}`);
    return 2;
  }
  const store = await new SessionCatalog(sessionsDir()).open(positionals[0]!);
  try {
    const ids = values.connection === undefined ? undefined : [parseInteger(values.connection, 'connection', 0, 1, Number.MAX_SAFE_INTEGER)];
    const connections = connectionsOf(store, ids);
    if (ids && connections.length === 0) throw new Error(`session "${positionals[0]}" has no connection ${ids[0]}`);
    if (values.har === '-') {
      await writeHarStream(process.stdout, connections);
    } else {
      const progress = progressLine(`exporting ${values.har}`, 'messages and frames');
      try {
        const path = values.har;
        await writeHarFile(path, connections, { onProgress: (p) => progress.update(p.done, p.total) }).catch((error: NodeJS.ErrnoException) => {
          throw error.code ? writeErrorInWords(error, path) : error;
        });
      } finally {
        progress.end();
      }
      process.stderr.write(`wrote ${values.har}: ${connections.length} connection${connections.length === 1 ? '' : 's'}\n`);
    }
  } finally {
    store.close();
  }
  return 0;
}
