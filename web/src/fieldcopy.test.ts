// The field copy on the phone (fieldcopy.ts) with a store in memory: a full copy replaces, a
// refresh applies new, voided, moved and sold rows, an owner gone from the district goes with all of
// theirs, a copy cut short changes nothing, an expired copy or another user's is wiped and never
// answered from, and the W2 answer from the copy.
import { describe, expect, it } from 'vitest';
import {
  applyCopy,
  expired,
  keepDays,
  lookupFromCopy,
  ownerFromCopy,
  parseCopy,
  usableCopy,
  type CopyMeta,
  type CopyRow,
  type OwnerBundle,
  type CopyStorePort,
} from './fieldcopy';
import type { Catalogue } from './wire';

class MemoryCopyStore implements CopyStorePort {
  bundles = new Map<number, OwnerBundle>();
  metaValue: CopyMeta | undefined;
  async meta() {
    return this.metaValue && structuredClone(this.metaValue);
  }
  async bundle(ownerId: number) {
    const b = this.bundles.get(ownerId);
    return b && structuredClone(b);
  }
  async bundlesByPhone9(phone9: string) {
    return [...this.bundles.values()].filter((b) => b.phone9 === phone9).map((b) => structuredClone(b));
  }
  async commit(c: { replace: boolean; del: number[]; put: OwnerBundle[]; meta: CopyMeta }) {
    if (c.replace) this.bundles.clear();
    for (const k of c.del) this.bundles.delete(k);
    for (const b of c.put) this.bundles.set(b.owner_id, structuredClone(b));
    this.metaValue = structuredClone(c.meta);
  }
  async wipe() {
    this.bundles.clear();
    this.metaValue = undefined;
  }
  // Every row kept, as "owner id/key", sorted.
  keys(): string[] {
    return [...this.bundles.values()].flatMap((b) => Object.keys(b.rows).map((k) => `${b.owner_id}/${k}`)).sort();
  }
  row(ownerId: number, key: string): CopyRow | undefined {
    return this.bundles.get(ownerId)?.rows[key];
  }
  bytes(): number {
    return [...this.bundles.values()].flatMap((b) => Object.values(b.rows)).reduce((n, r) => n + r.size, 0);
  }
}

const WHO = { user_id: '4', authority: 'KZ-ABY' };
const NOW = new Date('2026-12-07T10:00:00Z');

const owner = (id: number, phone: string, authority = 'KZ-ABY-01') => ({ type: 'owner', id, phone, name: `Owner ${id}`, village: 'Ak', authority });
const animal = (id: number, owner_id: number, extra: Record<string, unknown> = {}) => ({
  type: 'animal',
  id,
  owner_id,
  kind: 'animal',
  tag: `39800000000${id}`,
  species: 'cattle',
  head_count: 1,
  status: 'alive',
  holding_id: 5,
  ...extra,
});
const vacc = (id: string, owner_id: number, animal_ids: number[], on: string, voided = false) => ({
  type: 'vaccination',
  id,
  owner_id,
  animal_ids,
  species: 'cattle',
  head_count: 1,
  disease: 'FMD-O',
  vaccine: 'FMD-O-INACT',
  batch_no: 'B',
  dose_ml: 2,
  administered_on: on,
  voided,
});
const cert = (id: string, owner_id: number, status: string) => ({ type: 'certificate', id, number: `N-${id}`, owner_id, status });
const end = (cursor: string, incremental: boolean) => ({ type: 'end', cursor, incremental, taken_at: '2026-12-07T09:59:59Z', counts: {} });
const ndjson = (...lines: object[]) => lines.map((l) => JSON.stringify(l) + '\n').join('');

const FULL = ndjson(
  owner(1, '+77011112233'),
  animal(10, 1),
  animal(11, 1),
  vacc('v1', 1, [10], '2026-11-01'),
  vacc('v2', 1, [11], '2026-11-02'),
  cert('c1', 1, 'issued'),
  owner(2, '+77014445566'),
  animal(20, 2),
  end('fc1.100', false),
);

async function taken(): Promise<MemoryCopyStore> {
  const store = new MemoryCopyStore();
  await applyCopy(store, parseCopy(FULL), WHO, 900, NOW);
  return store;
}

const CATALOGUE: Catalogue = {
  species: [{ code: 'cattle', name: 'Cattle', flock_only: false }],
  diseases: [{ code: 'FMD-O', name: 'FMD O', immunity_days: 180, species: ['cattle'] }],
  vaccines: [{ code: 'FMD-O-INACT', name: 'FMD O', maker: 'X', diseases: ['FMD-O'] }],
};

