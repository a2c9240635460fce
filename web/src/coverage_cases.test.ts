// The W2 coverage rule of coverage.ts (coverageOf, ownerCoverage) against tests/data/coverage_cases.json,
// the table tests/domain/coverage_cases_test.cpp runs through the server's rule (domain/coverage.cpp):
// both must give every answer of the file, so the phone's offline answer cannot drift from the
// server's. Each case goes through ownerCoverage (per-unit and owner results, compared whole) and
// through coverageOf for every unit and disease of its species; coverage_of entries are extra calls.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { coverageOf, ownerCoverage, type CoverageCatalogue, type CoverageDose, type CoverageUnit, type DiseaseCoverage } from './coverage';

type Entry = Partial<Pick<DiseaseCoverage, 'last_dose' | 'covered_until' | 'overdue_since'>> & Pick<DiseaseCoverage, 'disease' | 'status'>;
interface Case {
  name: string;
  today: string;
  units: CoverageUnit[];
  doses: CoverageDose[];
  expect: { units: Entry[][]; diseases: Entry[] };
  coverage_of?: { unit: number; disease: string; with_catalogue: boolean; expect: Entry }[];
}

const file = JSON.parse(readFileSync(join(__dirname, '..', '..', 'tests', 'data', 'coverage_cases.json'), 'utf8')) as {
  catalogue: CoverageCatalogue;
  cases: Case[];
};
const CAT = file.catalogue;

// An expected entry with omitted dates made explicit nulls; any other key is a mistake in the file.
const KEYS = ['disease', 'status', 'last_dose', 'covered_until', 'overdue_since'];
function expected(e: Entry) {
  const unknown = Object.keys(e).filter((k) => !KEYS.includes(k));
  if (unknown.length) throw new Error(`unknown key in an expected entry: ${unknown.join(', ')}`);
  return { disease: e.disease, status: e.status, last_dose: e.last_dose ?? null, covered_until: e.covered_until ?? null, overdue_since: e.overdue_since ?? null };
}
// The fields both implementations share (the C++ result has no disease_name), plus the name the
// screens show, which must be the catalogue's.
function actual(c: DiseaseCoverage) {
  expect(c.disease_name).toBe(CAT.diseases.find((d) => d.code === c.disease)?.name);
  return { disease: c.disease, status: c.status, last_dose: c.last_dose, covered_until: c.covered_until, overdue_since: c.overdue_since };
}

describe('coverage.ts against tests/data/coverage_cases.json', () => {
  it('has cases', () => {
    expect(file.cases.length).toBeGreaterThan(0);
  });
  it.each(file.cases.map((c) => [c.name, c] as const))('%s', (_name, k) => {
    const oc = ownerCoverage(CAT, k.units, k.doses, k.today);
    expect(oc.diseases.map(actual)).toEqual(k.expect.diseases.map(expected));
    expect(oc.units.length).toBe(k.expect.units.length);
    k.units.forEach((u, i) => {
      const want = k.expect.units[i].map(expected);
      expect(oc.units[i].map(actual), `unit ${u.id}`).toEqual(want);
      const oneByOne = CAT.diseases.filter((d) => d.species.includes(u.species)).map((d) => actual(coverageOf(d, u, k.doses, k.today, CAT)));
      expect(oneByOne, `unit ${u.id}, coverageOf`).toEqual(want);
    });
    for (const call of k.coverage_of ?? []) {
      const d = CAT.diseases.find((x) => x.code === call.disease)!;
      const u = k.units.find((x) => x.id === call.unit)!;
      expect(d, call.disease).toBeDefined();
      expect(u, `unit ${call.unit}`).toBeDefined();
      expect(actual(coverageOf(d, u, k.doses, k.today, call.with_catalogue ? CAT : undefined))).toEqual(expected(call.expect));
    }
  });
});
