// "Decode as": any message's payload read as JSON, MessagePack, CBOR or protobuf (raw, or with the
// user's schema), or picked automatically. The result is the value made JSON-safe, its pretty JSON, and
// a tree for the UI. Sans-IO and Buffer-free: the renderer runs it as it is.
import { Decoder as MessagePackDecoder } from '@msgpack/msgpack';
import { Decoder as CborDecoder } from 'cbor-x';
import { toJsonSafe, utf8Text } from './json-safe.js';
import { valueTree, type PayloadNode } from './payload-tree.js';
import { decodeProtobufRaw, ProtobufFormatError, rawFieldsJson, rawFieldsTree } from './protobuf-raw.js';
import { decodeWithSchema, type ProtoSchema } from './protobuf-schema.js';

export const PAYLOAD_FORMATS = ['json', 'msgpack', 'cbor', 'protobuf'] as const;
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];
export type DecodeAs = 'auto' | PayloadFormat;

export interface PayloadSchemaChoice {
  schema: ProtoSchema;
  /** The message type a connection's payloads are read as. */
  type: string;
}

export type DecodedPayload =
  | { ok: true; format: PayloadFormat; value: unknown; pretty: string; tree: PayloadNode; note?: string }
  | { ok: false; format: DecodeAs; error: string };

const messagePack = new MessagePackDecoder({ useBigInt64: true });
// Maps stay Maps so non-string keys and key order survive; no cbor-x record extensions on foreign data.
const cbor = new CborDecoder({ mapsAsObjects: false, useRecords: false } as ConstructorParameters<typeof CborDecoder>[0]);

function ok(format: PayloadFormat, decoded: unknown, tree?: PayloadNode, note?: string): DecodedPayload {
  const value = toJsonSafe(decoded);
  const result: DecodedPayload = { ok: true, format, value, pretty: JSON.stringify(value, null, 2), tree: tree ?? valueTree(decoded) };
  if (note) result.note = note;
  return result;
}

function failed(format: DecodeAs, error: unknown): DecodedPayload {
  return { ok: false, format, error: error instanceof Error ? error.message : String(error) };
}

export function decodeJson(bytes: Uint8Array): DecodedPayload {
  const text = utf8Text(bytes);
  if (text === undefined) return failed('json', 'not UTF-8 text');
  try {
    return ok('json', JSON.parse(text) as unknown);
  } catch (error) {
    return failed('json', error);
  }
}

export function decodeMessagePack(bytes: Uint8Array): DecodedPayload {
  try {
    // A message may hold several values one after another (a stream of them): show them as a list.
    const values = [...messagePack.decodeMulti(bytes)];
    if (values.length === 0) return failed('msgpack', 'no MessagePack value');
    return values.length === 1 ? ok('msgpack', values[0]) : ok('msgpack', values, undefined, `${values.length} values in sequence`);
  } catch (error) {
    return failed('msgpack', error);
  }
}

export function decodeCbor(bytes: Uint8Array): DecodedPayload {
  try {
    const values = cbor.decodeMultiple(bytes) as unknown[] | undefined;
    if (!values || values.length === 0) return failed('cbor', 'no CBOR value');
    return values.length === 1 ? ok('cbor', values[0]) : ok('cbor', values, undefined, `${values.length} values in sequence`);
  } catch (error) {
    return failed('cbor', error);
  }
}

export function decodeProtobuf(bytes: Uint8Array, schema?: PayloadSchemaChoice): DecodedPayload {
  if (schema) {
    try {
      const value = decodeWithSchema(schema.schema, schema.type, bytes);
      return ok('protobuf', value, { ...valueTree(value), type: schema.type }, `as ${schema.type}`);
    } catch (error) {
      return failed('protobuf', error);
    }
  }
  try {
    const fields = decodeProtobufRaw(bytes);
    const value = rawFieldsJson(fields);
    return { ok: true, format: 'protobuf', value, pretty: JSON.stringify(value, null, 2), tree: rawFieldsTree(fields), note: 'without a schema: field numbers and wire types' };
  } catch (error) {
    if (!(error instanceof ProtobufFormatError)) throw error;
    return failed('protobuf', error);
  }
}

/** MessagePack and CBOR read almost any bytes as some scalar; auto-detection wants a container that uses every byte. */
function isContainer(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !(value instanceof Date);
}

export interface DecodeOptions {
  /** The .proto schema and message type chosen for the connection. */
  schema?: PayloadSchemaChoice;
  /** The message was binary (opcode 2): auto tries the binary encodings even when the bytes happen to be UTF-8. */
  binary?: boolean;
}

export function decodePayload(bytes: Uint8Array, as: DecodeAs, options: DecodeOptions = {}): DecodedPayload {
  const { schema } = options;
  switch (as) {
    case 'json': return decodeJson(bytes);
    case 'msgpack': return decodeMessagePack(bytes);
    case 'cbor': return decodeCbor(bytes);
    case 'protobuf': return decodeProtobuf(bytes, schema);
  }
  const json = decodeJson(bytes);
  if (json.ok) return json;
  if (schema) {
    const proto = decodeProtobuf(bytes, schema);
    if (proto.ok) return proto;
  }
  if (options.binary || utf8Text(bytes) === undefined) {
    const pack = decodeMessagePack(bytes);
    if (pack.ok && !pack.note && isContainer(pack.value)) return pack;
    const c = decodeCbor(bytes);
    if (c.ok && !c.note && isContainer(c.value)) return c;
    const proto = decodeProtobuf(bytes);
    if (proto.ok && Object.keys(proto.value as object).length > 0) return proto;
  }
  return failed('auto', utf8Text(bytes) === undefined ? 'no decoder reads these bytes as a whole: not JSON, MessagePack, CBOR or protobuf' : 'text that is not JSON');
}
