import { describe, expect, it } from 'vitest';
import { describeLengthForm, parseHeaderFields } from '../../../renderer/src/protocol/header-fields.js';
import { count } from '../../../renderer/src/views/format.js';

const fields = (hex: string) => parseHeaderFields(Buffer.from(hex, 'hex')).fields.map((f) => [f.name, f.bits, f.value]);

describe('parseHeaderFields', () => {
  it('splits RFC 6455 §5.7\'s masked "Hello" header into its fields, bit by bit', () => {
    expect(fields('818537fa213d')).toEqual([
      ['FIN', '1', '1'], ['RSV1', '0', '0'], ['RSV2', '0', '0'], ['RSV3', '0', '0'], ['Opcode', '0001', '0x1'],
      ['MASK', '1', '1'], ['Payload len', '0000101', '5'], ['Masking key', '00110111 11111010 00100001 00111101', '37fa213d'],
    ]);
  });

  it('reads a 16-bit extended length and names the opcode of an unmasked binary fragment', () => {
    const parsed = parseHeaderFields(Buffer.from('027e0100', 'hex'));
    expect(parsed.fields.map((f) => [f.name, f.value, f.meaning])).toEqual([
      ['FIN', '0', 'more fragments follow'], ['RSV1', '0', 'clear'], ['RSV2', '0', 'clear'], ['RSV3', '0', 'clear'],
      ['Opcode', '0x2', 'binary frame'], ['MASK', '0', 'payload is not masked'], ['Payload len', '126', '126: a 16-bit extended length follows'],
      ['Extended payload length', '256', '16-bit length'],
    ]);
    expect(parsed).toMatchObject({ lengthForm: 16, payloadLength: 256, nonMinimal: false });
  });

  it('flags a 64-bit length that a shorter form could carry, and one with its top bit set', () => {
    const nonMinimal = parseHeaderFields(Buffer.from('817f0000000000000005', 'hex'));
    expect(nonMinimal).toMatchObject({ lengthForm: 64, payloadLength: 5, nonMinimal: true });
    expect(describeLengthForm(nonMinimal.lengthForm, nonMinimal.nonMinimal)).toBe('64-bit extended (not minimal: RFC 6455 §5.2)');
    const topBit = parseHeaderFields(Buffer.from('827f8000000000000000', 'hex'));
    expect(topBit.fields.at(-1)!.meaning).toBe('64-bit length (most significant bit set: invalid)');
  });

  it('shows a 64-bit length past 2^53 with every digit (a double would round 2^64 − 1 up to 2^64)', () => {
    expect(parseHeaderFields(Buffer.from('82ffffffffffffffffff', 'hex')).fields.at(-1)!.value).toBe('18446744073709551615');
    expect(parseHeaderFields(Buffer.from('827f0020000000000001', 'hex')).fields.at(-1)!.value).toBe('9007199254740993');
    // The UI's number format groups the API's decimal strings exactly.
    expect([count('18446744073709551615'), count(9007199254740991), count(999)]).toEqual(['18,446,744,073,709,551,615', '9,007,199,254,740,991', '999']);
  });

  it('shows every RSV bit and a reserved opcode as they were set', () => {
    expect(fields('7300').slice(0, 5)).toEqual([['FIN', '0', '0'], ['RSV1', '1', '1'], ['RSV2', '1', '1'], ['RSV3', '1', '1'], ['Opcode', '0011', '0x3']]);
    expect(parseHeaderFields(Buffer.from('7300', 'hex')).fields[4]!.meaning).toBe('reserved non-control frame');
  });

  it('returns the complete fields of a header cut short', () => {
    expect(fields('81fe00')).toEqual([['FIN', '1', '1'], ['RSV1', '0', '0'], ['RSV2', '0', '0'], ['RSV3', '0', '0'], ['Opcode', '0001', '0x1'], ['MASK', '1', '1'], ['Payload len', '1111110', '126']]);
    expect(fields('81')).toEqual([]);
  });
});
