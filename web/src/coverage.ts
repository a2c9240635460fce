// W11 coverage arithmetic for the dashboard, kept free of the DOM so that vitest checks it.
//
// The server answers one row per (owner's authority, disease, species, month) with head counts,
// and `totals`: one row per (owner's authority, disease, species) over the whole period, which
// the server counts (each animal once, a flock at most its size). Figures for the period (by
// sub-region, disease, species, and the grand total) are sums of `totals` up the authority tree
// and across diseases and species, never sums of months: a cow present all year would count
// twelve times. Only the by-month figures come from `rows`. A coverage figure is always the sum of
// vaccinated heads over the sum of registered heads of the rows it stands for, never an average
// of the rows' ratios (a flock of 1,000 weighs more than one cow).

export interface CoverageRow {
  authority: string;
  disease: string;
  species: string;
  month: string; // YYYY-MM
  vaccinated_head: number;
  registered_head: number;
  coverage: number;
}

// One (owner's authority, disease, species) over the whole period, as the server counts it.
export type CoverageTotal = Omit<CoverageRow, 'month'>;

export interface CoverageReport {
  region: string;
  from: string;
  to: string;
  rows: CoverageRow[];
  // Missing only in a report kept on the phone by an older version: then no period figures.
  totals?: CoverageTotal[];
  truncated?: boolean;
}

// The heads of any row, monthly or for the period.
type Counted = Pick<CoverageRow, 'authority' | 'disease' | 'species' | 'vaccinated_head' | 'registered_head'>;

export interface Aggregate {
  key: string;
  vaccinated: number;
  registered: number;
  // vaccinated / registered; null when nothing is registered (no figure rather than 0 % or ∞).
  coverage: number | null;
}

export function ratio(vaccinated: number, registered: number): number | null {
  return registered > 0 ? vaccinated / registered : null;
}

// The code one level below `region` that `authority` falls under: KZ-ABY-01-07 under KZ-ABY is
// KZ-ABY-01. An authority equal to the region is its own key (owners registered at that level).
// Null when the authority is outside the region's subtree (KZ-ABYX is not under KZ-ABY).
export function childOf(authority: string, region: string): string | null {
  if (authority === region) return region;
  if (!authority.startsWith(region + '-')) return null;
  const rest = authority.slice(region.length + 1);
  const segment = rest.split('-')[0];
  return segment ? `${region}-${segment}` : null;
}

// The chain of codes from `top` down to `code`, both included: (KZ, KZ-ABY-01) gives KZ, KZ-ABY,
// KZ-ABY-01. Just [code] when code is not under top.
export function pathFrom(top: string, code: string): string[] {
  if (code !== top && !code.startsWith(top + '-')) return [code];
  const out = [top];
  let cur = top;
  while (cur !== code) {
    const next = childOf(code, cur);
    if (!next || next === cur) break;
    out.push(next);
    cur = next;
  }
  return out;
}

// Sums rows (monthly rows or period totals, never both) by the key `keyOf` gives (rows it gives null for are left out), in key order.
export function aggregate<R extends Counted>(rows: readonly R[], keyOf: (r: R) => string | null): Aggregate[] {
  const sums = new Map<string, { v: number; r: number }>();
  for (const row of rows) {
    const key = keyOf(row);
    if (key === null) continue;
    const s = sums.get(key) ?? { v: 0, r: 0 };
    s.v += row.vaccinated_head;
    s.r += row.registered_head;
    sums.set(key, s);
  }
  return [...sums.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((key) => {
      const s = sums.get(key)!;
      return { key, vaccinated: s.v, registered: s.r, coverage: ratio(s.v, s.r) };
    });
}

export function byRegion(rows: readonly Counted[], region: string): Aggregate[] {
  return aggregate(rows, (r) => childOf(r.authority, region));
}

export function byDisease(rows: readonly Counted[]): Aggregate[] {
  return aggregate(rows, (r) => r.disease);
}

export function bySpecies(rows: readonly Counted[]): Aggregate[] {
  return aggregate(rows, (r) => r.species);
}

// Every month from `from` to `to` (YYYY-MM, both included), oldest first; empty when from > to or
// either is malformed.
export function monthRange(from: string, to: string): string[] {
  const parse = (m: string) => {
    const x = /^(\d{4})-(\d{2})$/.exec(m);
    return x ? Number(x[1]) * 12 + Number(x[2]) - 1 : NaN;
  };
  const a = parse(from);
  const b = parse(to);
  const out: string[] = [];
  if (Number.isNaN(a) || Number.isNaN(b)) return out;
  for (let n = a; n <= b && out.length < 1200; n++) {
    out.push(`${String(Math.floor(n / 12)).padStart(4, '0')}-${String((n % 12) + 1).padStart(2, '0')}`);
  }
  return out;
}

// By month, oldest first. With `from` and `to`, every month of the period appears, a month without
// rows with zero heads and no coverage (a gap in the line rather than a fall to 0 %).
export function byMonth(rows: readonly CoverageRow[], from?: string, to?: string): Aggregate[] {
  const found = aggregate(rows, (r) => r.month);
  if (!from || !to) return found;
  const have = new Map(found.map((a) => [a.key, a]));
  const months = monthRange(from, to);
  const extra = found.filter((a) => !months.includes(a.key)); // outside the period: kept, in order
  return [...months.map((m) => have.get(m) ?? { key: m, vaccinated: 0, registered: 0, coverage: null }), ...extra].sort(
    (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

export function totals(rows: readonly Counted[]): Aggregate {
  let v = 0;
  let r = 0;
  for (const row of rows) {
    v += row.vaccinated_head;
    r += row.registered_head;
  }
  return { key: '', vaccinated: v, registered: r, coverage: ratio(v, r) };
}

export const CSV_COLUMNS = ['authority', 'disease', 'species', 'month', 'vaccinated_head', 'registered_head', 'coverage'] as const;

// One CSV field (RFC 4180): quoted when it holds a comma, a double quote, CR or LF (or starts or
// ends with a space, which some spreadsheets would trim), with inner quotes doubled.
export function csvField(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// The rows as CSV text: a byte order mark (spreadsheets then read UTF-8), a header line, one line
// per row, each line ended by CRLF.
export function toCsv(rows: readonly CoverageRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of rows) lines.push(CSV_COLUMNS.map((c) => csvField(row[c])).join(','));
  return '\uFEFF' + lines.map((l) => l + '\r\n').join('');
}

// coverage-<region>-<from>-<to>.csv, with anything unsafe in a file name replaced.
export function csvFileName(region: string, from: string, to: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');
  return `coverage-${safe(region)}-${safe(from)}-${safe(to)}.csv`;
}

// The query string for a report: only the filters that are set, in a fixed order (also the key of
// the copy kept on the phone).
export interface CoverageFilters {
  region?: string;
  disease?: string;
  species?: string;
  from?: string;
  to?: string;
}

export function coverageQuery(f: CoverageFilters): string {
  const p = new URLSearchParams();
  for (const k of ['region', 'disease', 'species', 'from', 'to'] as const) {
    const v = f[k];
    if (v) p.set(k, v);
  }
  return p.toString();
}
