// Protobuf without a schema (protobuf encoding guide, "Message Structure"): each field is a varint tag
// (field number << 3 | wire type) and a value. Length-delimited values are guessed: printable UTF-8 is
// a string, bytes that parse as a whole message are a nested message, a run of varints is a packed
// repeated field, anything else stays bytes. Every guess is checked to the last byte, so a guess never
// reads past its field.
import { bytesToHex } from './hex.js';
import { binaryJson, utf8Text } from './json-safe.js';
import type { PayloadNode } from './payload-tree.js';

export class ProtobufFormatError extends Error {}

export const WIRE_TYPES = ['varint', 'fixed64', 'length-delimited', 'start group', 'end group', 'fixed32'] as const;

/** The largest field number (2^29 - 1). */
const MAX_FIELD = 0x1fffffff;
/** Nested guesses stop here; deeper length-delimited values stay bytes. */
const MAX_DEPTH = 64;

export interface RawField {
  number: number;
  wireType: number;
  /** varint, fixed64, fixed32: the unsigned value. */
  uint?: bigint;
  /** Length-delimited and groups: the bytes (groups: their inner bytes). */
  bytes?: Uint8Array;
  /** What a length-delimited value was guessed to be, or a group's fields. */
  guess?: { kind: 'string'; text: string } | { kind: 'message'; fields: RawField[] } | { kind: 'packed'; values: bigint[] } | { kind: 'bytes' };
}

/** Reads protobuf's wire types from bytes; runs past the end throw ProtobufFormatError. */
export class ProtobufReader {
  offset = 0;
  /** Where the last end group tag began. */
  groupEnd = 0;
  constructor(readonly bytes: Uint8Array, readonly end = bytes.length) {}

  varint(): bigint {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.offset >= this.end) throw new ProtobufFormatError('a varint runs past the end');
      const b = this.bytes[this.offset++]!;
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        if (value > 0xffffffffffffffffn) throw new ProtobufFormatError('a varint longer than 64 bits');
        return value;
      }
    }
    throw new ProtobufFormatError('a varint longer than ten bytes');
  }

  take(n: number): Uint8Array {
    if (n > this.end - this.offset) throw new ProtobufFormatError(`a field claims ${n} bytes, ${this.end - this.offset} left`);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  fixed(n: 4 | 8): bigint {
    const b = this.take(n);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    return v;
  }
}

/**
 * Reads every field of a message; throws ProtobufFormatError when the bytes are not one. With
 * `guessing` false, length-delimited values are left as bytes (a schema says what they are).
 */
export function decodeProtobufRaw(bytes: Uint8Array, depth = 0, guessing = true): RawField[] {
  return readFields(new ProtobufReader(bytes), depth, undefined, guessing);
}

function readFields(r: ProtobufReader, depth: number, group: number | undefined, guessing = true): RawField[] {
  const fields: RawField[] = [];
  while (r.offset < r.end) {
    const tagStart = r.offset;
    const tag = r.varint();
    const number = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    if (number < 1 || number > MAX_FIELD) throw new ProtobufFormatError(`field number ${number} is out of range`);
    switch (wireType) {
      case 0: fields.push({ number, wireType, uint: r.varint() }); break;
      case 1: fields.push({ number, wireType, uint: r.fixed(8) }); break;
      case 5: fields.push({ number, wireType, uint: r.fixed(4) }); break;
      case 2: {
        const length = r.varint();
        if (length > BigInt(r.end - r.offset)) throw new ProtobufFormatError(`field ${number} claims ${length} bytes, ${r.end - r.offset} left`);
        const bytes = r.take(Number(length));
        fields.push(guessing ? { number, wireType, bytes, guess: guess(bytes, depth) } : { number, wireType, bytes });
        break;
      }
      case 3: {
        if (depth >= MAX_DEPTH) throw new ProtobufFormatError('groups nested too deep');
        const start = r.offset;
        const inner = readFields(r, depth + 1, number, guessing);
        // The group's bytes are its fields, without the end group tag.
        fields.push({ number, wireType, bytes: r.bytes.subarray(start, r.groupEnd), guess: { kind: 'message', fields: inner } });
        break;
      }
      case 4:
        if (group !== number) throw new ProtobufFormatError(`an end group for field ${number} that no start group opened`);
        r.groupEnd = tagStart;
        return fields;
      default:
        throw new ProtobufFormatError(`wire type ${wireType} does not exist`);
    }
  }
  if (group !== undefined) throw new ProtobufFormatError(`group ${group} has no end`);
  return fields;
}

