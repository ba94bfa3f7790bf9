// Byte conversions for payloads that arrive as base64 over the control API: decoding, hex, UTF-8 and
// RFC 6455 §5.3 masking (to show a payload as it crossed the wire).

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function bytesToBase64(bytes: Uint8Array): string {
  // In slices: String.fromCharCode takes its arguments on the stack.
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Lower-case hex digits, optionally separated (e.g. ' '). */
export function bytesToHex(bytes: Uint8Array, separator = ''): string {
  const parts = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) parts[i] = HEX[bytes[i]!]!;
  return parts.join(separator);
}

/** Parses hex digits, ignoring whitespace, commas and 0x prefixes; an error names what is wrong. */
export function hexToBytes(text: string): Uint8Array {
  const digits = text.replace(/0x/gi, '').replace(/[\s,:]/g, '');
  if (/[^0-9a-f]/i.test(digits)) throw new Error(`not hex: "${/[^0-9a-f]/i.exec(digits)![0]}"`);
  if (digits.length % 2 !== 0) throw new Error('an odd number of hex digits');
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** Parses base64 (standard or URL alphabet, whitespace ignored); an error says it is not base64. */
export function parseBase64(text: string): Uint8Array {
  const clean = text.replace(/\s/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.replace(/=+$/, '').length % 4 === 1) throw new Error('not base64');
  return base64ToBytes(clean.padEnd(Math.ceil(clean.length / 4) * 4, '='));
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/** The bytes as text, and whether they were valid UTF-8 (invalid sequences become U+FFFD). */
export function decodeUtf8(bytes: Uint8Array): { text: string; valid: boolean } {
  try {
    return { text: strictUtf8.decode(bytes), valid: true };
  } catch {
    return { text: lenientUtf8.decode(bytes), valid: false };
  }
}

export function encodeUtf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/**
 * XORs the payload with the 4-byte masking key, octet i with key[i mod 4] (RFC 6455 §5.3). Masking
 * and unmasking are the same operation; `offset` is the payload position of bytes[0].
 */
export function applyMask(bytes: Uint8Array, keyHex: string, offset = 0): Uint8Array {
  const key = hexToBytes(keyHex);
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! ^ key[(i + offset) & 3]!;
  return out;
}

/** Bytes in a human unit: 1023 B, 1.5 KiB, 2.0 MiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}
