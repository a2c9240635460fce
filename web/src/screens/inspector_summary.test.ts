// The phone check's summary for a purpose (inspector_summary.ts), from fake lookup answers and
// fake rules: which diseases a rule asks for, how many head are covered, which animals fail, and
// that a disease no rule asks for is never a failure.
import { describe, expect, it } from 'vitest';
import type { Coverage, LookupAnimal, LookupResult, MovementRule } from '../wire';
import { askedOf, meets, purposeSummary } from './inspector_summary';

const TODAY = '2026-11-29';

// Fake rules, not the server's: slaughter asks FMD and PPR, export also sheep pox and anthrax, and
// a poultry rule that names a species no test animal has.
const RULES: MovementRule[] = [
  { name: 'fake-slaughter', purpose: 'slaughter', scope: '', species: [], diseases: ['FMD-O', 'FMD-A', 'PPR'], max_age_days: 0 },
  { name: 'fake-export', purpose: 'export', scope: '', species: [], diseases: ['FMD-O', 'FMD-A', 'PPR', 'SGP', 'ANTHRAX'], max_age_days: 0 },
  { name: 'fake-poultry', purpose: 'slaughter', scope: '', species: ['poultry'], diseases: ['HPAI', 'ND'], max_age_days: 0 },
];

function cov(disease: string, status: Coverage['status'], last_dose: string | null = null): Coverage {
  return {
    disease,
    disease_name: `${disease} name`,
    status,
    last_dose,
    covered_until: status === 'covered' ? '2027-05-01' : null,
    overdue_since: status === 'overdue' ? '2026-10-01' : null,
  };
}

let nextId = 1;
function sheep(tag: string, coverage: Coverage[]): LookupAnimal {
  return { id: nextId++, kind: 'animal', tag, species: 'sheep', head_count: 1, coverage };
}

function lookup(animals: LookupAnimal[], owner: Coverage[] = []): LookupResult {
  return {
    owner: { id: 1, phone: '+77015551234', name: 'Aigul', village: '', authority: 'KZ-ALM' },
    today: TODAY,
    since: '2023-11-29',
    coverage: owner,
    animals,
    vaccinations: [],
  };
}

// A sheep's diseases as the lookup lists them: FMD-O, FMD-A, PPR asked for slaughter; SGP and
// ANTHRAX asked by no slaughter rule.
const sheepCov = (fmd: Coverage['status'], ppr: Coverage['status'], other: Coverage['status'] = 'never') => [
  cov('FMD-O', fmd, fmd === 'covered' ? '2026-09-01' : null),
  cov('FMD-A', fmd, fmd === 'covered' ? '2026-09-01' : null),
  cov('PPR', ppr, ppr === 'covered' ? '2026-09-01' : null),
  cov('SGP', other),
  cov('ANTHRAX', other),
];