describe('parseCopy', () => {
  it('refuses a copy cut short before its end line', () => {
    const cut = FULL.slice(0, FULL.lastIndexOf('{"type":"end"'));
    expect(() => parseCopy(cut)).toThrow('ended before its end line');
  });
  it('counts each line in bytes, newline included', () => {
    const p = parseCopy(ndjson(owner(1, '+77011112233'), end('fc1.1', false)));
    expect(p.lines[0].size).toBe(JSON.stringify(owner(1, '+77011112233')).length + 1);
    expect(p.end.cursor).toBe('fc1.1');
  });
});

describe('applyCopy', () => {
  it('keeps a full copy with its size, cursor and owner', async () => {
    const store = await taken();
    expect(store.keys()).toEqual([
      '1/animal:10',
      '1/animal:11',
      '1/certificate:c1',
      '1/owner:1',
      '1/vaccination:v1',
      '1/vaccination:v2',
      '2/animal:20',
      '2/owner:2',
    ]);
    const meta = (await store.meta())!;
    expect(meta).toMatchObject({ user_id: '4', authority: 'KZ-ABY', cursor: 'fc1.100', records: 8, last_transfer: 900, fetched_at: NOW.toISOString() });
    expect(meta.bytes).toBe(store.bytes());
    expect(store.bundles.get(1)!.phone9).toBe('011112233');
  });

  it('a full copy replaces what the phone held', async () => {
    const store = await taken();
    await applyCopy(store, parseCopy(ndjson(owner(3, '+77017778899'), end('fc1.200', false))), WHO, 50, NOW);
    expect(store.keys()).toEqual(['3/owner:3']);
    expect((await store.meta())!.records).toBe(1);
  });

  it('a refresh applies a new record, a voided one, an animal moved and a certificate used', async () => {
    const store = await taken();
    const refresh = ndjson(
      vacc('v3', 1, [10], '2026-12-01'),
      vacc('v1', 1, [10], '2026-11-01', true),
      animal(11, 1, { holding_id: 9 }),
      cert('c1', 1, 'consumed'),
      end('fc1.130', true),
    );
    const meta = await applyCopy(store, parseCopy(refresh), WHO, 120, NOW);
    expect(store.row(1, 'vaccination:v3')!.row.administered_on).toBe('2026-12-01');
    expect(store.row(1, 'vaccination:v1')!.row.voided).toBe(true);
    expect(store.row(1, 'animal:11')!.row.holding_id).toBe(9);
    expect(store.row(1, 'certificate:c1')!.row.status).toBe('consumed');
    expect(meta.records).toBe(9);
    expect(meta.cursor).toBe('fc1.130');
    expect(meta.bytes).toBe(store.bytes());
    expect(meta.first_taken_at).toBe(NOW.toISOString());
  });

  it('a sale inside the district moves the animal to its buyer; one outside removes it', async () => {
    const store = await taken();
    // Sold to owner 2 (in the copy): the new owner's line, then the old owner's removal.
    const inside = ndjson(animal(10, 2), { type: 'animal_removed', id: 10, owner_id: 1, reason: 'sold' }, end('fc1.140', true));
    await applyCopy(store, parseCopy(inside), WHO, 60, NOW);
    expect(store.keys().filter((k) => k.endsWith('/animal:10'))).toEqual(['2/animal:10']);
    // Sold to someone outside the district: only the removal comes.
    const outside = ndjson({ type: 'animal_removed', id: 11, owner_id: 1, reason: 'sold' }, end('fc1.150', true));
    const meta = await applyCopy(store, parseCopy(outside), WHO, 40, NOW);
    expect(store.keys().filter((k) => k.endsWith('/animal:11'))).toEqual([]);
    expect(meta.records).toBe(7);
    expect(meta.bytes).toBe(store.bytes());
  });

  it('an owner moved out of the district leaves with every record of theirs', async () => {
    const store = await taken();
    await applyCopy(store, parseCopy(ndjson(owner(1, '+77011112233', 'KZ-ALA'), end('fc1.160', true))), WHO, 30, NOW);
    expect(store.keys()).toEqual(['2/animal:20', '2/owner:2']);
    expect((await store.meta())!.records).toBe(2);
  });

  it('a refresh of a copy the phone does not hold changes nothing', async () => {
    const store = new MemoryCopyStore();
    await expect(applyCopy(store, parseCopy(ndjson(owner(1, '+77011112233'), end('fc1.2', true))), WHO, 10, NOW)).rejects.toThrow('does not hold');
    expect(store.keys()).toEqual([]);
    const held = await taken();
    await expect(applyCopy(held, parseCopy(ndjson(end('fc1.2', true))), { ...WHO, user_id: '5' }, 10, NOW)).rejects.toThrow('does not hold');
    expect((await held.meta())!.cursor).toBe('fc1.100');
  });
});

