// The due list's decisions (due.ts), run in node against fakes: an API whose answers the test
// releases in the order it wants, the phone's key-value store in memory, a fixed clock.
import { describe, expect, it } from 'vitest';
import { ApiError, OfflineError } from './api';
import { DUE_KEY, DueState, dueQueryString, keptDue, parseDays, wipeDue, type DueList, type DuePorts, type KeptDue } from './due';

const NOW = new Date('2026-12-01T08:00:00Z');

const LIST: DueList = {
  authority: 'KZ-ABY',
  disease: 'FMD-O',
  days: 30,
  today: '2026-12-01',
  through: '2026-12-31',
  masked: false,
  truncated: false,
  villages: [
    {
      village: 'Akshi',
      owner_count: 1,
      unit_count: 2,
      head_count: 41,
      owners: [
        {
          id: 2,
          name: 'Erlan Bekov',
          phone: '+77012345602',
          village: 'Akshi',
          authority: 'KZ-ABY-02',
          units: [
            { animal_id: 21, tag: '398000000000021', species: 'sheep', head_count: 1, holding_id: null, due: [{ disease: 'FMD-O', disease_name: 'FMD O', status: 'never', last_dose: null, lapses_on: null }] },
            { animal_id: 22, tag: null, species: 'sheep', head_count: 40, holding_id: null, due: [{ disease: 'FMD-O', disease_name: 'FMD O', status: 'covered', last_dose: '2026-06-14', lapses_on: '2026-12-11' }] },
          ],
        },
      ],
    },
    { village: '', owner_count: 1, unit_count: 1, head_count: 1, owners: [] },
  ],
};

interface Pending {
  path: string;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

function world(kept?: KeptDue) {
  const pending: Pending[] = [];
  const kv = new Map<string, unknown>();
  if (kept) kv.set(DUE_KEY, kept);
  const ports: DuePorts = {
    getJson: <T>(path: string) => new Promise<T>((resolve, reject) => pending.push({ path, resolve: resolve as (v: unknown) => void, reject })),
    kv: {
      get: async <T>(key: string) => kv.get(key) as T | undefined,
      set: async (key: string, value: unknown) => void kv.set(key, structuredClone(value)),
      delete: async (key: string) => void kv.delete(key),
    },
    now: () => NOW,
  };
  return { pending, kv, ports };
}

// Lets the state's awaits after an answer run.
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('due list state', () => {
  it('asks for the days and disease chosen and keeps the answer for this user', async () => {
    const w = world();
    const st = new DueState(w.ports, '7');
    const done = st.load({ disease: 'FMD-O', days: 30 });
    expect(st.status).toBe('loading');
    expect(w.pending.map((p) => p.path)).toEqual(['/due?days=30&disease=FMD-O']);
    w.pending[0].resolve(LIST);
    await done;
    expect(st.status).toBe('ready');
    expect(st.savedAt).toBeNull();
    expect(st.list).toEqual(LIST);
    expect(w.kv.get(DUE_KEY)).toEqual({ user_id: '7', saved_at: NOW.toISOString(), query: { disease: 'FMD-O', days: 30 }, list: LIST });
    expect(st.totals()).toEqual({ villages: 2, owners: 2, units: 3, heads: 42 });
  });

  it('without network shows the kept list with when it came and what it was asked for', async () => {
    const kept: KeptDue = { user_id: '7', saved_at: '2026-11-30T06:00:00.000Z', query: { disease: 'FMD-O', days: 30 }, list: LIST };
    const w = world(kept);
    const st = new DueState(w.ports, '7');
    const done = st.load({ disease: '', days: 10 });
    w.pending[0].reject(new OfflineError());
    await done;
    expect(st.status).toBe('offline');
    expect(st.list).toEqual(LIST);
    expect(st.savedAt).toBe('2026-11-30T06:00:00.000Z');
    expect(st.query).toEqual({ disease: 'FMD-O', days: 30 });
  });

  it('never shows another user a kept list, and deletes it', async () => {
    const w = world({ user_id: '8', saved_at: NOW.toISOString(), query: { disease: '', days: 30 }, list: LIST });
    const st = new DueState(w.ports, '7');
    const done = st.load({ disease: '', days: 30 });
    w.pending[0].reject(new OfflineError());
    await done;
    expect(st.status).toBe('offline');
    expect(st.list).toBeNull();
    expect(w.kv.has(DUE_KEY)).toBe(false);
  });

  it('restores the kept list at once, marked as kept', async () => {
    const kept: KeptDue = { user_id: '7', saved_at: '2026-11-30T06:00:00.000Z', query: { disease: 'PPR', days: 60 }, list: LIST };
    const w = world(kept);
    const st = new DueState(w.ports, '7');
    await st.restore();
    expect(st.status).toBe('offline');
    expect(st.savedAt).toBe(kept.saved_at);
    expect(st.query).toEqual({ disease: 'PPR', days: 60 });
    expect(await keptDue(w.ports, '8')).toBeUndefined();
    expect(w.kv.has(DUE_KEY)).toBe(false);
  });

  it('a refusal is an error and keeps the last list on the phone untouched', async () => {
    const kept: KeptDue = { user_id: '7', saved_at: NOW.toISOString(), query: { disease: '', days: 30 }, list: LIST };
    const w = world(kept);
    const st = new DueState(w.ports, '7');
    const done = st.load({ disease: '', days: 30 });
    w.pending[0].reject(new ApiError(400, { field: 'days', title: 'days must be from 1 to 365' }));
    await done;
    expect(st.status).toBe('error');
    expect(st.list).toBeNull();
    expect(w.kv.get(DUE_KEY)).toEqual(kept);
  });

  it('drops an answer to an earlier question that comes after a later one', async () => {
    const w = world();
    const st = new DueState(w.ports, '7');
    const first = st.load({ disease: 'FMD-O', days: 30 });
    const second = st.load({ disease: 'PPR', days: 30 });
    w.pending[1].resolve({ ...LIST, disease: 'PPR' });
    await second;
    w.pending[0].resolve(LIST);
    await first;
    await settle();
    expect(st.list?.disease).toBe('PPR');
    expect((w.kv.get(DUE_KEY) as KeptDue).query.disease).toBe('PPR');
  });

  it('sign-out deletes the kept list', async () => {
    const w = world({ user_id: '7', saved_at: NOW.toISOString(), query: { disease: '', days: 30 }, list: LIST });
    await wipeDue(w.ports.kv);
    expect(w.kv.has(DUE_KEY)).toBe(false);
  });

  it('reads days as a whole number from 1 to 365', () => {
    expect(parseDays('30')).toBe(30);
    expect(parseDays(' 365 ')).toBe(365);
    for (const bad of ['0', '366', '400', '-3', '1.5', '', 'ten', '1e2']) expect(parseDays(bad), bad).toBeNull();
    expect(dueQueryString({ disease: '', days: 5 })).toBe('days=5');
  });
});