describe('purposeSummary', () => {
  it('counts the head covered per disease the slaughter rule asks for, and names the animals that fail', () => {
    const animals = [
      ...Array.from({ length: 10 }, (_, i) => sheep(`T${i}`, sheepCov('covered', 'covered'))),
      sheep('T10', sheepCov('never', 'covered')),
      sheep('T11', sheepCov('overdue', 'covered')),
    ];
    const s = purposeSummary(lookup(animals, sheepCov('overdue', 'covered')), 'slaughter', RULES);
    expect(s.purpose).toBe('slaughter');
    expect(s.diseases.map((d) => [d.disease, d.covered_head, d.head, d.state])).toEqual([
      ['FMD-O', 10, 12, 'partly'],
      ['FMD-A', 10, 12, 'partly'],
      ['PPR', 12, 12, 'covered'],
    ]);
    expect(s.failing.map((f) => [f.animal.tag, f.failures.map((c) => `${c.disease}:${c.status}`)])).toEqual([
      ['T10', ['FMD-O:never', 'FMD-A:never']],
      ['T11', ['FMD-O:overdue', 'FMD-A:overdue']],
    ]);
    expect(s.ready).toBe(false);
  });

  it('never counts a disease no rule asks for as a failure, and says which diseases are asked', () => {
    const animals = [sheep('A', sheepCov('covered', 'covered', 'never')), sheep('B', sheepCov('covered', 'covered', 'overdue'))];
    const s = purposeSummary(lookup(animals), 'slaughter', RULES);
    expect(s.ready).toBe(true);
    expect(s.failing).toEqual([]);
    expect(s.diseases.map((d) => d.disease)).toEqual(['FMD-O', 'FMD-A', 'PPR']);
    expect([...s.askedAny]).toEqual(['FMD-O', 'FMD-A', 'PPR']);
    expect([...(s.asked.get(animals[0].id) ?? [])]).toEqual(['FMD-O', 'FMD-A', 'PPR']);
    // Export asks for them: the same animals fail it on sheep pox and anthrax.
    const ex = purposeSummary(lookup(animals), 'export', RULES);
    expect(ex.ready).toBe(false);
    expect(ex.failing.map((f) => [f.animal.tag, f.failures.map((c) => c.disease)])).toEqual([
      ['A', ['SGP', 'ANTHRAX']],
      ['B', ['SGP', 'ANTHRAX']],
    ]);
  });

  it('takes what is asked from the rules it is given, for the species each rule names', () => {
    const rules: MovementRule[] = [
      { name: 'only-goats', purpose: 'slaughter', scope: '', species: ['goat'], diseases: ['PPR'], max_age_days: 0 },
      { name: 'anthrax-all', purpose: 'slaughter', scope: '', species: [], diseases: ['ANTHRAX'], max_age_days: 0 },
      { name: 'sale-only', purpose: 'sale', scope: '', species: [], diseases: ['SGP'], max_age_days: 0 },
    ];
    const goat: LookupAnimal = { id: nextId++, kind: 'flock', tag: null, species: 'goat', head_count: 30, coverage: sheepCov('never', 'never', 'covered') };
    const ram = sheep('R', sheepCov('never', 'never', 'covered'));
    const s = purposeSummary(lookup([ram, goat]), 'slaughter', rules);
    expect(s.diseases.map((d) => [d.disease, d.covered_head, d.head, d.state])).toEqual([
      ['PPR', 0, 30, 'none'],
      ['ANTHRAX', 31, 31, 'covered'],
    ]);
    expect(s.failing.map((f) => [f.animal.species, f.failures.map((c) => c.disease)])).toEqual([['goat', ['PPR']]]);
  });

  it('skips a disease the lookup does not list for the species (PPR for cattle), and is not ready with no animals', () => {
    const cow: LookupAnimal = { id: nextId++, kind: 'animal', tag: 'C', species: 'cattle', head_count: 1, coverage: [cov('FMD-O', 'covered', '2026-09-01'), cov('FMD-A', 'covered', '2026-09-01'), cov('ANTHRAX', 'never')] };
    expect(askedOf(RULES, 'slaughter', 'cattle', cow.coverage).map((a) => a.disease)).toEqual(['FMD-O', 'FMD-A']);
    expect(purposeSummary(lookup([cow]), 'slaughter', RULES).ready).toBe(true);
    expect(purposeSummary(lookup([]), 'slaughter', RULES).ready).toBe(false);
    expect(purposeSummary(lookup([]), 'slaughter', RULES).diseases).toEqual([]);
  });

  it('fails a covered animal whose dose is older than a rule allows', () => {
    const rules: MovementRule[] = [{ name: 'fresh-ppr', purpose: 'slaughter', scope: '', species: [], diseases: ['PPR'], max_age_days: 60 }];
    const fresh = sheep('F', [cov('PPR', 'covered', '2026-10-15')]);
    const old = sheep('O', [cov('PPR', 'covered', '2026-09-01')]);
    const s = purposeSummary(lookup([fresh, old]), 'slaughter', rules);
    expect(s.diseases.map((d) => [d.disease, d.covered_head, d.head])).toEqual([['PPR', 1, 2]]);
    expect(s.failing.map((f) => f.animal.tag)).toEqual(['O']);
    expect(meets(cov('PPR', 'covered', '2026-09-30'), 60, TODAY)).toBe(true);
    expect(meets(cov('PPR', 'covered', '2026-09-29'), 60, TODAY)).toBe(false);
    expect(meets(cov('PPR', 'overdue', '2026-11-01'), 0, TODAY)).toBe(false);
  });
});
