// The one place the fuzzer calls HAR import, so that the target follows the importer's API. It drives the
// streaming importer as `framescope import` does (HarImporter fed chunk by chunk, then end()), in memory:
// bytes of a file in, connections, problems and format out. Throws HarImportError when nothing can be read
// (a named problem, the importer's contract); anything else thrown is a finding.
import { HarImportError } from '../dist/src/capture/har-import.js';
import { HarImporter, materialize } from '../dist/src/capture/har-import/har-importer.js';
import { MemorySpool } from '../dist/src/capture/har-import/data-spool.js';

export { HarImportError };

/** Imports a HAR given as bytes, written to the importer `chunkSize` UTF-16 units at a time (never splitting a surrogate pair). */
export function importHarBytes(bytes, chunkSize = Infinity) {
  const text = bytes.toString('utf8');
  const connections = [];
  const spool = new MemorySpool();
  const importer = new HarImporter(spool, (record, spooled, s) => connections.push(materialize(record, spooled, s)));
  for (let at = 0; at < text.length;) {
    let end = Math.min(text.length, at + chunkSize);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end++;
    if (!importer.write(text.slice(at, end))) break;
    at = end;
  }
  const { problems, format } = importer.end();
  return { connections, problems, format };
}
