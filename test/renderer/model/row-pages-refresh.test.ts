// RowPages.refresh: a sorted live list whose rows moved under it (new frames sorted in).
import { describe, expect, it } from 'vitest';
import { PAGE, RowPages } from '../../../renderer/src/model/row-pages.js';

describe('RowPages refresh', () => {
  it('loads the pages in view again in place, showing the old rows until the new ones arrive, and forgets the others', async () => {
    let offset = 0;
    const queries: [number, number][] = [];
    let answer: (() => void) | undefined;
    let hold = false;
    const pages = new RowPages<number>({
      query: async (start, end) => {
        queries.push([start, end]);
        if (hold) await new Promise<void>((resolve) => (answer = resolve));
        return { total: 10_000, rows: Array.from({ length: end - start }, (_, i) => offset + start + i) };
      },
      adoptTotal: (fetched) => fetched,
      onChange: () => {},
    });
    pages.reset(10_000);
    pages.ensureRange(0, 10);
    await new Promise((resolve) => setTimeout(resolve, 0));
    pages.ensureRange(5000, 5010);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(pages.rowAt(5000)).toBe(5000);
    expect(pages.rowAt(0)).toBe(0);

    offset = 100_000;
    hold = true;
    pages.refresh();
    // The page in view keeps its old row while the new one loads; the page out of view is gone.
    expect(pages.rowAt(5000)).toBe(5000);
    expect(pages.rowAt(0)).toBeUndefined();
    answer!();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(pages.rowAt(5000)).toBe(105_000);
    const first = Math.floor((5000 - 64) / PAGE);
    expect(queries.at(-1)).toEqual([first * PAGE, (Math.floor((5010 + 64) / PAGE) + 1) * PAGE]);
  });
});
