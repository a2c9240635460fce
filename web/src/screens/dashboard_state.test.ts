// The dashboard's decisions (dashboard_state.ts), run in node against fakes: an API whose answers
// the test releases in the order it wants, the phone's key-value store in memory, a fixed clock.
import { describe, expect, it } from 'vitest';
import { ApiError, OfflineError } from '../api';
import type { CoverageReport, CoverageRow } from '../coverage';
import { DashboardState, type DashboardPorts, type SavedReport } from './dashboard_state';

const NOW = new Date('2026-11-29T10:00:00Z');

function row(authority: string, disease: string, species: string, month: string, vaccinated: number, registered: number): CoverageRow {
  return { authority, disease, species, month, vaccinated_head: vaccinated, registered_head: registered, coverage: vaccinated / registered };
}

const REPORT: CoverageReport = {
  region: 'KZ-ALM',
  from: '2026-06',
  to: '2026-11',
  rows: [
    row('KZ-ALM-KRS', 'FMD-O', 'cattle', '2026-10', 80, 100),
    row('KZ-ALM-KRS-01', 'FMD-O', 'sheep', '2026-11', 10, 40),
    row('KZ-ALM-TLG', 'PPR', 'sheep', '2026-11', 30, 60),
    row('KZ-ALM', 'PPR', 'goat', '2026-11', 5, 10),
  ],
};
// One row per (authority, disease, species), each in one month: the period's totals are the rows.
REPORT.totals = REPORT.rows.map(({ month: _month, ...total }) => total);

