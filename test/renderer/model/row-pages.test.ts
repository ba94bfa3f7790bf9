import { describe, expect, it } from 'vitest';
import { PAGE, PAGES_PER_REQUEST, RowPages } from '../../../renderer/src/model/row-pages.js';

/** A list of `length` numbered rows that answers range queries, recording each one. */
function numberedList(length: number) {
  const queries: [number, number][] = [];
  let changes = 0;
  const pages = new RowPages<number>({
    query: async (start, end) => {
      queries.push([start, end]);
      return { total: length, rows: Array.from({ length: Math.max(0, Math.min(end, length) - start) }, (_, i) => start + i) };
    },
    adoptTotal: (fetched) => fetched,
    onChange: () => changes++,
  });
  pages.reset(length);
  return { pages, queries, changes: () => changes };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('RowPages', () => {
  it('loads the pages of the rows in view and a margin around them, in one query', async () => {
    const { pages, queries, changes } = numberedList(10_000);
    pages.ensureRange(1000, 1040);
    await settle();
    // Rows 936-1104 (64 either side) lie in pages 3 and 4.
    expect(queries).toEqual([[3 * PAGE, 5 * PAGE]]);
    expect([pages.rowAt(3 * PAGE), pages.rowAt(1040), pages.rowAt(5 * PAGE - 1)]).toEqual([3 * PAGE, 1040, 5 * PAGE - 1]);
    expect(pages.rowAt(5 * PAGE)).toBeUndefined();
    expect(changes()).toBe(1);
  });

  it('asks for loaded pages only once', async () => {
    const { pages, queries } = numberedList(10_000);
    pages.ensureRange(0, 10);
    await settle();
    pages.ensureRange(5, 20);
    await settle();
    expect(queries).toEqual([[0, PAGE]]);
  });

  it('splits a long range into queries of at most 5000 rows', async () => {
    const { pages, queries } = numberedList(100_000);
    // Less the 64 rows of margin loaded past the view.
    pages.ensureRange(0, 3 * PAGES_PER_REQUEST * PAGE - 1 - 64);
    await settle();
    expect(queries.map(([start, end]) => end - start)).toEqual([PAGES_PER_REQUEST * PAGE, PAGES_PER_REQUEST * PAGE, PAGES_PER_REQUEST * PAGE]);
    expect(Math.max(...queries.map(([start, end]) => end - start))).toBeLessThanOrEqual(5000);
  });

  it('keeps a live row only on a cached page or the tail page, and grows the list with it', async () => {
    const { pages } = numberedList(1000);
    expect(pages.put(10, -10)).toBe(false);
    expect(pages.rowAt(10)).toBeUndefined();
    expect(pages.put(1000, -1000)).toBe(true);
    expect([pages.total, pages.rowAt(1000)]).toEqual([1001, -1000]);
  });

  it('finds a cached row by its content, and drops everything on reset', async () => {
    const { pages } = numberedList(1000);
    pages.ensureRange(300, 310);
    await settle();
    expect(pages.findCached((n) => n === 301)).toBe(301);
    expect(pages.findCached((n) => n === 900)).toBe(-1);
    pages.reset(5);
    expect([pages.total, pages.rowAt(301), pages.findCached((n) => n === 301)]).toEqual([5, undefined, -1]);
  });

  it('drops the answer to a query made before a reset', async () => {
    const { pages } = numberedList(1000);
    pages.ensureRange(0, 10);
    pages.reset(1000);
    await settle();
    expect(pages.rowAt(0)).toBeUndefined();
  });
});
