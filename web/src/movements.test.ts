// Movements (W13) without a browser: the holdings offered, the tags typed, an arrival's body and
// what a refusal says.
import { describe, expect, it } from 'vitest';
import { ApiError, OfflineError } from './api';
import { arrivalBody, arrivalProblem, headDifference, loadHoldings, parseTags } from './movements';

describe('movements', () => {
  it('splits the tags typed on spaces, commas, semicolons and lines, each once', () => {
    expect(parseTags(' 398000000000001,398000000000002\n398000000000003; 398000000000001 ')).toEqual([
      '398000000000001',
      '398000000000002',
      '398000000000003',
    ]);
    expect(parseTags('  \n ')).toEqual([]);
  });

  it('sends only what the inspector entered', () => {
    expect(arrivalBody({ holding: '', head: '', tags: '' })).toEqual({});
    expect(arrivalBody({ holding: '7', head: '0', tags: 'A B' }, 'Abay')).toEqual({ place: 'Abay', holding: 7, head_count: 0, tags: ['A', 'B'] });
  });

  it('falls back to the authority list when the position gives nothing or is refused, and not when offline', async () => {
    const asked: string[] = [];
    const get = (answers: Record<string, unknown>) => async <T>(path: string) => {
      asked.push(path);
      const a = answers[path];
      if (a instanceof Error) throw a;
      return a as T;
    };
    const list = { items: [{ id: 1 }], next_cursor: null };
    const near = '/holdings?near=1.00000,2.00000&limit=100';
    expect(await loadHoldings(get({ [near]: { items: [], next_cursor: null }, '/holdings?limit=200': list }), { lat: 1, lon: 2 })).toEqual({ items: list.items, near: false });
    expect(await loadHoldings(get({ [near]: new ApiError(400, { field: 'near' }), '/holdings?limit=200': list }), { lat: 1, lon: 2 })).toEqual({ items: list.items, near: false });
    await expect(loadHoldings(get({ [near]: new OfflineError() }), { lat: 1, lon: 2 })).rejects.toBeInstanceOf(OfflineError);
    expect(asked).toEqual([near, '/holdings?limit=200', near, '/holdings?limit=200', near]);
  });

  it('tells a 409 (already arrived) from other refusals', () => {
    expect(arrivalProblem(new ApiError(409, { first_consumed: { at: '2026-12-01T10:00:00Z', place: 'X' } }))).toEqual({ kind: 'conflict', at: '2026-12-01T10:00:00Z', place: 'X' });
    expect(arrivalProblem(new ApiError(409, {}))).toEqual({ kind: 'conflict' });
    expect(arrivalProblem(new OfflineError())).toEqual({ kind: 'error', message: { key: 'movement.offline' } });
    const other = new ApiError(422, { field: 'head_count' });
    expect(arrivalProblem(other)).toEqual({ kind: 'error', message: { error: other } });
  });

  it('gives the head difference, or null when not counted', () => {
    const m = (head_count: number | null) => ({ status: 'x', origin_holding: null, destination_holding: null, head_expected: 5, arrival: { at: '', holding: null, head_count, tags_seen: [], missing_tags: [], extra_tags: [], mismatch: false } });
    expect(headDifference(m(3))).toBe(-2);
    expect(headDifference(m(5))).toBe(0);
    expect(headDifference(m(null))).toBeNull();
  });
});
