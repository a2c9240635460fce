// The W2 coverage rule (coverage.ts coverageOf, ownerCoverage): the cases of
// tests/domain/coverage_test.cpp, which the server's rule passes, with the same dates and answers.
import { describe, expect, it } from 'vitest';
import { coverageOf, ownerCoverage, type CoverageCatalogue, type CoverageDose, type CoverageUnit } from './coverage';

const CAT: CoverageCatalogue = {
  diseases: [
    { code: 'FMD-O', name: 'FMD O', immunity_days: 180, species: ['cattle', 'sheep', 'goat'] },
    { code: 'FMD-A', name: 'FMD A', immunity_days: 180, species: ['cattle', 'sheep', 'goat'] },
    { code: 'ANTHRAX', name: 'Anthrax', immunity_days: 365, species: ['cattle', 'horse'] },
    { code: 'RABIES', name: 'Rabies', immunity_days: 365, species: ['horse', 'dog'] },
    { code: 'SGP', name: 'Sheep pox', immunity_days: 365, species: ['sheep'] },
  ],
  vaccines: [
    { code: 'FMD-OA-INACT', diseases: ['FMD-O', 'FMD-A'] },
    { code: 'FMD-O-INACT', diseases: ['FMD-O'] },
  ],
};
const disease = (code: string) => CAT.diseases.find((d) => d.code === code)!;
const unit = (id: number, species: string, flock = false, head_count = flock ? 40 : 1, alive = true): CoverageUnit => ({ id, flock, species, head_count, alive });
const dose = (ids: number[], d: string, on: string, voided = false, head_count = 1, vaccine = 'X'): CoverageDose => ({
  animal_ids: ids,
  head_count,
  disease: d,
  vaccine,
  administered_on: on,
  voided,
});

describe('coverageOf (domain/coverage.cpp CoverageOf)', () => {
  it('is never without doses', () => {
    expect(coverageOf(disease('FMD-O'), unit(1, 'sheep'), [], '2026-01-01')).toEqual({
      disease: 'FMD-O',
      disease_name: 'FMD O',
      status: 'never',
      last_dose: null,
      covered_until: null,
      overdue_since: null,
    });
  });
  it('covers the dose day itself, through immunity_days - 1 after it, and is overdue the day after', () => {
    const vs = [dose([1], 'FMD-O', '2026-01-01')];
    expect(coverageOf(disease('FMD-O'), unit(1, 'sheep'), vs, '2026-01-01')).toMatchObject({ status: 'covered', covered_until: '2026-06-29', overdue_since: null });
    expect(coverageOf(disease('FMD-O'), unit(1, 'sheep'), vs, '2026-06-29').status).toBe('covered');
    expect(coverageOf(disease('FMD-O'), unit(1, 'sheep'), vs, '2026-06-30')).toMatchObject({
      status: 'overdue',
      overdue_since: '2026-06-30',
      last_dose: '2026-01-01',
      covered_until: null,
    });
  });
  it('counts a year across a leap day', () => {
    const vs = [dose([1], 'ANTHRAX', '2024-02-01')];
    expect(coverageOf(disease('ANTHRAX'), unit(1, 'horse'), vs, '2025-01-30').status).toBe('covered');
    expect(coverageOf(disease('ANTHRAX'), unit(1, 'horse'), vs, '2025-01-31')).toMatchObject({ status: 'overdue', overdue_since: '2025-01-31' });
  });
  it('takes the latest dose whatever the order', () => {
    const vs = [dose([1], 'FMD-O', '2026-03-01'), dose([1], 'FMD-O', '2025-06-01'), dose([1], 'FMD-O', '2025-12-01')];
    expect(coverageOf(disease('FMD-O'), unit(1, 'cattle'), vs, '2026-04-01')).toMatchObject({ status: 'covered', last_dose: '2026-03-01', covered_until: '2026-08-27' });
  });
  it('ignores voided doses, doses after today, other diseases and other animals', () => {
    const voided = [dose([1], 'FMD-O', '2025-01-01'), dose([1], 'FMD-O', '2026-03-01', true)];
    expect(coverageOf(disease('FMD-O'), unit(1, 'cattle'), voided, '2026-04-01')).toMatchObject({ status: 'overdue', last_dose: '2025-01-01', overdue_since: '2025-06-30' });
    expect(coverageOf(disease('FMD-O'), unit(1, 'cattle'), [dose([1], 'FMD-O', '2026-03-01', true)], '2026-04-01').status).toBe('never');
    const later = [dose([1], 'FMD-O', '2025-01-01'), dose([1], 'FMD-O', '2026-05-01')];
    expect(coverageOf(disease('FMD-O'), unit(1, 'cattle'), later, '2026-04-01')).toMatchObject({ status: 'overdue', last_dose: '2025-01-01' });
    const others = [dose([1], 'FMD-A', '2026-03-01'), dose([2, 3], 'FMD-O', '2026-03-01')];
    expect(coverageOf(disease('FMD-O'), unit(1, 'cattle'), others, '2026-04-01').status).toBe('never');
    expect(coverageOf(disease('FMD-O'), unit(3, 'cattle'), others, '2026-04-01').status).toBe('covered');
  });
  it('lets a vaccine product cover every disease it names, with the catalogue only', () => {
    const bivalent = dose([1], 'FMD-O', '2026-10-01', false, 1, 'FMD-OA-INACT');
    const mono = dose([1], 'FMD-O', '2026-10-01', false, 1, 'FMD-O-INACT');
    expect(coverageOf(disease('FMD-A'), unit(1, 'sheep'), [bivalent], '2026-11-29', CAT).status).toBe('covered');
    expect(coverageOf(disease('FMD-A'), unit(1, 'sheep'), [bivalent], '2026-11-29').status).toBe('never');
    expect(coverageOf(disease('FMD-A'), unit(1, 'sheep'), [mono], '2026-11-29', CAT).status).toBe('never');
  });
  it('covers a flock only while its newest doses reach its head count', () => {
    const one = coverageOf(disease('SGP'), unit(5, 'sheep', true, 120), [dose([5], 'SGP', '2026-11-01', false, 1)], '2026-11-29');
    expect(one).toMatchObject({ status: 'overdue', overdue_since: null, last_dose: '2026-11-01' });
    const both = coverageOf(disease('SGP'), unit(5, 'sheep', true, 120), [dose([5], 'SGP', '2026-11-01', false, 70), dose([5], 'SGP', '2026-11-03', false, 50)], '2026-11-29');
    expect(both).toMatchObject({ status: 'covered', covered_until: '2027-10-31', last_dose: '2026-11-03' });
  });
});

