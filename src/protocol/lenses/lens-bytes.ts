// Small byte helpers every lens shares: strict UTF-8, JSON that never throws, and bytes as HAR's
// `{ _binary: base64 }`. No Buffer: src/protocol runs wherever a Uint8Array does.

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of a payload, or undefined when it is not valid UTF-8. */
export function utf8Text(data: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(data);
  } catch {
    return undefined;
  }
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; error: string };

export function parseJson(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

export function base64Of(bytes: Uint8Array): string {
  // btoa takes one char per byte; built in slices, as an argument list has a bound.
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Bytes in JSON, as the `_protocol` contract writes them. */
export function binaryValue(bytes: Uint8Array): { _binary: string } {
  return { _binary: base64Of(bytes) };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value for a one-line summary: strings as they are, anything else as compact JSON, cut at max. */
export function shortValue(value: unknown, max = 60): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export type JsonMessage = { ok: true; value: unknown } | { ok: false; problem: string };

/** A text message's JSON (binary messages and bad UTF-8 are problems too). */
export function jsonMessage(message: { opcode: number; data: Uint8Array }, protocol: string): JsonMessage {
  if (message.opcode !== 1) return { ok: false, problem: `${protocol} messages are text, not binary` };
  const text = utf8Text(message.data);
  if (text === undefined) return { ok: false, problem: `a ${protocol} message is not valid UTF-8` };
  const parsed = parseJson(text);
  return parsed.ok ? { ok: true, value: parsed.value } : { ok: false, problem: `a ${protocol} message is not JSON: ${parsed.error}` };
}

/** Whether a text message's first bytes (after spaces) are one of the given characters: a cheap test detection can afford. */
export function startsWithJson(message: { opcode: number; data: Uint8Array }, ...open: string[]): boolean {
  if (message.opcode !== 1) return false;
  for (const byte of message.data) {
    if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) continue;
    return open.includes(String.fromCharCode(byte));
  }
  return false;
}

const looseUtf8 = new TextDecoder('utf-8');

/** The first max bytes as text, bad bytes replaced: for detection, which only looks. */
export function headText(data: Uint8Array, max = 4096): string {
  return looseUtf8.decode(data.subarray(0, max));
}
