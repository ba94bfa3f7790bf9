// A frame header, field by field and bit by bit, read from its exact wire bytes (RFC 6455 §5.2):
//   byte 0: FIN RSV1 RSV2 RSV3 opcode(4)   byte 1: MASK payload-len(7)
//   then 2 or 8 bytes of extended length (payload-len 126 or 127), then 4 bytes of masking key.
import { opcodeName } from './opcodes.js';

export interface HeaderField {
  /** The field's name as the RFC writes it. */
  name: string;
  /** Its bits as on the wire, most significant first; bytes separated by spaces. */
  bits: string;
  /** The value, e.g. 1, 0x1, 126, a1b2c3d4. */
  value: string;
  /** What the value means here. */
  meaning: string;
}

export interface ParsedHeader {
  fields: HeaderField[];
  /** 7, 16 or 64. */
  lengthForm: 7 | 16 | 64;
  /** The payload length the header announces. */
  payloadLength: number;
  /** The length uses a longer form than it needs (RFC 6455 §5.2 requires the minimal one). */
  nonMinimal: boolean;
}

const bin = (value: number, width: number) => value.toString(2).padStart(width, '0');

/** Splits the header into its fields; a short header yields the fields that are complete. */
export function parseHeaderFields(header: Uint8Array): ParsedHeader {
  const fields: HeaderField[] = [];
  if (header.length < 2) return { fields, lengthForm: 7, payloadLength: 0, nonMinimal: false };
  const b0 = header[0]!;
  const b1 = header[1]!;
  const flag = (name: string, bit: number, on: string, off: string) =>
    fields.push({ name, bits: String(bit), value: String(bit), meaning: bit ? on : off });
  flag('FIN', b0 >> 7, 'final fragment of a message', 'more fragments follow');
  flag('RSV1', (b0 >> 6) & 1, 'set (per-message compressed, RFC 7692, when negotiated)', 'clear');
  flag('RSV2', (b0 >> 5) & 1, 'set (no extension defines it)', 'clear');
  flag('RSV3', (b0 >> 4) & 1, 'set (no extension defines it)', 'clear');
  const opcode = b0 & 0x0f;
  fields.push({ name: 'Opcode', bits: bin(opcode, 4), value: `0x${opcode.toString(16).toUpperCase()}`, meaning: opcodeName(opcode) });
  const masked = b1 >> 7;
  flag('MASK', masked, 'payload is masked', 'payload is not masked');
  const len7 = b1 & 0x7f;
  const lengthForm: 7 | 16 | 64 = len7 === 126 ? 16 : len7 === 127 ? 64 : 7;
  fields.push({
    name: 'Payload len', bits: bin(len7, 7), value: String(len7),
    meaning: lengthForm === 16 ? '126: a 16-bit extended length follows' : lengthForm === 64 ? '127: a 64-bit extended length follows' : `the payload length (7-bit form)`,
  });
  let at = 2;
  let payloadLength = len7;
  if (lengthForm !== 7) {
    const size = lengthForm === 16 ? 2 : 8;
    const bytes = header.subarray(at, at + size);
    if (bytes.length === size) {
      // Exact to 2^64 − 1: a double would round the digits shown past 2^53.
      let exact = BigInt(0);
      for (const b of bytes) exact = exact * BigInt(256) + BigInt(b);
      payloadLength = Number(exact);
      const topBit = lengthForm === 64 && (bytes[0]! & 0x80) !== 0;
      fields.push({
        name: 'Extended payload length', bits: Array.from(bytes, (b) => bin(b, 8)).join(' '), value: exact.toString(),
        meaning: `${lengthForm}-bit length${topBit ? ' (most significant bit set: invalid)' : ''}`,
      });
    }
    at += size;
  }
  if (masked) {
    const key = header.subarray(at, at + 4);
    if (key.length === 4) {
      fields.push({
        name: 'Masking key', bits: Array.from(key, (b) => bin(b, 8)).join(' '),
        value: Array.from(key, (b) => b.toString(16).padStart(2, '0')).join(''), meaning: 'XORed with the payload, octet i with key[i mod 4]',
      });
    }
  }
  const nonMinimal = (lengthForm === 16 && payloadLength < 126) || (lengthForm === 64 && payloadLength <= 0xffff);
  return { fields, lengthForm, payloadLength, nonMinimal };
}

/** How the length was carried, e.g. "16-bit extended (minimal)". */
export function describeLengthForm(form: 7 | 16 | 64, nonMinimal: boolean): string {
  const base = form === 7 ? '7-bit' : `${form}-bit extended`;
  return `${base}${nonMinimal ? ' (not minimal: RFC 6455 §5.2)' : ''}`;
}
