// Protobuf with the user's .proto text: protobufjs parses the schema (its reflection: types, fields,
// enums), and the payload is read here by walking that reflection over the wire fields. protobufjs's
// own decoders are generated code (new Function), which the UI's Content-Security-Policy rightly
// forbids; this reads the same values the way protobufjs's toObject shows them: 64-bit integers as
// decimal strings, enums by name, bytes as bytes. Fields the schema does not know stay, as `#n`.
import protobuf from 'protobufjs';
import { asDouble, asFloat, decodeProtobufRaw, ProtobufFormatError, ProtobufReader, rawFieldsJson, zigzag, type RawField } from './protobuf-raw.js';

export interface ProtoSchema {
  root: protobuf.Root;
  /** Every message type's full name, without the leading dot, in declaration order. */
  types: string[];
}

/** Parses .proto files' text (several files may be given as one text, or as a list). Throws with protobufjs's message. */
export function parseProtoSchema(texts: string | string[]): ProtoSchema {
  const root = new protobuf.Root();
  for (const text of Array.isArray(texts) ? texts : [texts]) protobuf.parse(text, root, { keepCase: true });
  root.resolveAll();
  const types: string[] = [];
  const walk = (ns: protobuf.NamespaceBase) => {
    for (const nested of ns.nestedArray) {
      // Map fields' synthetic entry types are not messages a user picks.
      if (nested instanceof protobuf.Type) types.push(nested.fullName.replace(/^\./, ''));
      if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) walk(nested);
    }
  };
  walk(root);
  return { root, types };
}

/** Messages nest at most this deep (a hostile payload must not exhaust the stack). */
const MAX_DEPTH = 100;

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Decodes bytes as the named message type; throws when they are not one. */
export function decodeWithSchema(schema: ProtoSchema, typeName: string, bytes: Uint8Array): Record<string, unknown> {
  return decodeMessage(schema.root.lookupType(typeName), bytes, 0);
}

const VARINT_TYPES = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'bool']);
const FIXED32_TYPES = new Set(['fixed32', 'sfixed32', 'float']);
const FIXED64_TYPES = new Set(['fixed64', 'sfixed64', 'double']);

function decodeMessage(type: protobuf.Type, bytes: Uint8Array, depth: number): Record<string, unknown> {
  if (depth > MAX_DEPTH) throw new ProtobufFormatError('messages nested too deep');
  const out: Record<string, unknown> = {};
  const unknown: RawField[] = [];
  for (const raw of decodeProtobufRaw(bytes, depth, false)) {
    const field = type.fieldsById[raw.number];
    if (!field) {
      unknown.push(raw);
      continue;
    }
    if (field.map) {
      const entry = decodeMapEntry(field as unknown as protobuf.MapField, expectBytes(raw, field), depth);
      ((out[field.name] ??= {}) as Record<string, unknown>)[entry.key] = entry.value;
    } else if (field.repeated) {
      const values = (out[field.name] ??= []) as unknown[];
      if (raw.wireType === 2 && isPackable(field)) values.push(...readPacked(field, raw.bytes!));
      else values.push(fieldValue(field, raw, depth));
    } else {
      out[field.name] = fieldValue(field, raw, depth);
    }
  }
  for (const [key, value] of Object.entries(rawFieldsJson(unknown))) out[`#${key}`] = value;
  return out;
}

function isPackable(field: protobuf.Field): boolean {
  return VARINT_TYPES.has(field.type) || FIXED32_TYPES.has(field.type) || FIXED64_TYPES.has(field.type) || field.resolvedType instanceof protobuf.Enum;
}

function wireTypeOf(field: protobuf.Field): number {
  if (field.resolvedType instanceof protobuf.Enum || VARINT_TYPES.has(field.type)) return 0;
  if (FIXED32_TYPES.has(field.type)) return 5;
  if (FIXED64_TYPES.has(field.type)) return 1;
  return 2;
}

function expectBytes(raw: RawField, field: protobuf.Field): Uint8Array {
  if (raw.wireType !== 2) throw new ProtobufFormatError(`field ${field.name} (#${field.id}) came with wire type ${raw.wireType}, not length-delimited`);
  return raw.bytes!;
}

function fieldValue(field: protobuf.Field, raw: RawField, depth: number): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) {
    // A group (wire type 3) holds the message's fields inline.
    return decodeMessage(resolved, raw.wireType === 3 ? raw.bytes! : expectBytes(raw, field), depth + 1);
  }
  const expected = wireTypeOf(field);
  if (raw.wireType !== expected) throw new ProtobufFormatError(`field ${field.name} (#${field.id}) came with wire type ${raw.wireType}, expected ${expected}`);
  if (expected === 2) return field.type === 'string' ? utf8.decode(raw.bytes!) : raw.bytes!.slice();
  return scalar(field, raw.uint!);
}

function scalar(field: protobuf.Field, v: bigint): unknown {
  if (field.resolvedType instanceof protobuf.Enum) {
    const n = Number(BigInt.asIntN(32, v));
    return field.resolvedType.valuesById[n] ?? n;
  }
  switch (field.type) {
    case 'int32': case 'sfixed32': return Number(BigInt.asIntN(32, v));
    case 'uint32': case 'fixed32': return Number(BigInt.asUintN(32, v));
    case 'sint32': return Number(BigInt.asIntN(32, zigzag(v)));
    case 'int64': case 'sfixed64': return BigInt.asIntN(64, v).toString();
    case 'uint64': case 'fixed64': return v.toString();
    case 'sint64': return zigzag(v).toString();
    case 'bool': return v !== 0n;
    case 'float': return asFloat(v);
    case 'double': return asDouble(v);
  }
  throw new ProtobufFormatError(`field ${field.name} has an unknown type ${field.type}`);
}

function readPacked(field: protobuf.Field, bytes: Uint8Array): unknown[] {
  const r = new ProtobufReader(bytes);
  const wireType = wireTypeOf(field);
  const values: unknown[] = [];
  while (r.offset < r.end) values.push(scalar(field, wireType === 0 ? r.varint() : r.fixed(wireType === 5 ? 4 : 8)));
  return values;
}

/** A map entry is a message with the key as field 1 and the value as field 2 (protobuf's "Maps" section). */
function decodeMapEntry(field: protobuf.MapField, bytes: Uint8Array, depth: number): { key: string; value: unknown } {
  let key: unknown = field.keyType === 'string' ? '' : field.keyType === 'bool' ? false : 0;
  let value: unknown;
  const keyField = new protobuf.Field('key', 1, field.keyType);
  const valueField = new protobuf.Field('value', 2, field.type);
  valueField.resolvedType = field.resolvedType;
  for (const raw of decodeProtobufRaw(bytes, depth, false)) {
    if (raw.number === 1) key = fieldValue(keyField, raw, depth);
    else if (raw.number === 2) value = fieldValue(valueField, raw, depth);
  }
  if (value === undefined) value = field.resolvedType instanceof protobuf.Type ? {} : field.resolvedType instanceof protobuf.Enum ? field.resolvedType.valuesById[0] : defaultScalar(field.type);
  return { key: String(key), value };
}

function defaultScalar(type: string): unknown {
  if (type === 'string') return '';
  if (type === 'bytes') return new Uint8Array(0);
  if (type === 'bool') return false;
  if (type.endsWith('64')) return '0';
  return 0;
}
