// The W2 coverage rule's cases are in tests/data/coverage_cases.json, which coverage_cases.test.ts
// runs through coverage.ts and tests/domain/coverage_cases_test.cpp through the server's rule. Here
// only what the table does not check: the whole shape of the TypeScript result (no other key than
// the screens read, disease_name from the catalogue, nulls rather than missing dates).
import { describe, expect, it } from 'vitest';
import { coverageOf, ownerCoverage, type CoverageCatalogue, type CoverageUnit } from './coverage';

const CAT: CoverageCatalogue = {
  diseases: [
    { code: 'FMD-O', name: 'FMD O', immunity_days: 180, species: ['cattle', 'sheep', 'goat'] },
    { code: 'RABIES', name: 'Rabies', immunity_days: 365, species: ['horse', 'dog'] },
  ],
  vaccines: [],
};
const sheep: CoverageUnit = { id: 1, flock: false, species: 'sheep', head_count: 1, alive: true };

describe('coverage.ts result shape', () => {
  it('gives a unit exactly the fields the screens read, with nulls for no date', () => {
    expect(coverageOf(CAT.diseases[0], sheep, [], '2026-01-01')).toEqual({
      disease: 'FMD-O',
      disease_name: 'FMD O',
      status: 'never',
      last_dose: null,
      covered_until: null,
      overdue_since: null,
    });
  });
  it('gives the owner the same shape, units as one list of diseases per unit in the order given', () => {
    const dose = { animal_ids: [1], head_count: 1, disease: 'FMD-O', vaccine: 'X', administered_on: '2026-01-01', voided: false };
    const oc = ownerCoverage(CAT, [sheep, { ...sheep, id: 2, species: 'horse' }], [dose], '2026-01-01');
    expect(oc).toEqual({
      units: [
        [{ disease: 'FMD-O', disease_name: 'FMD O', status: 'covered', last_dose: '2026-01-01', covered_until: '2026-06-29', overdue_since: null }],
        [{ disease: 'RABIES', disease_name: 'Rabies', status: 'never', last_dose: null, covered_until: null, overdue_since: null }],
      ],
      diseases: [
        { disease: 'FMD-O', disease_name: 'FMD O', status: 'covered', last_dose: '2026-01-01', covered_until: '2026-06-29', overdue_since: null },
        { disease: 'RABIES', disease_name: 'Rabies', status: 'never', last_dose: null, covered_until: null, overdue_since: null },
      ],
    });
  });
});
