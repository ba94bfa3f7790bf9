// Aligns two message sequences: messages equal in direction and content are matched by a shortest
// edit script (Myers, "An O(ND) Difference Algorithm", 1986) so that inserted and missing messages
// do not shift everything after them; between matches, messages left over on both sides in the same
// direction are paired as changed, in order; the rest are removed (left only) or added (right only).
// Pure: no sockets, no files. Memory stays bounded: past maxEdits the middle is paired by position.

export type Direction = 'send' | 'receive';

/** One item to align: its direction and a key equal exactly when the contents are equal. */
export interface SequenceItem {
  direction: Direction;
  key: string;
}

export type DiffKind = 'same' | 'changed' | 'added' | 'removed';

/** One row of the alignment: indexes into the left and right sequences. */
export interface DiffRow {
  kind: DiffKind;
  /** Index in the left sequence (same, changed, removed). */
  left?: number;
  /** Index in the right sequence (same, changed, added). */
  right?: number;
}

export interface SequenceDiff {
  rows: DiffRow[];
  /** False when the sequences differed in more than maxEdits places and the middle was paired by position. */
  exact: boolean;
}

/** The default bound on edits the exact alignment looks for (its memory grows with the square). */
export const DEFAULT_MAX_EDITS = 2000;

export function diffSequences(left: readonly SequenceItem[], right: readonly SequenceItem[], maxEdits = DEFAULT_MAX_EDITS): SequenceDiff {
  const same = (i: number, j: number) => left[i]!.key === right[j]!.key && left[i]!.direction === right[j]!.direction;
  let start = 0;
  while (start < left.length && start < right.length && same(start, start)) start++;
  let endLeft = left.length;
  let endRight = right.length;
  while (endLeft > start && endRight > start && same(endLeft - 1, endRight - 1)) {
    endLeft--;
    endRight--;
  }
  const rows: DiffRow[] = [];
  for (let i = 0; i < start; i++) rows.push({ kind: 'same', left: i, right: i });
  const script = shortestEditScript(start, endLeft, start, endRight, same, maxEdits);
  let exact = true;
  if (script) {
    rows.push(...hunksToRows(script, left, right));
  } else {
    exact = false;
    rows.push(...byPosition(left, right, start, endLeft, start, endRight, same));
  }
  for (let k = 0; k < left.length - endLeft; k++) rows.push({ kind: 'same', left: endLeft + k, right: endRight + k });
  return { rows, exact };
}

/** Counts of each kind of row. */
export function countRows(rows: readonly DiffRow[]): Record<DiffKind, number> {
  const counts = { same: 0, changed: 0, added: 0, removed: 0 };
  for (const row of rows) counts[row.kind]++;
  return counts;
}

type Step = { kind: 'same'; left: number; right: number } | { kind: 'removed'; left: number } | { kind: 'added'; right: number };

/**
 * Myers' greedy forward algorithm over left[a0..a1) and right[b0..b1); keeps each round's frontier
 * to walk the path back. Undefined when more than maxEdits edits are needed.
 */
function shortestEditScript(
  a0: number, a1: number, b0: number, b1: number,
  same: (i: number, j: number) => boolean, maxEdits: number,
): Step[] | undefined {
  const n = a1 - a0;
  const m = b1 - b0;
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && same(a0 + x, b0 + y)) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return undefined;
  // Walk back from (n, m) through each round's frontier (trace[d] holds v before round d).
  const steps: Step[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const before = trace[d]!;
    const at = (k: number) => before[k + d + 1]!; // before covers k in [-d-1, d+1]
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX + (down ? 0 : 1) && y > prevY + (down ? 1 : 0)) {
      x--;
      y--;
      steps.push({ kind: 'same', left: a0 + x, right: b0 + y });
    }
    if (down) {
      y--;
      steps.push({ kind: 'added', right: b0 + y });
    } else {
      x--;
      steps.push({ kind: 'removed', left: a0 + x });
    }
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    steps.push({ kind: 'same', left: a0 + x, right: b0 + y });
  }
  return steps.reverse();
}

/** Turns an edit script into rows, pairing what was removed and added between two matches. */
function hunksToRows(steps: Step[], left: readonly SequenceItem[], right: readonly SequenceItem[]): DiffRow[] {
  const rows: DiffRow[] = [];
  let removed: number[] = [];
  let added: number[] = [];
  const flush = () => {
    rows.push(...pairHunk(removed, added, left, right));
    removed = [];
    added = [];
  };
  for (const step of steps) {
    if (step.kind === 'same') {
      flush();
      rows.push({ kind: 'same', left: step.left, right: step.right });
    } else if (step.kind === 'removed') {
      removed.push(step.left);
    } else {
      added.push(step.right);
    }
  }
  flush();
  return rows;
}

/**
 * Pairs removed and added items of the same direction, in order and without crossing (each pair's
 * right index follows the previous pair's), then interleaves the rest where they stand.
 */
function pairHunk(removed: number[], added: number[], left: readonly SequenceItem[], right: readonly SequenceItem[]): DiffRow[] {
  const partner = new Map<number, number>();
  let from = 0;
  for (const l of removed) {
    for (let j = from; j < added.length; j++) {
      if (right[added[j]!]!.direction === left[l]!.direction) {
        partner.set(l, j);
        from = j + 1;
        break;
      }
    }
  }
  const rows: DiffRow[] = [];
  let j = 0;
  for (const l of removed) {
    const p = partner.get(l);
    if (p === undefined) {
      rows.push({ kind: 'removed', left: l });
      continue;
    }
    for (; j < p; j++) rows.push({ kind: 'added', right: added[j]! });
    rows.push({ kind: 'changed', left: l, right: added[p]! });
    j = p + 1;
  }
  for (; j < added.length; j++) rows.push({ kind: 'added', right: added[j]! });
  return rows;
}

/** The fallback past maxEdits: position i on the left faces position i on the right. */
function byPosition(
  left: readonly SequenceItem[], right: readonly SequenceItem[],
  a0: number, a1: number, b0: number, b1: number,
  same: (i: number, j: number) => boolean,
): DiffRow[] {
  const rows: DiffRow[] = [];
  const common = Math.min(a1 - a0, b1 - b0);
  for (let k = 0; k < common; k++) {
    const l = a0 + k;
    const r = b0 + k;
    if (same(l, r)) rows.push({ kind: 'same', left: l, right: r });
    else if (left[l]!.direction === right[r]!.direction) rows.push({ kind: 'changed', left: l, right: r });
    else rows.push({ kind: 'removed', left: l }, { kind: 'added', right: r });
  }
  for (let l = a0 + common; l < a1; l++) rows.push({ kind: 'removed', left: l });
  for (let r = b0 + common; r < b1; r++) rows.push({ kind: 'added', right: r });
  return rows;
}
