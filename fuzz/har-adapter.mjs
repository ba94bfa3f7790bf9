// The one place the fuzzer calls HAR import, so that the target follows the importer's API: bytes of a
// file in, connections and problems out. Throws HarImportError when nothing can be read (a named problem,
// the importer's contract); anything else thrown is a finding.
import { HarImportError, importHar } from '../dist/src/capture/har-import.js';

export { HarImportError };

export function importHarBytes(bytes) {
  return importHar(bytes.toString('utf8'));
}