interface Pending {
  path: string;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

// Every request waits until the test answers it (answer/fail), so the order of answers is the test's.
function world(params = '', top = 'KZ-ALM') {
  const pending: Pending[] = [];
  const kv = new Map<string, unknown>();
  const shown: string[] = [];
  const ports: DashboardPorts = {
    getJson: <T>(path: string) => new Promise<T>((resolve, reject) => pending.push({ path, resolve: resolve as (v: unknown) => void, reject })),
    kv: { get: async <T>(k: string) => kv.get(k) as T | undefined, set: async (k, v) => void kv.set(k, v) },
    showQuery: (q) => void shown.push(q),
    now: () => NOW,
  };
  const st = new DashboardState(ports, top, new URLSearchParams(params));
  let changes = 0;
  st.onChange = () => changes++;
  // Answers the oldest request still waiting for `path`, and waits until the state has taken it.
  const settle = async (path: string, how: (p: Pending) => void) => {
    const i = pending.findIndex((p) => p.path === path);
    if (i < 0) throw new Error(`no request for ${path}; waiting: ${pending.map((p) => p.path).join(', ')}`);
    const [p] = pending.splice(i, 1);
    const before = changes;
    how(p);
    await expect.poll(() => changes, { interval: 1 }).toBeGreaterThan(before);
  };
  return {
    st,
    kv,
    shown,
    pending,
    answer: (path: string, v: unknown) => settle(path, (p) => p.resolve(v)),
    fail: (path: string, e: unknown) => settle(path, (p) => p.reject(e)),
  };
}

const path = (q: string) => `/reports/coverage${q ? '?' + q : ''}`;

describe('dashboard: filters', () => {
  it('takes the filters from the address, drops a month that is not yyyy-mm, and starts at the user\'s authority', () => {
    const { st } = world('disease=PPR&from=2026-1&to=2026-11');
    expect(st.filters).toEqual({ region: 'KZ-ALM', disease: 'PPR', species: '', from: '', to: '2026-11' });
  });

  it('asks again when a filter changes, but not for the same value or a bad month', () => {
    const w = world();
    w.st.setFilter('from', '2026-13-01');
    w.st.setFilter('region', ' KZ-ALM ');
    expect(w.pending).toEqual([]);
    w.st.setFilter('species', 'sheep');
    w.st.drillDown('KZ-ALM-KRS');
    expect(w.pending.map((p) => p.path)).toEqual([path('region=KZ-ALM&species=sheep'), path('region=KZ-ALM-KRS&species=sheep')]);
  });
});

describe('dashboard: loading', () => {
  it('shows the report, fills the period the server chose, puts the filters in the address and keeps the report', async () => {
    const w = world();
    void w.st.load();
    expect(w.st.status).toBe('loading');
    await w.answer(path('region=KZ-ALM'), REPORT);
    expect([w.st.status, w.st.report, w.st.shownQuery, w.st.savedAt]).toEqual(['ready', REPORT, 'region=KZ-ALM', null]);
    expect(w.st.filters).toMatchObject({ from: '2026-06', to: '2026-11' });
    expect(w.shown).toEqual(['region=KZ-ALM&from=2026-06&to=2026-11']);
    await expect.poll(() => w.kv.get('coverage:last'), { interval: 1 }).toBe('region=KZ-ALM');
    expect(w.kv.get('coverage:region=KZ-ALM')).toEqual({ saved_at: NOW.toISOString(), query: 'region=KZ-ALM', report: REPORT });
    expect([...w.st.known.disease].sort()).toEqual(['FMD-O', 'PPR']);
  });

  it('says empty when the report has no rows, and has no tables then', async () => {
    const w = world();
    void w.st.load();
    await w.answer(path('region=KZ-ALM'), { ...REPORT, rows: [] });
    expect([w.st.status, w.st.shownTables()]).toEqual(['empty', null]);
  });

  it('drops an answer to an earlier question that comes after the later one', async () => {
    const w = world();
    const firstLoad = w.st.load();
    w.st.setFilter('disease', 'PPR');
    const later = { ...REPORT, rows: REPORT.rows.filter((r) => r.disease === 'PPR') };
    await w.answer(path('region=KZ-ALM&disease=PPR'), later);
    w.pending[0].resolve(REPORT);
    await firstLoad; // the earlier load has taken its answer
    expect(w.st.report).toBe(later);
    expect(w.shown).toHaveLength(1);
  });

  it('with no network shows the report kept for this question, else the last one, with the filters it answered', async () => {
    const w = world();
    const kept: SavedReport = { saved_at: '2026-11-20T08:00:00Z', query: 'region=KZ-ALM-KRS&disease=FMD-O', report: { ...REPORT, region: 'KZ-ALM-KRS', from: '2026-01', to: '2026-06' } };
    w.kv.set(`coverage:${kept.query}`, kept);
    w.kv.set('coverage:last', kept.query);
    void w.st.load();
    await w.fail(path('region=KZ-ALM'), new OfflineError());
    expect([w.st.status, w.st.report, w.st.savedAt, w.st.shownQuery]).toEqual(['offline', kept.report, kept.saved_at, kept.query]);
    expect(w.st.filters).toEqual({ region: 'KZ-ALM-KRS', disease: 'FMD-O', species: '', from: '2026-01', to: '2026-06' });
    // The network is back: it asks again for what the filters now say.
    w.st.online();
    expect(w.pending.map((p) => p.path)).toEqual([path(kept.query + '&from=2026-01&to=2026-06')]);
  });

  it('with no network and nothing kept, says so and shows no report', async () => {
    const w = world();
    void w.st.load();
    await w.fail(path('region=KZ-ALM'), new OfflineError());
    expect([w.st.status, w.st.report, w.st.savedAt]).toEqual(['offline', null, null]);
  });

  it('shows a refusal as an error with no report, and does not ask again when the network comes back', async () => {
    const w = world();
    void w.st.load();
    await w.answer(path('region=KZ-ALM'), REPORT);
    w.st.setFilter('region', 'KZ-AST');
    const refused = new ApiError(403, { type: 'permission-denied' });
    await w.fail(path('region=KZ-AST&from=2026-06&to=2026-11'), refused);
    expect([w.st.status, w.st.error, w.st.report, w.st.shownQuery]).toEqual(['error', refused, null, '']);
    w.st.online();
    expect(w.pending).toEqual([]);
  });
});

describe('dashboard: regions and tables', () => {
  it('offers the levels up to the user\'s authority and the sub-regions the report shows', async () => {
    const w = world('region=KZ-ALM-KRS', 'KZ');
    void w.st.load();
    await w.answer(path('region=KZ-ALM-KRS'), { ...REPORT, region: 'KZ-ALM-KRS', rows: REPORT.rows.slice(0, 2) });
    expect(w.st.regionChoices()).toEqual({ up: ['KZ', 'KZ-ALM'], current: 'KZ-ALM-KRS', down: ['KZ-ALM-KRS-01'] });
    // A region outside the user's: the way back is the user's own authority.
    const out = world('region=KG-CHU', 'KZ-ALM');
    expect(out.st.regionChoices()).toEqual({ up: ['KZ-ALM'], current: 'KG-CHU', down: [] });
  });

  it('offers the codes known and the one chosen, even one no report named', async () => {
    const w = world('species=yak');
    void w.st.loadCatalogue();
    await w.answer('/catalogue', { species: [{ code: 'sheep' }], diseases: [{ code: 'PPR' }] });
    expect(w.st.codes('species').sort()).toEqual(['sheep', 'yak']);
    expect(w.st.codes('disease')).toEqual(['PPR']);
  });

  it('sums the rows by sub-region, disease, species and month', async () => {
    const w = world();
    void w.st.load();
    await w.answer(path('region=KZ-ALM'), REPORT);
    const t = w.st.shownTables()!;
    expect(t.region.map((a) => [a.key, a.vaccinated, a.registered])).toEqual([
      ['KZ-ALM', 5, 10],
      ['KZ-ALM-KRS', 90, 140],
      ['KZ-ALM-TLG', 30, 60],
    ]);
    expect(t.disease.find((a) => a.key === 'PPR')).toMatchObject({ vaccinated: 35, registered: 70, coverage: 0.5 });
    expect(t.species.find((a) => a.key === 'sheep')).toMatchObject({ vaccinated: 40, registered: 100 });
    expect(t.month.map((a) => a.key)).toEqual(['2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11']);
  });

  it('takes the period figures from the server\'s totals, never adds up months', async () => {
    // One cow of KZ-ALM-KRS present three months and vaccinated in each, and a flock of 30
    // vaccinated 20 heads in two months: by month 3/3 and 40/90; over the period 1/1 and 30/30.
    const report: CoverageReport = {
      region: 'KZ-ALM',
      from: '2026-09',
      to: '2026-11',
      rows: [
        row('KZ-ALM-KRS', 'FMD-O', 'cattle', '2026-09', 1, 1),
        row('KZ-ALM-KRS', 'FMD-O', 'cattle', '2026-10', 1, 1),
        row('KZ-ALM-KRS', 'FMD-O', 'cattle', '2026-11', 1, 1),
        row('KZ-ALM-KRS', 'FMD-O', 'sheep', '2026-09', 20, 30),
        row('KZ-ALM-KRS', 'FMD-O', 'sheep', '2026-10', 0, 30),
        row('KZ-ALM-KRS', 'FMD-O', 'sheep', '2026-11', 20, 30),
      ],
      totals: [
        { authority: 'KZ-ALM-KRS', disease: 'FMD-O', species: 'cattle', vaccinated_head: 1, registered_head: 1, coverage: 1 },
        { authority: 'KZ-ALM-KRS', disease: 'FMD-O', species: 'sheep', vaccinated_head: 30, registered_head: 30, coverage: 1 },
      ],
    };
    const w = world();
    void w.st.load();
    await w.answer(path('region=KZ-ALM'), report);
    const t = w.st.shownTables()!;
    const cells = (list: { key: string; vaccinated: number; registered: number }[]) => list.map((a) => [a.key, a.vaccinated, a.registered]);
    expect(cells(t.region)).toEqual([['KZ-ALM-KRS', 31, 31]]);
    expect(cells(t.disease)).toEqual([['FMD-O', 31, 31]]);
    expect(cells(t.species)).toEqual([
      ['cattle', 1, 1],
      ['sheep', 30, 30],
    ]);
    expect(w.st.total()).toEqual({ key: '', vaccinated: 31, registered: 31, coverage: 1 });
    // The months stay months.
    expect(cells(t.month)).toEqual([
      ['2026-09', 21, 31],
      ['2026-10', 1, 31],
      ['2026-11', 21, 31],
    ]);
  });
});
