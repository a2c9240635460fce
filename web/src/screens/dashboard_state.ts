// What the authority's dashboard (W11) knows and decides, without a browser: the filters (from the
// address, then as chosen), which report to ask for, answers that come late for an older question,
// the report kept on the phone for when there is no network, the regions up and down the tree, and
// the four tables. Its ports (API, key-value store, the address bar, the clock) are injected, so
// dashboard_state.test.ts runs it in node with fakes; dashboard.ts renders it with Chart.js.
import { OfflineError } from '../api';
import { byDisease, byMonth, byRegion, bySpecies, coverageQuery, pathFrom, totals, type Aggregate, type CoverageFilters, type CoverageReport } from '../coverage';
import type { Catalogue } from '../wire';

export type Panel = 'region' | 'disease' | 'species' | 'month';
export const PANELS: Panel[] = ['region', 'disease', 'species', 'month'];
export type DashboardStatus = 'loading' | 'ready' | 'empty' | 'error' | 'offline';

// A report as kept on the phone, with the query it answered.
export interface SavedReport {
  saved_at: string;
  query: string;
  report: CoverageReport;
}

export const MONTH = /^\d{4}-\d{2}$/;

export interface DashboardPorts {
  getJson<T>(path: string, signal?: AbortSignal): Promise<T>;
  kv: { get<T>(key: string): Promise<T | undefined>; set(key: string, value: unknown): Promise<void> };
  // The filters in force go into the address, so a reload or a shared link shows the same.
  showQuery(query: string): void;
  now(): Date;
}

// A bar chart's axis label: the name in the user's language, broken at spaces into lines of at
// most `width` characters (a longer word stays whole on its own line), so that a long name (the
// Uyghur or Kazakh name of a disease) fits a phone's chart without falling back to the Latin code.
export function axisLabel(name: string, width = 22): string[] {
  const lines: string[] = [];
  for (const word of name.split(/\s+/).filter(Boolean)) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= width) lines[last] += ' ' + word;
    else lines.push(word);
  }
  return lines;
}

// The four tables (and charts) of a report: the period's by sub-region, disease and species from
// the server's totals, only the months from the monthly rows.
export function tables(r: CoverageReport): Record<Panel, Aggregate[]> {
  const period = r.totals ?? [];
  return {
    region: byRegion(period, r.region),
    disease: byDisease(period),
    species: bySpecies(period),
    month: byMonth(r.rows, r.from, r.to),
  };
}

export class DashboardState {
  onChange: () => void = () => {};
  private closed = false;

  readonly filters: CoverageFilters;
  status: DashboardStatus = 'loading';
  report: CoverageReport | null = null;
  shownQuery = '';
  savedAt: string | null = null; // set when the report shown is the copy kept on the phone
  error: unknown = null;
  private controller: AbortController | null = null;
  private seq = 0;
  // Filter choices: the catalogue's diseases and species, plus whatever the reports name.
  readonly known = { disease: new Set<string>(), species: new Set<string>() };

  // `top`: the user's own authority; `params`: the address's query.
  constructor(
    private readonly ports: DashboardPorts,
    readonly top: string,
    params: URLSearchParams,
  ) {
    const month = (k: string) => (MONTH.test(params.get(k) ?? '') ? params.get(k)! : '');
    this.filters = {
      region: params.get('region') || top,
      disease: params.get('disease') ?? '',
      species: params.get('species') ?? '',
      from: month('from'),
      to: month('to'),
    };
  }

  close(): void {
    this.closed = true;
    this.controller?.abort();
  }

  private changed(): void {
    if (!this.closed) this.onChange();
  }

  private remember(r: CoverageReport): void {
    for (const row of r.rows) {
      this.known.disease.add(row.disease);
      this.known.species.add(row.species);
    }
  }

  async loadCatalogue(): Promise<void> {
    try {
      const c = await this.ports.getJson<Partial<Catalogue>>('/catalogue');
      for (const d of c.diseases ?? []) this.known.disease.add(d.code);
      for (const s of c.species ?? []) this.known.species.add(s.code);
      this.changed();
    } catch {
      /* the reports' own codes will do */
    }
  }

