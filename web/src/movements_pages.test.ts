// The pages of a list: the next page asked with the server's cursor, added after those shown (each
// item once), every page of a list followed to its end, and the holdings a search leaves.
import { describe, expect, it } from 'vitest';
import { allPages, appendPage, filterHoldings, pagePath } from './movements';

describe('pages of a list', () => {
  it('asks for the page after the cursor', () => {
    expect(pagePath('/movements/incoming?limit=50', null)).toBe('/movements/incoming?limit=50');
    expect(pagePath('/movements/incoming?limit=50', 'a+b/c=')).toBe('/movements/incoming?limit=50&cursor=a%2Bb%2Fc%3D');
    expect(pagePath('/holdings', 'x')).toBe('/holdings?cursor=x');
  });

  it('adds the next page after the items shown, each item once', () => {
    expect(appendPage(null, { items: [{ id: 'a' }], next_cursor: 'c' })).toEqual([{ id: 'a' }]);
    expect(appendPage([{ id: 'a' }, { id: 'b' }], { items: [{ id: 'b' }, { id: 'c' }], next_cursor: null })).toEqual([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
  });

  it('follows next_cursor to the last page, and stops at the page limit', async () => {
    const pages: Record<string, { items: { id: number }[]; next_cursor: string | null }> = {
      '/holdings?kind=market': { items: [{ id: 1 }, { id: 2 }], next_cursor: 'p2' },
      '/holdings?kind=market&cursor=p2': { items: [{ id: 3 }], next_cursor: 'p3' },
      '/holdings?kind=market&cursor=p3': { items: [{ id: 4 }], next_cursor: null },
    };
    const asked: string[] = [];
    const get = async <T>(path: string) => {
      asked.push(path);
      return pages[path] as T;
    };
    expect((await allPages(get, '/holdings?kind=market')).map((h) => h.id)).toEqual([1, 2, 3, 4]);
    expect(asked).toEqual(Object.keys(pages));
    asked.length = 0;
    expect((await allPages(get, '/holdings?kind=market', 2)).map((h) => h.id)).toEqual([1, 2, 3]);
    expect(asked).toHaveLength(2);
  });

  it('keeps the holdings whose name or code has every word typed', () => {
    const items = [
      { id: 1, name: 'Abay market', code: 'MKT-01' },
      { id: 2, name: 'Шар бекеті', code: 'CHK-02' },
      { id: 3, name: 'Ayagoz Checkpoint', code: 'CHK-03' },
    ];
    expect(filterHoldings(items, '')).toEqual(items);
    expect(filterHoldings(items, '  ').map((h) => h.id)).toEqual([1, 2, 3]);
    expect(filterHoldings(items, 'chk').map((h) => h.id)).toEqual([2, 3]);
    expect(filterHoldings(items, 'шар').map((h) => h.id)).toEqual([2]);
    expect(filterHoldings(items, 'ayagoz chk-03').map((h) => h.id)).toEqual([3]);
    expect(filterHoldings(items, 'market 03')).toEqual([]);
  });
});