/** Control characters other than tab, LF and CR say "not text" (a nested message's tags often are). */
export function isPrintable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return false;
  }
  return true;
}

function guess(bytes: Uint8Array, depth: number): NonNullable<RawField['guess']> {
  const text = bytes.length > 0 ? utf8Text(bytes) : undefined;
  if (text !== undefined && isPrintable(text)) return { kind: 'string', text };
  if (bytes.length > 0 && depth < MAX_DEPTH) {
    try {
      return { kind: 'message', fields: decodeProtobufRaw(bytes, depth + 1) };
    } catch (error) {
      if (!(error instanceof ProtobufFormatError)) throw error;
    }
    try {
      const r = new ProtobufReader(bytes);
      const values: bigint[] = [];
      while (r.offset < r.end) values.push(r.varint());
      return { kind: 'packed', values };
    } catch (error) {
      if (!(error instanceof ProtobufFormatError)) throw error;
    }
  }
  return { kind: 'bytes' };
}

/** A uint64 as a JSON number when exact, else a decimal string. */
function jsonInteger(v: bigint): number | string {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

export function zigzag(v: bigint): bigint {
  return (v >> 1n) ^ -(v & 1n);
}

export function asDouble(v: bigint): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, v, true);
  return view.getFloat64(0, true);
}

export function asFloat(v: bigint): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, Number(v), true);
  return view.getFloat32(0, true);
}

/** The fields as JSON (`{"1": 150, "2": {"1": "x"}}`), a repeated field number as an array, bytes as `{ _binary }`. */
export function rawFieldsJson(fields: RawField[]): Record<string, unknown> {
  const byNumber = new Map<string, unknown[]>();
  for (const f of fields) {
    const key = String(f.number);
    const values = byNumber.get(key);
    if (values) values.push(fieldJson(f));
    else byNumber.set(key, [fieldJson(f)]);
  }
  const out: Record<string, unknown> = {};
  for (const [key, values] of byNumber) out[key] = values.length === 1 ? values[0] : values;
  return out;
}

function fieldJson(f: RawField): unknown {
  if (f.uint !== undefined) return jsonInteger(f.uint);
  const g = f.guess;
  if (!g || g.kind === 'bytes') return binaryJson(f.bytes!);
  if (g.kind === 'string') return g.text;
  if (g.kind === 'packed') return g.values.map(jsonInteger);
  return rawFieldsJson(g.fields);
}

/** The fields as a tree: `#n` keys, the wire type or the guess as the type, other readings as notes. */
export function rawFieldsTree(fields: RawField[], key?: string): PayloadNode {
  const node: PayloadNode = { type: 'message', children: fields.map(fieldTree) };
  if (key !== undefined) node.key = key;
  return node;
}

function fieldTree(f: RawField): PayloadNode {
  const key = `#${f.number}`;
  switch (f.wireType) {
    case 0: {
      const note = [`sint ${zigzag(f.uint!)}`];
      if (f.uint! >= 1n << 63n) note.push(`int64 ${BigInt.asIntN(64, f.uint!)}`);
      return { key, type: 'varint', value: f.uint!.toString(), note: note.join(', ') };
    }
    case 1: return { key, type: 'fixed64', value: f.uint!.toString(), note: `double ${asDouble(f.uint!)}, sfixed64 ${BigInt.asIntN(64, f.uint!)}` };
    case 5: return { key, type: 'fixed32', value: f.uint!.toString(), note: `float ${asFloat(f.uint!)}, sfixed32 ${BigInt.asIntN(32, f.uint!)}` };
    case 3: return { ...rawFieldsTree((f.guess as { fields: RawField[] }).fields, key), type: 'group' };
  }
  const g = f.guess!;
  if (g.kind === 'string') return { key, type: 'string', value: g.text };
  if (g.kind === 'message') return rawFieldsTree(g.fields, key);
  if (g.kind === 'packed') return { key, type: 'packed varint', children: g.values.map((v, i) => ({ key: `[${i}]`, type: 'varint', value: v.toString() })) };
  return { key, type: 'bytes', value: bytesToHex(f.bytes!) };
}

