// `framescope import FILE.pcap|FILE.pcapng`: the WebSocket connections of a packet capture as a saved
// session (import-command.ts hands a file here when its first bytes are a capture's).
import { basename } from 'node:path';
import { readFile } from 'node:fs/promises';
import { KeyLog } from '../capture/pcap/tls/key-log.js';
import { importCaptureFile, formatCaptureProblem, CaptureImportError } from '../capture/pcap-import.js';
import { SessionCatalog, validSessionName } from '../capture/session-catalog.js';
import { sessionsDir } from '../home.js';
import { readErrorInWords } from '../file-errors.js';
import { progressLine } from './progress-line.js';

export async function importCapture(file: string, session: string | undefined, keylogPath?: string): Promise<number> {
  const keyLog = keylogPath === undefined ? undefined : KeyLog.parse(await readFile(keylogPath, 'utf8').catch((error: unknown) => {
    throw readErrorInWords(error, keylogPath);
  }));
  const catalog = new SessionCatalog(sessionsDir());
  const wanted = session ?? (basename(file).replace(/\.(pcapng|pcap|cap)$/i, '').replace(/[^A-Za-z0-9 ._-]/g, '_').replace(/^[^A-Za-z0-9]+/, '') || 'imported');
  if (!validSessionName(wanted)) throw new Error(`"${wanted}" is not a valid session name`);
  const name = catalog.freeName(wanted);
  const store = catalog.create(name);
  const progress = progressLine(`importing ${file}`, 'bytes');
  let result;
  try {
    result = await importCaptureFile(file, store, { ...(keyLog ? { keyLog } : {}), onProgress: (p) => progress.update(p.bytesRead, p.bytesTotal) });
    catalog.remember(name, store);
  } catch (error) {
    store.close();
    catalog.delete(name);
    if (error instanceof CaptureImportError) throw new Error(`${file} was not imported: ${error.code}: ${error.message}`);
    throw (error as NodeJS.ErrnoException).code ? readErrorInWords(error, file) : error;
  } finally {
    progress.end();
    store.close();
  }
  for (const problem of result.problems) process.stderr.write(`${file}: ${formatCaptureProblem(problem)}\n`);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  process.stdout.write(
    `imported ${plural(result.connections, 'WebSocket connection')}${result.encrypted ? ` and ${plural(result.encrypted, 'encrypted connection')}` : ''}` +
      ` (${result.format}, ${plural(result.packets, 'packet')}) into session "${name}"${result.problems.length ? `, ${plural(result.problems.length, 'problem')}` : ''}\n`,
  );
  return 0;
}
