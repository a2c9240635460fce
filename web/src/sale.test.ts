import { describe, expect, it } from 'vitest';
import { earlierOwner, soldUnits } from './sale';
import type { LookupResult, LookupVaccination } from './wire';

const dose = (extra: Partial<LookupVaccination>): LookupVaccination => ({
  id: 'v1',
  animal_ids: [7],
  species: 'sheep',
  head_count: 1,
  disease: 'PPR',
  vaccine: 'PPR-LIVE',
  batch_no: 'B1',
  dose_ml: 1,
  administered_on: '2026-11-20',
  voided: false,
  ...extra,
});

const lookup = (extra: Partial<LookupResult>): LookupResult => ({
  owner: { id: 1, phone: '+77010000001', name: 'Buyer', village: '', authority: 'KZ-ALM' } as LookupResult['owner'],
  today: '2026-12-06',
  since: '2023-12-06',
  coverage: [],
  animals: [],
  vaccinations: [],
  ...extra,
});

describe('earlierOwner', () => {
  it('names the earlier owner of a dose given before the sale, masked, with the day of the sale', () => {
    expect(earlierOwner(dose({ owner_id: null, previous_owner: { masked_name: 'S**** T********', sold_on: '2026-12-04' } }))).toEqual({
      masked_name: 'S**** T********',
      sold_on: '2026-12-04',
    });
  });

  it('says nothing of the owner’s own dose', () => {
    expect(earlierOwner(dose({ owner_id: 12 }))).toBeNull();
    // As kept on the phone by an earlier version: no owner_id at all.
    expect(earlierOwner(dose({}))).toBeNull();
  });

  it('does not name anyone for a dose with owner_id null and no earlier owner', () => {
    expect(earlierOwner(dose({ owner_id: null }))).toBeNull();
  });
});

describe('soldUnits', () => {
  it('lists what was sold newest first, then by tag', () => {
    const r = lookup({
      sold: [
        { animal_id: 1, tag: 'KZ2', species: 'sheep', head: 1, sold_on: '2026-11-01' },
        { animal_id: 2, tag: 'KZ9', species: 'sheep', head: 1, sold_on: '2026-12-01' },
        { animal_id: 3, tag: 'KZ1', species: 'sheep', head: 1, sold_on: '2026-12-01' },
      ],
    });
    expect(soldUnits(r).map((s) => s.tag)).toEqual(['KZ1', 'KZ9', 'KZ2']);
    // The answer itself is left as it was.
    expect(r.sold?.map((s) => s.tag)).toEqual(['KZ2', 'KZ9', 'KZ1']);
  });

  it('is empty when the lookup does not say (a lookup kept by an earlier version)', () => {
    expect(soldUnits(lookup({}))).toEqual([]);
  });
});
