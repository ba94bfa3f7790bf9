// A JSON-aware diff of two message texts: when both parse as JSON, the paths whose values differ
// (changed, added, removed), objects by key, arrays by position; otherwise a line diff. Pure.
import { countRows, diffSequences } from './sequence-diff.js';

export interface JsonDiffEntry {
  /** Where: $ for the root, $.a.b[2], $["odd key"]. */
  path: string;
  kind: 'changed' | 'added' | 'removed';
  /** The left value as compact JSON (cut past 200 characters), for changed and removed. */
  left?: string;
  /** The right value as compact JSON, for changed and added. */
  right?: string;
}

export interface LineDiffRow {
  kind: 'same' | 'changed' | 'added' | 'removed';
  left?: string;
  right?: string;
}

export type TextDiff =
  | { kind: 'equal' }
  | { kind: 'json'; entries: JsonDiffEntry[]; truncated: boolean }
  | { kind: 'lines'; rows: LineDiffRow[]; counts: Record<LineDiffRow['kind'], number>; truncated: boolean };

/** Entries listed at most; the rest are counted away. */
export const MAX_JSON_ENTRIES = 500;
/** Lines compared at most, each side. */
export const MAX_LINES = 5000;
const VALUE_CHARS = 200;

export function diffTexts(left: string, right: string): TextDiff {
  if (left === right) return { kind: 'equal' };
  const a = parseJson(left);
  const b = parseJson(right);
  if (a.ok && b.ok) {
    const entries: JsonDiffEntry[] = [];
    // No entries: the same values written differently (spacing, key order).
    const truncated = !diffValues(a.value, b.value, '$', entries);
    return { kind: 'json', entries, truncated };
  }
  const leftLines = left.split('\n');
  const rightLines = right.split('\n');
  const truncated = leftLines.length > MAX_LINES || rightLines.length > MAX_LINES;
  const l = leftLines.slice(0, MAX_LINES);
  const r = rightLines.slice(0, MAX_LINES);
  const { rows } = diffSequences(l.map((key) => ({ direction: 'send', key })), r.map((key) => ({ direction: 'send', key })));
  const lineRows: LineDiffRow[] = rows.map((row) => ({
    kind: row.kind,
    ...(row.left !== undefined ? { left: l[row.left]! } : {}),
    ...(row.right !== undefined ? { right: r[row.right]! } : {}),
  }));
  return { kind: 'lines', rows: lineRows, counts: countRows(rows), truncated };
}

/** Compares two JSON values into out; false when an entry did not fit (MAX_JSON_ENTRIES), and the walk stops. */
export function diffValues(a: unknown, b: unknown, path: string, out: JsonDiffEntry[]): boolean {
  const add = (entry: JsonDiffEntry) => {
    if (out.length >= MAX_JSON_ENTRIES) return false;
    out.push(entry);
    return true;
  };
  if (isObject(a) && isObject(b)) {
    for (const key of Object.keys(a)) {
      const p = childPath(path, key);
      const fits = Object.hasOwn(b, key) ? diffValues(a[key], b[key], p, out) : add({ path: p, kind: 'removed', left: show(a[key]) });
      if (!fits) return false;
    }
    for (const key of Object.keys(b)) {
      if (!Object.hasOwn(a, key) && !add({ path: childPath(path, key), kind: 'added', right: show(b[key]) })) return false;
    }
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const p = `${path}[${i}]`;
      const fits = i >= b.length ? add({ path: p, kind: 'removed', left: show(a[i]) })
        : i >= a.length ? add({ path: p, kind: 'added', right: show(b[i]) })
          : diffValues(a[i], b[i], p, out);
      if (!fits) return false;
    }
    return true;
  }
  // Scalars compare by value; an object against an array, or a container against a scalar, differ.
  return a === b || add({ path, kind: 'changed', left: show(a), right: show(b) });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS)}…` : text;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  const t = text.trim();
  // Only documents that look like JSON: a bare word such as "true" in a chat line stays text.
  if (!/^[[{"]/.test(t)) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(t) };
  } catch {
    return { ok: false };
  }
}
