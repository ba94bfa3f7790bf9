// An incremental UTF-8 validator. A text message arrives in fragments (and, when compressed, in
// inflater output pieces), and a code point may be split anywhere between them; RFC 6455 §8.1 only
// requires the whole message to be valid, so the validator carries the partial sequence across chunks.
import { isUtf8 } from 'node:buffer';

/**
 * Validates UTF-8 as defined by RFC 3629 §4 (the well-formed byte sequences of Unicode's Table 3-7):
 * no overlong forms, no surrogates (U+D800-U+DFFF), nothing above U+10FFFF.
 */
export class Utf8Validator {
  /** Continuation bytes still expected for the code point in progress. */
  private remaining = 0;
  /** The smallest allowed value of the next continuation byte (it excludes overlongs after E0 and F0). */
  private lower = 0x80;
  /** The largest allowed value of the next continuation byte (it excludes surrogates after ED and > U+10FFFF after F4). */
  private upper = 0xbf;
  /** False once an invalid byte was seen; it stays false until reset(). */
  private valid = true;

  /** Validates the next chunk. Returns false once the bytes so far can never be valid UTF-8. */
  push(chunk: Uint8Array): boolean {
    if (!this.valid) return false;
    // Fast path: a chunk that starts and ends on code point boundaries is checked natively.
    if (this.remaining === 0 && isUtf8(chunk)) return true;
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.remaining === 0) {
        // ASCII runs are the common case in text messages.
        while (i < n && chunk[i]! < 0x80) i++;
        if (i === n) break;
        const lead = chunk[i++]!;
        if (!this.startSequence(lead)) return (this.valid = false);
      } else {
        const byte = chunk[i++]!;
        if (byte < this.lower || byte > this.upper) return (this.valid = false);
        this.lower = 0x80;
        this.upper = 0xbf;
        this.remaining--;
      }
    }
    return true;
  }

  /** Ends the text: returns false when it was invalid or stops in the middle of a code point. */
  end(): boolean {
    if (this.remaining !== 0) this.valid = false;
    return this.valid;
  }

  /** Forgets everything, ready for the next text. */
  reset(): void {
    this.remaining = 0;
    this.lower = 0x80;
    this.upper = 0xbf;
    this.valid = true;
  }

  /** Sets up the continuation bytes a lead byte needs (Unicode Table 3-7); false for an invalid lead. */
  private startSequence(lead: number): boolean {
    if (lead >= 0xc2 && lead <= 0xdf) {
      this.remaining = 1;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      this.remaining = 2;
      if (lead === 0xe0) this.lower = 0xa0; // below is an overlong 2-byte form
      if (lead === 0xed) this.upper = 0x9f; // above are the surrogates U+D800-U+DFFF
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      this.remaining = 3;
      if (lead === 0xf0) this.lower = 0x90; // below is an overlong 3-byte form
      if (lead === 0xf4) this.upper = 0x8f; // above is beyond U+10FFFF
    } else {
      return false; // a stray continuation byte, C0/C1 (always overlong) or F5-FF (beyond U+10FFFF)
    }
    return true;
  }
}
