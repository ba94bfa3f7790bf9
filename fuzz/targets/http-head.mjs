// The HTTP head parser (src/protocol/http-head.ts): any bytes, any head-size limit. It must never
// throw, and what it returns must be consistent with the bytes it was given.
import { parseHttpHead } from '../../dist/src/protocol/http-head.js';
import { httpDictionary, httpHeadArbitrary, httpSeeds } from './http-inputs.mjs';

export default {
  name: 'http-head',
  kind: 'in-process',
  maxLength: 8192,
  dictionary: httpDictionary,
  // Inputs are a limit byte, then the head.
  seeds: () => httpSeeds({}).map((head) => Buffer.concat([Buffer.from([0]), head])),
  arbitrary: (fc) => fc.tuple(fc.nat(255), httpHeadArbitrary(fc)).map(([limit, head]) => Buffer.concat([Buffer.from([limit]), head])),
  run(input) {
    // The first byte picks a head-size limit, small ones included, so that the limit's edge is crossed.
    const limits = [undefined, 16, 64, 200, 1024];
    const maxHeadSize = input.length > 0 ? limits[input[0] % limits.length] : undefined;
    const bytes = input.subarray(1);
    const head = parseHttpHead(bytes, maxHeadSize === undefined ? {} : { maxHeadSize });
    if (!(head.headLength >= 0 && head.headLength <= bytes.length)) throw new Error(`headLength ${head.headLength} is outside 0..${bytes.length}`);
    if (head.complete && head.tooLarge) throw new Error('a head cannot be both complete and too large');
    if (head.rawHeaders.length % 2 !== 0) throw new Error('rawHeaders is not name/value pairs');
    if (head.complete && (maxHeadSize ?? 65536) < head.headLength) throw new Error(`a complete head of ${head.headLength} bytes passed the limit ${maxHeadSize}`);
  },
};
