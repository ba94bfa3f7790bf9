// Turning decoded values into JSON-safe ones, the shape HAR's `_protocol.data` and the UI's trees take:
// bytes become `{ _binary: base64 }`, integers beyond 2^53 decimal strings. Pure: it runs in the engine
// and in the renderer, so it uses no Buffer. The byte helpers are the lenses' own (lens-bytes.ts).
import { binaryValue, utf8Text } from '../lenses/lens-bytes.js';

/** Bytes as HAR and the UI carry them. */
export interface BinaryJson {
  _binary: string;
}

export { utf8Text };

export function binaryJson(bytes: Uint8Array): BinaryJson {
  return binaryValue(bytes);
}

/** Text where the bytes are UTF-8, else `{ _binary }`. */
export function textOrBinary(bytes: Uint8Array): string | BinaryJson {
  return utf8Text(bytes) ?? binaryJson(bytes);
}

/**
 * A decoded value (MessagePack, CBOR, SignalR arguments) made JSON-safe: bytes as `{ _binary }`,
 * bigints as numbers where exact and decimal strings beyond, Maps as objects (non-string keys as their
 * JSON text), Dates as ISO strings, undefined as null, non-finite numbers as strings.
 */
export function toJsonSafe(value: unknown, depth = 0): unknown {
  if (depth > 256) return '…';
  if (value === undefined || value === null) return null;
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Uint8Array) return binaryJson(value);
  if (ArrayBuffer.isView(value)) return binaryJson(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  if (value instanceof ArrayBuffer) return binaryJson(new Uint8Array(value));
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (Array.isArray(value)) return value.map((v) => toJsonSafe(v, depth + 1));
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[typeof k === 'string' ? k : JSON.stringify(toJsonSafe(k, depth + 1))] = toJsonSafe(v, depth + 1);
    return out;
  }
  if (value instanceof Set) return [...value].map((v) => toJsonSafe(v, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJsonSafe(v, depth + 1);
    return out;
  }
  return String(value);
}
