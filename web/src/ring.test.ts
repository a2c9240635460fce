// The ring list's state (ring.ts) without a browser: rows in the server's order, counts per ring,
// the zone id of the page, and the load's outcomes.
import { describe, expect, it } from 'vitest';
import { ApiError, OfflineError } from './api';
import { RingState, parseZoneId, ringCounts, ringCsvName, ringRows, type RingHolding, type RingList, type RingPorts, type RingUnit } from './ring';

const owner = { masked: false, id: 7, name: 'Bolat Seitkali', phone: '+77051234567', village: null, authority: 'KZ-ABY' };

function unit(id: number, status: RingUnit['status'], covered_until: string | null = null): RingUnit {
  return { animal_id: id, tag: `398${String(id).padStart(12, '0')}`, species: 'cattle', head: 1, owner, status, covered_until, last_dose: null, overdue_since: null };
}

function holding(id: number, ring: RingHolding['ring'], units: RingUnit[]): RingHolding {
  return {
    ring,
    distance_m: id * 1000,
    holding: { id, code: `H${id}`, name: `Farm ${id}`, kind: 'farm', authority: 'KZ-ABY', lat: 47, lon: 71 },
    owner: { ...owner, name: 'Holder' },
    head: units.length,
    head_uncovered: units.filter((u) => u.status !== 'covered').length,
    units,
  };
}

const LIST: RingList = {
  zone: { id: 12, disease: 'FMD-O', species: ['cattle'], starts_on: '2026-12-01', ends_on: '2026-12-31', authority: 'KZ-ABY' },
  disease: 'FMD-O',
  disease_name: 'FMD O',
  today: '2026-12-07',
  truncated: false,
  head: 3,
  head_uncovered: 1,
  holdings: [holding(3, 'protection', [unit(31, 'never'), unit(32, 'covered', '2027-05-19')]), holding(1, 'protection', []), holding(8, 'surveillance', [unit(81, 'covered', '2027-06-01')])],
};

describe('ring list rows', () => {
  it('keeps the server order, one row per unit and one per holding with none', () => {
    const rows = ringRows(LIST);
    expect(rows.map((r) => r.key)).toEqual(['3:31', '3:32', '1:-', '8:81']);
    expect(rows.map((r) => r.first)).toEqual([true, false, true, true]);
    expect(rows.map((r) => r.firstOfRing)).toEqual([true, false, false, true]);
    expect(rows.map((r) => r.uncovered)).toEqual([true, false, false, false]);
    // A unit's row names its owner; a holding's own row the holding's.
    expect(rows[0].owner?.name).toBe('Bolat Seitkali');
    expect(rows[2].owner?.name).toBe('Holder');
  });

  it('counts the holdings of each ring', () => {
    expect(ringCounts(LIST)).toEqual([
      { ring: 'protection', holdings: 2 },
      { ring: 'surveillance', holdings: 1 },
    ]);
    expect(ringCounts({ ...LIST, holdings: [] })).toEqual([]);
  });

  it('reads the zone id of the page and names the file', () => {
    expect(parseZoneId('12')).toBe(12);
    for (const bad of [null, '', '0', '-3', '1.5', 'abc', '12abc', '01']) expect(parseZoneId(bad)).toBeNull();
    expect(ringCsvName(LIST)).toBe('ring-zone-12-2026-12-07.csv');
  });
});

describe('ring list state', () => {
  const ports = (answer: () => Promise<unknown>, paths: string[] = []): RingPorts => ({
    getJson: <T>(path: string) => {
      paths.push(path);
      return answer() as Promise<T>;
    },
    getText: (path: string) => {
      paths.push(path);
      return Promise.resolve('ring,distance_km\r\n');
    },
  });

  it('loads the zone and then its CSV from the server', async () => {
    const paths: string[] = [];
    const st = new RingState(ports(() => Promise.resolve(LIST), paths));
    await st.load(12);
    expect(st.status).toBe('ready');
    expect(st.list?.zone.id).toBe(12);
    expect(await st.csv()).toBe('ring,distance_km\r\n');
    expect(paths).toEqual(['/zones/12/ring', '/zones/12/ring?format=csv']);
  });

  it('says offline with no answer, and error with a refusal', async () => {
    const off = new RingState(ports(() => Promise.reject(new OfflineError())));
    await off.load(12);
    expect(off.status).toBe('offline');
    expect(off.list).toBeNull();
    const refused = new RingState(ports(() => Promise.reject(new ApiError(404, { title: 'no zone' }))));
    await refused.load(12);
    expect(refused.status).toBe('error');
    expect((refused.error as ApiError).status).toBe(404);
    await expect(refused.csv()).rejects.toBeInstanceOf(ApiError);
  });
});
