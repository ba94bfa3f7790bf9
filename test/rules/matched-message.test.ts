// What a rule's substring test sees of a message: the same as Buffer#includes on its bytes, whether
// they are short (searched in JavaScript), long, or kept masked as they crossed the wire.
import { describe, expect, it } from 'vitest';
import { MatchedMessage } from '../../src/rules/rule-matcher.js';

let seed = 11;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => 0x61 + Math.floor(random() * 3)));

describe('a message\'s substring test', () => {
  it('finds what Buffer#includes finds, in short and long data', () => {
    for (let round = 0; round < 500; round++) {
      const data = bytes(Math.floor(random() * 400));
      const at = Math.floor(random() * data.length);
      const needles = [data.subarray(at, at + 1 + Math.floor(random() * 5)), bytes(1 + Math.floor(random() * 4)), Buffer.alloc(0)];
      for (const needle of needles) expect(new MatchedMessage(2, data).includes(needle)).toBe(data.includes(needle));
    }
  });
});
