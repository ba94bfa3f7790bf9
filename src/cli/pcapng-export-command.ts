// `framescope export NAME --pcapng FILE [--legs client|both] [--connection N]` (export-command.ts hands it here).
import { SessionCatalog } from '../capture/session-catalog.js';
import { writePcapngFile } from '../capture/pcapng-export.js';
import { writeErrorInWords } from '../file-errors.js';
import { sessionsDir } from '../home.js';
import { parseInteger } from './engine-options.js';
import { progressLine } from './progress-line.js';

export async function exportPcapng(session: string, path: string, legs: string | undefined, connection: string | undefined): Promise<number> {
  if (legs !== undefined && legs !== 'client' && legs !== 'both') {
    process.stderr.write(`framescope export: --legs is "client" or "both", not "${legs}"\n`);
    return 2;
  }
  const store = await new SessionCatalog(sessionsDir()).open(session);
  try {
    const ids = connection === undefined ? undefined : [parseInteger(connection, 'connection', 0, 1, Number.MAX_SAFE_INTEGER)];
    if (ids && !store.connection(ids[0]!)) throw new Error(`session "${session}" has no connection ${ids[0]}`);
    const progress = progressLine(`exporting ${path}`, 'connections');
    let written;
    try {
      written = await writePcapngFile(path, store, { legs: legs === 'both' ? 'both' : 'client', ...(ids ? { connectionIds: ids } : {}), onProgress: (p) => progress.update(p.done, p.total) })
        .catch((error: NodeJS.ErrnoException) => {
          throw error.code ? writeErrorInWords(error, path) : error;
        });
    } finally {
      progress.end();
    }
    process.stderr.write(`wrote ${path}: ${written.connections} connection${written.connections === 1 ? '' : 's'}, ${written.packets} packets\n`);
  } finally {
    store.close();
  }
  return 0;
}
