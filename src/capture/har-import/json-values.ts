// Type guards and wording for values read from a HAR's JSON.
import { VIOLATIONS } from '../../protocol/violations.js';
import type { ViolationCode } from '../../protocol/violations.js';

/** A JSON object as parsed. */
export type Json = Record<string, unknown>;

/** Reports a problem with a field (relative to what is being read); '' for the whole item. */
export type Report = (field: string, message: string) => void;

export function violationList(value: unknown, field: string, report: (field: string, message: string) => void): ViolationCode[] {
  if (!Array.isArray(value)) {
    report(field, 'not an array; no violations read');
    return [];
  }
  const codes: ViolationCode[] = [];
  value.forEach((code: unknown, i) => {
    if (typeof code === 'string' && Object.hasOwn(VIOLATIONS, code)) codes.push(code as ViolationCode);
    else report(`${field}[${i}]`, `${bad(code, 'a known violation code')}; left out`);
  });
  return codes;
}

/** Standard base64, padding optional (Buffer.from would silently skip anything else). */
export function isBase64(text: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 !== 1 && (!text.includes('=') || text.length % 4 === 0);
}

export function stringValue(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/** A bad value, shown briefly in a problem. */
export function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** What is wrong with a value that should be `what`: "missing", or e.g. `"abc" is not a time`. */
export function bad(value: unknown, what: string): string {
  return value === undefined ? 'missing' : `${describe(value)} is not ${what}`;
}