describe('expiry', () => {
  it('keepDays: 7 unless a whole number of days from 1, at most 30', () => {
    expect([keepDays(undefined), keepDays('x'), keepDays(0), keepDays(3), keepDays(3.9), keepDays(90)]).toEqual([7, 7, 7, 3, 3, 30]);
  });
  it('a copy expires `days` after its last take or refresh', async () => {
    const meta = (await (await taken()).meta())!;
    expect(expired(meta, 7, new Date(NOW.getTime() + 7 * 86_400_000 - 1))).toBe(false);
    expect(expired(meta, 7, new Date(NOW.getTime() + 7 * 86_400_000))).toBe(true);
    expect(expired(meta, 1, new Date(NOW.getTime() + 86_400_000))).toBe(true);
  });
  it('an expired copy is wiped and not answered from; a fresh one is', async () => {
    const store = await taken();
    const typed = '8 701 111 22 33';
    const fresh = await lookupFromCopy(store, typed, { user_id: '4', days: 7, catalogue: CATALOGUE }, new Date(NOW.getTime() + 6 * 86_400_000));
    expect(fresh?.result.owner.id).toBe(1);
    const late = await lookupFromCopy(store, typed, { user_id: '4', days: 7, catalogue: CATALOGUE }, new Date(NOW.getTime() + 7 * 86_400_000));
    expect(late).toBeNull();
    expect(store.keys()).toEqual([]);
    expect(await store.meta()).toBeUndefined();
  });
  it("another user's copy is wiped and not answered from", async () => {
    const store = await taken();
    expect(await usableCopy(store, '5', 7, NOW)).toBeNull();
    expect(store.keys()).toEqual([]);
  });
});

describe('lookupFromCopy', () => {
  it("answers the owner's animals with their coverage and the doses of the window, newest first", async () => {
    const store = await taken();
    await applyCopy(store, parseCopy(ndjson(vacc('v1', 1, [10], '2026-11-01', true), end('fc1.101', true))), WHO, 10, NOW);
    const answer = (await lookupFromCopy(store, '+7 701 111 22 33', { user_id: '4', days: 7, catalogue: CATALOGUE }, NOW))!;
    const r = answer.result;
    expect(r.owner).toEqual({ id: 1, phone: '+77011112233', name: 'Owner 1', village: 'Ak', authority: 'KZ-ABY-01' });
    expect(r.today).toBe('2026-12-07');
    expect(r.since).toBe('2023-12-07');
    expect(r.animals.map((a) => [a.id, a.coverage[0].status])).toEqual([
      [10, 'never'], // its only dose was voided
      [11, 'covered'],
    ]);
    expect(r.coverage).toEqual([{ disease: 'FMD-O', disease_name: 'FMD O', status: 'overdue', last_dose: '2026-11-02', covered_until: null, overdue_since: null }]);
    expect(r.vaccinations.map((v) => v.id)).toEqual(['v2', 'v1']);
    expect(answer.meta.cursor).toBe('fc1.101');
  });
  it('answers nothing for an owner not in the copy, or without a catalogue', async () => {
    const store = await taken();
    expect(await lookupFromCopy(store, '+77019990000', { user_id: '4', days: 7, catalogue: CATALOGUE }, NOW)).toBeNull();
    expect(await lookupFromCopy(store, '+77011112233', { user_id: '4', days: 7, catalogue: null }, NOW)).toBeNull();
  });
});

describe('ownerFromCopy', () => {
  it("gives the copy's owner in the shape the phone keeps owners, for this user's usable copy only", async () => {
    const store = await taken();
    expect(await ownerFromCopy(store, '8 701 444 55 66', '4', 7, NOW)).toEqual({
      phone: '+77014445566',
      typed: '+77014445566',
      e164: '+77014445566',
      id: 2,
      name: 'Owner 2',
      village: 'Ak',
    });
    expect(await ownerFromCopy(store, '8 701 444 55 00', '4', 7, NOW)).toBeNull();
    expect(await ownerFromCopy(store, '55 66', '4', 7, NOW)).toBeNull();
    expect(await ownerFromCopy(store, '8 701 444 55 66', '4', 7, new Date(NOW.getTime() + 8 * 86_400_000))).toBeNull();
  });
});
