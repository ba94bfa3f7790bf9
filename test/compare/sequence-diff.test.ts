// The sequence alignment: matches by content and direction, pairs leftovers of the same direction
// as changed without crossing, and stays a valid alignment (every index once, in order) for any input.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countRows, diffSequences, type DiffRow, type SequenceItem } from '../../src/compare/sequence-diff.js';

/** "s:a" is a send with content a, "r:b" a receive with content b. */
const seq = (...items: string[]): SequenceItem[] => items.map((t) => ({ direction: t[0] === 's' ? 'send' : 'receive', key: t.slice(2) }));
const show = (rows: DiffRow[]) => rows.map((r) => `${r.kind} ${r.left ?? '-'} ${r.right ?? '-'}`);

describe('diffSequences', () => {
  it('matches equal sequences row by row', () => {
    const a = seq('s:hello', 'r:hi', 's:bye');
    expect(show(diffSequences(a, a).rows)).toEqual(['same 0 0', 'same 1 1', 'same 2 2']);
  });

  it('does not shift the rest when one message is missing in the middle', () => {
    const { rows, exact } = diffSequences(seq('s:a', 'r:1', 's:b', 'r:2', 's:c', 'r:3'), seq('s:a', 'r:1', 's:c', 'r:3'));
    expect(exact).toBe(true);
    expect(show(rows)).toEqual(['same 0 0', 'same 1 1', 'removed 2 -', 'removed 3 -', 'same 4 2', 'same 5 3']);
  });

  it('pairs a changed answer with the answer in its place, an extra one as added', () => {
    const rows = diffSequences(seq('s:q1', 'r:{"n":1}', 's:q2', 'r:ok'), seq('s:q1', 'r:{"n":2}', 'r:push', 's:q2', 'r:ok')).rows;
    expect(show(rows)).toEqual(['same 0 0', 'changed 1 1', 'added - 2', 'same 2 3', 'same 3 4']);
    expect(countRows(rows)).toEqual({ same: 3, changed: 1, added: 1, removed: 0 });
  });

  it('keeps matched requests aligned when a fast replay sends them before the answers come', () => {
    const original = seq('s:hello', 'r:hello 1', 's:order', 'r:order 1');
    const replay = seq('s:hello', 's:order', 'r:hello 2', 'r:order 2');
    expect(show(diffSequences(original, replay).rows)).toEqual(['same 0 0', 'removed 1 -', 'same 2 1', 'changed 3 2', 'added - 3']);
  });

  it('never pairs messages of different directions', () => {
    expect(show(diffSequences(seq('s:x'), seq('r:x')).rows)).toEqual(['removed 0 -', 'added - 0']);
  });

  it('handles empty sides', () => {
    expect(show(diffSequences([], seq('s:a', 'r:b')).rows)).toEqual(['added - 0', 'added - 1']);
    expect(show(diffSequences(seq('s:a'), []).rows)).toEqual(['removed 0 -']);
    expect(diffSequences([], []).rows).toEqual([]);
  });

  it('pairs by position past the edit bound and says it is not exact', () => {
    const a = seq('s:1', 's:2', 's:3', 'r:4');
    const b = seq('s:x', 's:y', 's:z', 'r:4');
    const { rows, exact } = diffSequences(a, b, 1);
    expect(exact).toBe(false);
    expect(show(rows)).toEqual(['changed 0 0', 'changed 1 1', 'changed 2 2', 'same 3 3']);
  });

  it('is a valid, minimal-in-matches alignment for any pair of sequences', () => {
    const item = fc.record({ direction: fc.constantFrom('send' as const, 'receive' as const), key: fc.constantFrom('a', 'b', 'c', 'd') });
    fc.assert(fc.property(fc.array(item, { maxLength: 30 }), fc.array(item, { maxLength: 30 }), (a, b) => {
      const { rows, exact } = diffSequences(a, b);
      expect(exact).toBe(true);
      const lefts = rows.filter((r) => r.left !== undefined).map((r) => r.left!);
      const rights = rows.filter((r) => r.right !== undefined).map((r) => r.right!);
      expect(lefts).toEqual(a.map((_, i) => i));
      expect(rights).toEqual(b.map((_, i) => i));
      for (const r of rows) {
        if (r.kind === 'same') expect([a[r.left!]!.key, a[r.left!]!.direction]).toEqual([b[r.right!]!.key, b[r.right!]!.direction]);
        if (r.kind === 'changed') expect(a[r.left!]!.direction).toBe(b[r.right!]!.direction);
      }
      // As many matches as a longest common subsequence has.
      expect(rows.filter((r) => r.kind === 'same').length).toBe(lcsLength(a, b));
    }), { numRuns: 300 });
  });
});

function lcsLength(a: SequenceItem[], b: SequenceItem[]): number {
  const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const eq = a[i - 1]!.key === b[j - 1]!.key && a[i - 1]!.direction === b[j - 1]!.direction;
      dp[i]![j] = eq ? dp[i - 1]![j - 1]! + 1 : Math.max(dp[i - 1]![j]!, dp[i]![j - 1]!);
    }
  }
  return dp[a.length]![b.length]!;
}