describe('ownerCoverage (domain/coverage.cpp ComputeOwnerCoverage)', () => {
  it('is covered when every unit is, until the earliest, and lists each disease of the species in catalogue order', () => {
    const oc = ownerCoverage(CAT, [unit(1, 'horse'), unit(2, 'horse')], [dose([1], 'ANTHRAX', '2026-03-01'), dose([2], 'ANTHRAX', '2026-01-15')], '2026-04-01');
    expect(oc.diseases.map((d) => [d.disease, d.status])).toEqual([
      ['ANTHRAX', 'covered'],
      ['RABIES', 'never'],
    ]);
    expect(oc.diseases[0]).toMatchObject({ covered_until: '2027-01-14', last_dose: '2026-03-01', overdue_since: null });
  });
  it('is overdue when any unit lapsed (since the earliest lapse) or never had a dose (no date)', () => {
    const lapsed = ownerCoverage(CAT, [unit(1, 'cattle'), unit(2, 'cattle'), unit(3, 'cattle')], [dose([1], 'FMD-O', '2026-03-01'), dose([2], 'FMD-O', '2025-05-01'), dose([3], 'FMD-O', '2025-03-01')], '2026-04-01');
    expect(lapsed.diseases[0]).toMatchObject({ disease: 'FMD-O', status: 'overdue', overdue_since: '2025-08-28', covered_until: null, last_dose: '2026-03-01' });
    expect(lapsed.units[0][0].status).toBe('covered');
    expect(lapsed.units[1][0].status).toBe('overdue');
    const never = ownerCoverage(CAT, [unit(1, 'cattle'), unit(2, 'cattle')], [dose([1], 'FMD-O', '2026-03-01')], '2026-04-01');
    expect(never.diseases[0]).toMatchObject({ status: 'overdue', overdue_since: null, covered_until: null });
  });
  it('leaves ended animals out of the owner figure but keeps their own', () => {
    const oc = ownerCoverage(CAT, [unit(1, 'cattle'), unit(2, 'cattle', false, 1, false)], [dose([1], 'FMD-O', '2026-03-01')], '2026-04-01');
    expect(oc.diseases[0]).toMatchObject({ disease: 'FMD-O', status: 'covered' });
    expect(oc.units[1][0].status).toBe('never');
  });
});
