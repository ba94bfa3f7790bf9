// `framescope import FILE.har [--session NAME]`: a HAR (ours, Chrome's, HTTP Toolkit's, mitmproxy's,
// Playwright's) as a saved session. Problems are named; everything valid is imported.
import { parseArgs } from 'node:util';
import { basename } from 'node:path';
import { stat } from 'node:fs/promises';
import { importHarFile, formatHarImportProblem, HarImportError } from '../capture/har-import.js';
import { SessionCatalog, validSessionName } from '../capture/session-catalog.js';
import { sessionsDir } from '../home.js';
import { readErrorInWords } from '../file-errors.js';
import { progressLine } from './progress-line.js';
import { isCaptureFile } from '../capture/pcap-import.js';
import { importCapture } from './capture-import-command.js';

const HELP = `usage: framescope import FILE.har|FILE.pcap|FILE.pcapng [--session NAME]

Imports the WebSocket connections of a HAR file as a saved session. Reads HAR written by Framescope,
Chrome DevTools, HTTP Toolkit, mitmproxy and Playwright. Each problem (a broken entry or field) is
printed; everything valid is imported.

A packet capture (pcap or pcapng, from tcpdump, dumpcap or Wireshark; told by its first bytes) is read
too: TCP is put back in order, HTTP Upgrade handshakes are found on any port and the frames after them
decoded; TLS connections are listed as encrypted. Gaps, skipped bytes and damaged packets are printed
as problems.

options:
  --session NAME     the new session's name (default: the file's name; a number is added if taken)
  --keylog FILE      captures: decrypt TLS connections with this NSS key log (SSLKEYLOGFILE, --keylog of
                     framescope proxy); TLS 1.2 and 1.3 with AES-GCM or ChaCha20-Poly1305
  -h, --help         show this help
`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { session: { type: 'string' }, keylog: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(`framescope import: one HAR or capture file is needed\n\n${HELP}`);
    return 2;
  }
  const file = positionals[0]!;
  // Checked before a session is made, so a wrong path leaves nothing behind.
  const info = await stat(file).catch((error: unknown) => {
    throw readErrorInWords(error, file);
  });
  if (info.isDirectory()) throw readErrorInWords(Object.assign(new Error('is a directory'), { code: 'EISDIR' }), file);
  if (/\.(pcap|pcapng|cap)$/i.test(file) || (await isCaptureFile(file).catch(() => false))) return importCapture(file, values.session, values.keylog);
  const catalog = new SessionCatalog(sessionsDir());
  const wanted = values.session ?? (basename(file).replace(/\.har$/i, '').replace(/[^A-Za-z0-9 ._-]/g, '_').replace(/^[^A-Za-z0-9]+/, '') || 'imported');
  if (!validSessionName(wanted)) throw new Error(`"${wanted}" is not a valid session name`);
  const name = catalog.freeName(wanted);
  const store = catalog.create(name);
  const progress = progressLine(`importing ${file}`, 'bytes');
  let result;
  try {
    result = await importHarFile(file, store, { onProgress: (p) => progress.update(p.bytesRead, p.bytesTotal) });
    catalog.remember(name, store);
  } catch (error) {
    store.close();
    catalog.delete(name);
    if (error instanceof HarImportError) throw new Error(`${file} was not imported: ${error.message} (import a .har file saved by Framescope, a browser's DevTools, HTTP Toolkit, mitmproxy or Playwright)`);
    throw (error as NodeJS.ErrnoException).code ? readErrorInWords(error, file) : error;
  } finally {
    progress.end();
    store.close();
  }
  for (const problem of result.problems) process.stderr.write(`${file}: ${formatHarImportProblem(problem)}\n`);
  process.stdout.write(`imported ${result.connections} connection${result.connections === 1 ? '' : 's'} (${result.format} HAR) into session "${name}"${result.problems.length ? `, ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}` : ''}\n`);
  return 0;
}
