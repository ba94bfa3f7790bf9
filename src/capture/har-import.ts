// HAR import: a HAR file back into ConnectionRecords (contract: shared/DESIGN.md, "HAR"). It reads what
// har-export.ts writes, so that export -> import -> export gives the same HAR, and what other tools write:
// Chrome DevTools, HTTP Toolkit, mitmproxy's savehar addon and Playwright's recordHar.
//
// A HAR holds less than a capture. From our own HAR everything the exporter writes comes back, and:
// - Frames (`_webSocketFrames`): every header field, close code and reason, violations and the proxy's
//   flags. index and offset are recounted per direction (exact when the HAR lists every frame, as ours
//   does), headerLength follows from the length form and the mask. The length form itself is not in the
//   HAR: it is the minimal one, except with 'non-minimal-length' (assumed 16 bits below 126, else 64).
// - Frame payloads come back where the HAR determines them: empty frames, close frames (from code and
//   reason), and the frames of an uncompressed, untruncated message with valid text (its data split by
//   the frames' lengths). Compressed bytes, ping/pong payloads and frames of truncated messages are not in
//   the HAR: their payload is empty and `truncated` is true.
// - Messages: frameIndexes, compressed, size and violations are rebuilt by grouping each direction's frames
//   the way the message assembler does. Text that was not valid UTF-8 comes back as the exporter wrote it
//   (with U+FFFD), and the size of a compressed truncated message is only what was kept.
// - request.time and response.time: the HAR has the start, the wait and the total time; they come back
//   exactly while the connection has no endedAt, and otherwise as start and start + wait.
// - `_framescope.id` is not restored: ids count from 1 in entry order.
// From other tools come messages only (no frames: nothing wire-level is made up), and the checks, the
// subprotocol and the extensions computed from the handshake headers as the proxy computes them.
import type { ConnectionRecord } from './capture-model.js';
import { MemorySpool } from './har-import/data-spool.js';
import { HarImporter, materialize } from './har-import/har-importer.js';
import type { HarImportResult } from './har-import/problems.js';

export { formatHarImportProblem, HarImportError } from './har-import/problems.js';
export type { HarFormat, HarImportProblem, HarImportResult } from './har-import/problems.js';
export { frameFromJson } from './har-import/frame-fields.js';
export { harTimeToMs } from './har-import/har-time.js';
export { importHarFile, type HarFileImport, type HarImportOptions } from './har-import/har-file-import.js';

/**
 * Reads a HAR given whole as text, into records in memory. Throws HarImportError only when nothing can
 * be read; every other flaw is a problem. (A file of any size: importHarFile, which streams.)
 */
export function importHar(text: string): HarImportResult {
  const connections: ConnectionRecord[] = [];
  const importer = new HarImporter(new MemorySpool(), (record, bytes, spool) => connections.push(materialize(record, bytes, spool)));
  importer.write(text);
  const { problems, format } = importer.end();
  return { connections, problems, format };
}
