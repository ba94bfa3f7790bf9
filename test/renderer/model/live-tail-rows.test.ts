// A followed live tail fills pages from their middle (the engine sends the newest rows of the window
// in view): those rows need no query, and rows the tail moved past unread are asked for only when
// the view goes back to them. The "N frames/s" figure is the list's growth over its recent samples.
import { describe, expect, it } from 'vitest';
import { PAGE, RowPages } from '../../../renderer/src/model/row-pages.js';
import { LiveRate } from '../../../renderer/src/model/live-rate.js';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function liveList() {
  const queries: [number, number][] = [];
  const pages: RowPages<number> = new RowPages<number>({
    query: async (start, end): Promise<{ total: number; rows: number[] }> => {
      queries.push([start, end]);
      return { total: pages.total, rows: Array.from({ length: Math.max(0, Math.min(end, pages.total) - start) }, (_, i) => start + i) };
    },
    adoptTotal: (fetched, known) => Math.max(fetched, known),
    onChange: () => {},
  });
  return { pages, queries };
}

describe('a live tail in row pages', () => {
  it('shows rows put anywhere in the window without a query, even when they start inside a page', async () => {
    const { pages, queries } = liveList();
    pages.reset(0);
    // The tail of a 10,000-row list: rows 9,850-9,999, which start in the middle of page 38.
    pages.total = 10_000;
    for (let n = 9_850; n < 10_000; n++) expect(pages.put(n, n, true)).toBe(true);
    pages.ensureRange(9_914, 9_999);
    await settle();
    expect(queries).toEqual([]);
    expect([pages.rowAt(9_850), pages.rowAt(9_999)]).toEqual([9_850, 9_999]);
  });

  it('asks for the rows the tail skipped once the view reaches them', async () => {
    const { pages, queries } = liveList();
    pages.reset(0);
    pages.total = 10_000;
    for (let n = 9_850; n < 10_000; n++) pages.put(n, n, true);
    pages.ensureRange(9_700, 9_760);
    await settle();
    // Rows 9,636-9,824 are missing: pages 37 and 38 (the latter only partly filled) are read.
    expect(queries).toEqual([[37 * PAGE, 39 * PAGE]]);
    expect(pages.rowAt(9_700)).toBe(9_700);
  });

  it('takes live rows without anywhere only into cached pages and the tail page', () => {
    const { pages } = liveList();
    pages.reset(10_000);
    expect(pages.put(100, 100)).toBe(false);
    expect(pages.put(9_999, 9_999)).toBe(true);
  });
});

describe('the live rate', () => {
  it('is the growth per second over the samples of the last two seconds', () => {
    const rate = new LiveRate();
    rate.sample(0, 0);
    rate.sample(500, 500);
    rate.sample(1_000, 1_000);
    expect(rate.perSecond(1_000)).toBe(1_000);
    rate.sample(4_000, 2_500);
    // The first sample is over two seconds old: 500 -> 4,000 over 2 s.
    expect(rate.perSecond(2_500)).toBe(1_750);
  });

  it('is 0 before two samples 200 ms apart, and once the list stopped growing for two seconds', () => {
    const rate = new LiveRate();
    rate.sample(10, 0);
    expect(rate.perSecond(0)).toBe(0);
    rate.sample(20, 100);
    expect(rate.perSecond(100)).toBe(0);
    rate.sample(30, 300);
    expect(rate.perSecond(300)).toBe(67);
    expect(rate.perSecond(2_301)).toBe(0);
  });
});
