// A side-by-side line diff of two answers: JSON is pretty-printed first (both sides the same way), so a
// changed field shows as the one line that changed. Pure: no DOM.

export interface DiffRow {
  /** The original's line (undefined: the line exists only in the replay). */
  left?: string;
  /** The replay's line (undefined: only in the original). */
  right?: string;
  /** same, changed (both sides, different), removed (left only), added (right only). */
  kind: 'same' | 'changed' | 'removed' | 'added';
}

/** Past this many line pairs the diff is by position only (the matching is quadratic). */
const MAX_PAIRS = 1_000_000;

/** Pretty-printed JSON when the text is JSON; the text as it is otherwise. */
export function displayText(text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.stringify(JSON.parse(trimmed), null, 2);
    } catch {
      // Not JSON after all.
    }
  }
  return text;
}

/** undefined: that side has no answer (missing or extra), so every line of the other is removed or added. */
export function lineDiff(original: string | undefined, replayed: string | undefined): DiffRow[] {
  const a = original === undefined ? [] : displayText(original).split('\n');
  const b = replayed === undefined ? [] : displayText(replayed).split('\n');
  const matches = a.length * b.length <= MAX_PAIRS ? commonLines(a, b) : [];
  const rows: DiffRow[] = [];
  let i = 0;
  let j = 0;
  for (const [mi, mj] of [...matches, [a.length, b.length] as const]) {
    while (i < mi && j < mj) rows.push({ left: a[i++], right: b[j++], kind: 'changed' });
    while (i < mi) rows.push({ left: a[i++], kind: 'removed' });
    while (j < mj) rows.push({ right: b[j++], kind: 'added' });
    if (mi < a.length) rows.push({ left: a[i++], right: b[j++], kind: 'same' });
  }
  return rows;
}

function commonLines(a: readonly string[], b: readonly string[]): [number, number][] {
  const m = b.length + 1;
  const lengths = new Uint32Array((a.length + 1) * m);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i * m + j] = a[i] === b[j] ? lengths[(i + 1) * m + j + 1]! + 1 : Math.max(lengths[(i + 1) * m + j]!, lengths[i * m + j + 1]!);
    }
  }
  const pairs: [number, number][] = [];
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    if (a[i] === b[j]) pairs.push([i++, j++]);
    else if (lengths[(i + 1) * m + j]! >= lengths[i * m + j + 1]!) i++;
    else j++;
  }
  return pairs;
}
