// Reading MQTT's data types from a packet's bytes (MQTT 5 §1.5, MQTT 3.1.1 §1.5): big-endian integers,
// the variable byte integer, length-prefixed UTF-8 strings and binary data. A read past the end throws
// MqttFormatError, which the packet decoder turns into a problem.

export class MqttFormatError extends Error {}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export class MqttReader {
  offset = 0;

  constructor(readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(n: number, what: string): void {
    if (this.remaining < n) throw new MqttFormatError(`${what} needs ${n} bytes, ${this.remaining} left`);
  }

  byte(what = 'a byte'): number {
    this.need(1, what);
    return this.bytes[this.offset++]!;
  }

  uint16(what = 'a two byte integer'): number {
    this.need(2, what);
    const v = (this.bytes[this.offset]! << 8) | this.bytes[this.offset + 1]!;
    this.offset += 2;
    return v;
  }

  uint32(what = 'a four byte integer'): number {
    this.need(4, what);
    const b = this.bytes;
    const o = this.offset;
    this.offset += 4;
    return b[o]! * 0x1000000 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
  }

  /** MQTT 5 §1.5.5: seven bits a byte, least significant first, at most four bytes. */
  varint(what = 'a variable byte integer'): number {
    let value = 0;
    for (let i = 0; i < 4; i++) {
      const b = this.byte(what);
      value += (b & 0x7f) * 128 ** i;
      if ((b & 0x80) === 0) return value;
    }
    throw new MqttFormatError(`${what} is longer than four bytes`);
  }

  binary(what = 'binary data'): Uint8Array {
    const length = this.uint16(`the length of ${what}`);
    this.need(length, what);
    const v = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return v;
  }

  string(what = 'a string'): string {
    return utf8.decode(this.binary(what));
  }

  rest(): Uint8Array {
    const v = this.bytes.subarray(this.offset);
    this.offset = this.bytes.length;
    return v;
  }
}

/** Reads a remaining-length field at `offset`: its value and its size, or undefined while incomplete. */
export function readRemainingLength(bytes: Uint8Array, offset: number): { value: number; size: number } | undefined {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    if (offset + i >= bytes.length) return undefined;
    const b = bytes[offset + i]!;
    value += (b & 0x7f) * 128 ** i;
    if ((b & 0x80) === 0) return { value, size: i + 1 };
  }
  throw new MqttFormatError('the remaining length is longer than four bytes');
}