  // Asks for the report of the filters in force. An answer to an earlier question that comes
  // after a later one was asked is dropped.
  async load(): Promise<void> {
    const mine = ++this.seq;
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const query = coverageQuery(this.filters);
    this.status = 'loading';
    this.error = null;
    this.changed();
    try {
      const r = await this.ports.getJson<CoverageReport>(`/reports/coverage${query ? '?' + query : ''}`, controller.signal);
      if (mine !== this.seq || this.closed) return;
      this.report = r;
      this.shownQuery = query;
      this.savedAt = null;
      this.remember(r);
      // The period the server chose becomes the one shown in the filters.
      if (!this.filters.from) this.filters.from = r.from;
      if (!this.filters.to) this.filters.to = r.to;
      if (!this.filters.region) this.filters.region = r.region;
      this.status = r.rows.length === 0 ? 'empty' : 'ready';
      this.ports.showQuery(coverageQuery(this.filters));
      const saved: SavedReport = { saved_at: this.ports.now().toISOString(), query, report: r };
      void this.ports.kv
        .set(`coverage:${query}`, saved)
        .then(() => this.ports.kv.set('coverage:last', query))
        .catch(() => {});
    } catch (e) {
      if (mine !== this.seq || this.closed || (e as Error)?.name === 'AbortError') return;
      if (e instanceof OfflineError) {
        // No network: the last report this phone kept, for this query or else any.
        let saved: SavedReport | undefined;
        try {
          saved = await this.ports.kv.get<SavedReport>(`coverage:${query}`);
          if (!saved) {
            const last = await this.ports.kv.get<string>('coverage:last');
            if (last !== undefined) saved = await this.ports.kv.get<SavedReport>(`coverage:${last}`);
          }
        } catch {
          saved = undefined;
        }
        if (mine !== this.seq || this.closed) return;
        this.status = 'offline';
        this.report = saved?.report ?? null;
        this.shownQuery = saved?.query ?? '';
        this.savedAt = saved?.saved_at ?? null;
        if (this.report) this.remember(this.report);
        // The filters say what the kept report is for, not what could not be fetched.
        if (saved && saved.query !== query) {
          const kept = new URLSearchParams(saved.query);
          for (const k of ['region', 'disease', 'species', 'from', 'to'] as const) this.filters[k] = kept.get(k) ?? '';
          if (!this.filters.region) this.filters.region = saved.report.region;
          if (!this.filters.from) this.filters.from = saved.report.from;
          if (!this.filters.to) this.filters.to = saved.report.to;
        }
      } else {
        this.status = 'error';
        this.error = e;
        this.report = null;
        this.shownQuery = '';
        this.savedAt = null;
      }
    }
    this.changed();
  }

  // A filter changed: a month must be yyyy-mm (or empty); the same value asks nothing.
  setFilter(name: keyof CoverageFilters, raw: string): void {
    const value = raw.trim();
    if ((name === 'from' || name === 'to') && value !== '' && !MONTH.test(value)) return;
    if (this.filters[name] === value) return;
    this.filters[name] = value;
    void this.load();
  }

  drillDown(code: string): void {
    if (this.filters.region === code) return;
    this.filters.region = code;
    void this.load();
  }

  // The network is back: a dashboard showing the kept copy asks again.
  online(): void {
    if (this.status === 'offline') void this.load();
  }

  // The regions to offer: the levels above, back to the user's own authority (that one alone when
  // the region asked for is not under it: the server has refused it, and this is the way back),
  // the one in force, and the ones below it that the report shows.
  regionChoices(): { up: string[]; current: string; down: string[] } {
    const current = this.filters.region || this.top;
    const path = this.top ? pathFrom(this.top, current) : [current];
    const up = !this.top ? [] : path[0] === this.top ? path.slice(0, -1) : [this.top];
    const r = this.report;
    const down = r && r.region === current ? byRegion(r.rows, current).map((a) => a.key).filter((k) => k !== current) : [];
    return { up, current, down };
  }

  // The codes to offer for a filter: those known, and the one chosen even when unknown.
  codes(kind: 'disease' | 'species'): string[] {
    const codes = new Set(this.known[kind]);
    const chosen = this.filters[kind] ?? '';
    if (chosen) codes.add(chosen);
    return [...codes];
  }

  // The whole period's figure, from the server's totals; null with no report.
  total(): Aggregate | null {
    const r = this.report;
    return r ? totals(r.totals ?? []) : null;
  }

  // The report's tables when it has rows to show, else null.
  shownTables(): Record<Panel, Aggregate[]> | null {
    const r = this.report;
    return r && r.rows.length > 0 ? tables(r) : null;
  }
}
