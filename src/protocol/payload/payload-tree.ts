// The tree a decoded payload shows as: one node per value, with its key in the parent, a type label in
// the encoding's own terms (map, bytes, tag 1, ext 5, varint, ...) and scalars as text. JSON, MessagePack,
// CBOR and protobuf all end here, so the UI draws one kind of tree.
import { bytesToHex } from './hex.js';

export interface PayloadNode {
  /** Its name in the parent: an object key, `[i]` for an array item, `#n` (or `name #n`) for a protobuf field. */
  key?: string;
  /** The value's type in the encoding's terms: object, array, map, string, int, float, bool, null, bytes, tag 0, ext 1, message, varint, ... */
  type: string;
  /** A scalar's value as text (strings unquoted, bytes in hex). */
  value?: string;
  /** Another reading of the same bytes (a varint's zigzag value, a fixed64's double). */
  note?: string;
  children?: PayloadNode[];
}

/** Past this depth a tree shows `…`: a hostile payload may nest deeper than the UI can draw. */
export const MAX_TREE_DEPTH = 200;

interface Tagged {
  tag: number;
  value: unknown;
}

interface Extension {
  type: number;
  data: Uint8Array;
}

function isTagged(v: object): v is Tagged {
  return v.constructor?.name === 'Tag' && 'tag' in v && 'value' in v;
}

function isExtension(v: object): v is Extension {
  return v.constructor?.name === 'ExtData' && 'type' in v && 'data' in v;
}

/** The tree of a decoded JavaScript value (JSON.parse, @msgpack/msgpack, cbor-x, protobufjs toObject). */
export function valueTree(value: unknown, key?: string, depth = 0): PayloadNode {
  const node = (type: string, text?: string, children?: PayloadNode[]): PayloadNode => {
    const n: PayloadNode = { type };
    if (key !== undefined) n.key = key;
    if (text !== undefined) n.value = text;
    if (children) n.children = children;
    return n;
  };
  if (depth > MAX_TREE_DEPTH) return node('…', 'nested too deep to show');
  if (value === null) return node('null', 'null');
  if (value === undefined) return node('undefined', 'undefined');
  switch (typeof value) {
    case 'string': return node('string', value);
    case 'boolean': return node('bool', String(value));
    case 'bigint': return node('int', value.toString());
    case 'number': return node(Number.isInteger(value) && !Object.is(value, -0) ? 'int' : 'float', Object.is(value, -0) ? '-0' : String(value));
  }
  if (value instanceof Uint8Array) return node('bytes', bytesToHex(value));
  if (value instanceof Date) return node('date', Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString());
  if (Array.isArray(value)) return node('array', undefined, value.map((v, i) => valueTree(v, `[${i}]`, depth + 1)));
  if (value instanceof Map) {
    return node('map', undefined, [...value].map(([k, v]) => valueTree(v, typeof k === 'string' ? k : String(valueTree(k, undefined, depth + 1).value ?? JSON.stringify(k)), depth + 1)));
  }
  if (value instanceof Set) return node('set', undefined, [...value].map((v, i) => valueTree(v, `[${i}]`, depth + 1)));
  if (typeof value === 'object') {
    if (isTagged(value)) return node(`tag ${value.tag}`, undefined, [valueTree(value.value, undefined, depth + 1)]);
    if (isExtension(value)) return node(`ext ${value.type}`, bytesToHex(value.data));
    if (ArrayBuffer.isView(value)) return node('bytes', bytesToHex(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)));
    return node('object', undefined, Object.entries(value).map(([k, v]) => valueTree(v, k, depth + 1)));
  }
  return node(typeof value, String(value));
}
