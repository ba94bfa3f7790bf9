// Byte-level mutations in the manner of AFL's havoc stage: a stack of 1-8 small edits to a seed (bit
// flips, interesting values, inserted and deleted runs, dictionary tokens, splices with another seed).
// Deterministic for a given random source, so a campaign's seed reproduces it.

/** A small, fast, seedable PRNG (mulberry32): next() is a uint32. */
export class Random {
  constructor(seed) {
    this.state = seed >>> 0;
  }

  next() {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [0, n). */
  below(n) {
    return n <= 0 ? 0 : this.next() % n;
  }

  pick(items) {
    return items[this.below(items.length)];
  }
}

const INTERESTING_8 = [0x00, 0x01, 0x7e, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x0a, 0x0d, 0x20, 0x25, 0x3a];
const INTERESTING_WIDE = [
  [0x00, 0x7e], [0x00, 0x7f], [0xff, 0xff], [0x80, 0x00],
  [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  [0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01], [0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00],
];

/**
 * Returns a mutated copy of `input` (never longer than maxLength). `others` are splice partners,
 * `dictionary` tokens (Buffers) the target knows matter.
 */
export function mutate(input, random, { maxLength = 4096, others = [], dictionary = [] } = {}) {
  let bytes = Array.from(input);
  const edits = 1 + random.below(8);
  for (let e = 0; e < edits; e++) {
    const n = bytes.length;
    const at = random.below(n + 1);
    switch (random.below(12)) {
      case 0: // flip a bit
        if (n > 0) bytes[random.below(n)] ^= 1 << random.below(8);
        break;
      case 1: // a random byte
        if (n > 0) bytes[random.below(n)] = random.below(256);
        break;
      case 2: // an interesting byte
        if (n > 0) bytes[random.below(n)] = random.pick(INTERESTING_8);
        break;
      case 3: { // an interesting wide value, overwritten
        const value = random.pick(INTERESTING_WIDE);
        for (let i = 0; i < value.length && at + i < n; i++) bytes[at + i] = value[i];
        break;
      }
      case 4: // delete a run
        if (n > 0) bytes.splice(random.below(n), 1 + random.below(Math.min(n, 16)));
        break;
      case 5: { // insert random bytes
        const run = Array.from({ length: 1 + random.below(8) }, () => random.below(256));
        bytes.splice(at, 0, ...run);
        break;
      }
      case 6: { // duplicate a run, possibly many times (long lines, many headers)
        if (n === 0) break;
        const from = random.below(n);
        const run = bytes.slice(from, from + 1 + random.below(Math.min(n - from, 32)));
        const times = random.below(4) === 0 ? 1 + random.below(64) : 1;
        for (let i = 0; i < times; i++) bytes.splice(at, 0, ...run);
        break;
      }
      case 7: // truncate
        bytes = bytes.slice(0, random.below(n + 1));
        break;
      case 8: // a dictionary token, inserted
      case 9: // a dictionary token, overwritten
        if (dictionary.length > 0) {
          const token = Array.from(random.pick(dictionary));
          if (e % 2 === 0) bytes.splice(at, 0, ...token);
          else for (let i = 0; i < token.length; i++) bytes[Math.min(at + i, bytes.length)] = token[i];
        }
        break;
      case 10: // splice with another input
        if (others.length > 0) {
          const other = random.pick(others);
          const cut = random.below(other.length + 1);
          bytes = bytes.slice(0, at).concat(Array.from(other.subarray(cut)));
        }
        break;
      case 11: { // swap two runs
        if (n < 4) break;
        const a = random.below(n - 1);
        const b = random.below(n - 1);
        const len = 1 + random.below(Math.min(8, n - Math.max(a, b)));
        const left = bytes.slice(a, a + len);
        const right = bytes.slice(b, b + len);
        bytes.splice(a, len, ...right);
        bytes.splice(b, len, ...left);
        break;
      }
    }
    if (bytes.length > maxLength) bytes.length = maxLength;
  }
  return Buffer.from(bytes);
}
