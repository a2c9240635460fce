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

// --- W2: is an animal or flock protected against a disease today? ---
//
// The rule of domain/coverage.cpp (CoverageOf, ComputeOwnerCoverage), which the server's W2 answer
// applies, for the one place the phone answers W2 itself: the phone check from a field copy
// (fieldcopy.ts). The screens read its result exactly as they read the server's (same shape,
// inspector_summary.ts's per-disease rules over it). coverage_cases.test.ts checks it against the
// table of tests/data/coverage_cases.json, which domain/coverage.cpp must also pass.
//
// A dose given on day D protects through D + immunity_days - 1 (covered_until). Today within that
// is "covered"; after it "overdue" since covered_until + 1; no dose ever "never". Voided records and
// doses dated after `today` never count. A dose protects against every disease its vaccine product
// covers (the catalogue). A flock is protected while the newest doses given to it together reach
// its head count; doses that never reached it leave it "overdue" with no overdue_since.

export interface CoverageUnit {
  id: number;
  flock: boolean;
  species: string;
  head_count: number;
  alive: boolean; // a tagged animal not ended, a flock with at least one head
}

export interface CoverageDose {
  animal_ids: number[];
  head_count: number;
  disease: string;
  vaccine: string;
  administered_on: string; // YYYY-MM-DD
  voided: boolean;
}

export interface CoverageCatalogue {
  diseases: { code: string; name: string; immunity_days: number; species: string[] }[];
  vaccines: { code: string; diseases: string[] }[];
}

export interface DiseaseCoverage {
  disease: string;
  disease_name: string;
  status: 'covered' | 'overdue' | 'never';
  last_dose: string | null;
  covered_until: string | null;
  overdue_since: string | null;
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function coverageOf(
  disease: CoverageCatalogue['diseases'][number],
  unit: CoverageUnit,
  doses: readonly CoverageDose[],
  today: string,
  catalogue?: CoverageCatalogue,
): DiseaseCoverage {
  const protects = (v: CoverageDose) =>
    v.disease === disease.code || !!catalogue?.vaccines.find((p) => p.code === v.vaccine)?.diseases.includes(disease.code);
  const c: DiseaseCoverage = { disease: disease.code, disease_name: disease.name, status: 'never', last_dose: null, covered_until: null, overdue_since: null };
  const given = doses
    .filter((v) => !v.voided && v.administered_on <= today && v.animal_ids.includes(unit.id) && protects(v))
    .map((v) => ({ day: v.administered_on, heads: v.head_count }))
    .sort((a, b) => (a.day > b.day ? -1 : a.day < b.day ? 1 : 0));
  if (given.length === 0) return c;
  c.last_dose = given[0].day;
  let protectedFrom: string | null = null;
  if (!unit.flock) {
    protectedFrom = given[0].day;
  } else {
    let heads = 0;
    for (const g of given) {
      heads += Math.max(g.heads, 0);
      if (heads >= unit.head_count) {
        protectedFrom = g.day;
        break;
      }
    }
  }
  if (!protectedFrom) {
    c.status = 'overdue';
    return c;
  }
  const until = addDays(protectedFrom, disease.immunity_days - 1);
  if (today <= until) {
    c.status = 'covered';
    c.covered_until = until;
  } else {
    c.status = 'overdue';
    c.overdue_since = addDays(until, 1);
  }
  return c;
}

// Per unit (in the order given) every catalogue disease of its species; per disease (in catalogue
// order) the owner's figure over the living units it applies to: covered when every one is
// (covered_until the earliest), never when none ever had a dose, otherwise overdue (overdue_since
// the earliest lapse; none when the only uncovered units never had a dose); last_dose the latest.
export function ownerCoverage(
  catalogue: CoverageCatalogue,
  units: readonly CoverageUnit[],
  doses: readonly CoverageDose[],
  today: string,
): { units: DiseaseCoverage[][]; diseases: DiseaseCoverage[] } {
  const perUnit = units.map((u) => catalogue.diseases.filter((d) => d.species.includes(u.species)).map((d) => coverageOf(d, u, doses, today, catalogue)));
  const min = (a: string | null, b: string | null) => (b && (!a || b < a) ? b : a);
  const max = (a: string | null, b: string | null) => (b && (!a || b > a) ? b : a);
  const diseases: DiseaseCoverage[] = [];
  for (const d of catalogue.diseases) {
    let relevant = false;
    let anyDose = false;
    let allCovered = true;
    const agg: DiseaseCoverage = { disease: d.code, disease_name: d.name, status: 'never', last_dose: null, covered_until: null, overdue_since: null };
    units.forEach((u, i) => {
      if (!u.alive) return;
      for (const c of perUnit[i]) {
        if (c.disease !== d.code) continue;
        relevant = true;
        if (c.last_dose) anyDose = true;
        agg.last_dose = max(agg.last_dose, c.last_dose);
        if (c.status === 'covered') {
          agg.covered_until = min(agg.covered_until, c.covered_until);
        } else {
          allCovered = false;
          agg.overdue_since = min(agg.overdue_since, c.overdue_since);
        }
      }
    });
    if (!relevant) continue;
    if (!anyDose) {
      diseases.push({ disease: d.code, disease_name: d.name, status: 'never', last_dose: null, covered_until: null, overdue_since: null });
    } else if (allCovered) {
      diseases.push({ ...agg, status: 'covered', overdue_since: null });
    } else {
      diseases.push({ ...agg, status: 'overdue', covered_until: null });
    }
  }
  return { units: perUnit, diseases };
}
