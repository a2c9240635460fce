// The vaccinator's decisions (vaccinator_state.ts), run in node against fakes: a scripted API, the
// phone's stores in memory, an outbox that records what it is given, a fixed clock.
import { describe, expect, it } from 'vitest';
import { ApiError, OfflineError, TimeoutError } from '../api';
import { typeBatch, typeDose } from '../batch';
import type { OutboxRecord } from '../db';
import { DraftKeeper, type DraftPort } from '../draft';
import type { SyncState } from '../sync';
import type { Catalogue } from '../wire';
import { normaliseTag, VaccinatorState, type VaccinatorPorts } from './vaccinator_state';

const CATALOGUE: Catalogue = {
  species: [
    { code: 'cattle', name: 'Cattle', flock_only: false },
    { code: 'sheep', name: 'Sheep', flock_only: false },
    { code: 'poultry', name: 'Poultry', flock_only: true },
  ],
  diseases: [
    { code: 'FMD-O', name: 'FMD O', immunity_days: 180, species: ['cattle', 'sheep'] },
    { code: 'FMD-A', name: 'FMD A', immunity_days: 180, species: ['cattle', 'sheep'] },
    { code: 'PPR', name: 'PPR', immunity_days: 1095, species: ['sheep'] },
  ],
  vaccines: [
    { code: 'FMD-OA', name: 'FMD O+A', maker: 'X', diseases: ['FMD-O', 'FMD-A'] },
    { code: 'FMD-O1', name: 'FMD O', maker: 'Y', diseases: ['FMD-O'] },
    { code: 'PPR-LIVE', name: 'PPR live', maker: 'Z', diseases: ['PPR'] },
  ],
};

const TAG1 = '398000000000001';
const TAG2 = '398000000000002';
const IDLE: SyncState = { running: false, attempt: 0 };

type Answer = unknown | Error;

// A world of fakes; `answers` maps a GET path to what the server says (an Error is thrown).
function world(answers: Record<string, Answer> = {}) {
  const requests: string[] = [];
  const kv = new Map<string, unknown>([['catalogue', CATALOGUE]]);
  const owners: Record<string, unknown>[] = [];
  const added: { records: Record<string, unknown>[]; kv: { key: string; value: unknown }[] }[] = [];
  const outbox: OutboxRecord[] = [];
  const syncs: boolean[] = [];
  const discarded: string[] = [];
  const draftStore = new Map<string, unknown>();
  const draftPort: DraftPort = {
    get: async (k) => draftStore.get(k),
    set: async (k, v) => void draftStore.set(k, v),
    delete: async (k) => void draftStore.delete(k),
  };
  let n = 0;
  const ports: VaccinatorPorts = {
    getJson: async <T>(path: string) => {
      requests.push(path);
      const a = path in answers ? answers[path] : new OfflineError();
      if (a instanceof Error) throw a;
      return a as T;
    },
    kv: { get: async <T>(k: string) => kv.get(k) as T | undefined, set: async (k, v) => void kv.set(k, v) },
    owners: { all: async () => owners, put: async (o) => void owners.push(o) },
    outbox: {
      list: async () => outbox,
      add: async (records, entries) => void added.push({ records, kv: entries }),
      deviceId: async () => 'device-1',
      sync: async (manual) => void syncs.push(manual),
      resend: async () => {},
      discard: async (id) => void discarded.push(id),
      exportUnsent: async () => ({ text: '', count: 0 }),
      importUnsent: async () => ({ added: 0, skipped: 0 }),
    },
    drafts: new DraftKeeper('u1', draftPort),
    rememberedSpecies: () => ({ tag: null, flock: null }),
    now: () => new Date(2026, 10, 29, 10, 0, 0), // 29 November 2026, local time
    newId: () => `id-${++n}`,
  };
  const st = new VaccinatorState(ports, IDLE);
  return { st, requests, kv, owners, added, outbox, syncs, discarded, draftStore };
}

// An owner, two tagged cattle and a flock of 40 sheep, with the catalogue loaded.
async function readyVisit(w = world()) {
  const { st } = w;
  await st.loadCatalogue();
  st.owner = { typed: '8 701 555 12 34', e164: '+77015551234', name: 'Aigul', village: 'Kok-Zhar', id: 7, source: 'server' };
  st.ownerStage = 'chosen';
  st.tagSpecies = 'cattle';
  st.addTag(TAG1);
  st.addTag(TAG2);
  st.setMode('flock');
  st.flockSpecies = 'sheep';
  st.headCount = '40';
  st.addFlock();
  return w;
}

describe('vaccinator: ear tags and flocks', () => {
  it('takes a tag of 15 digits with separators, and refuses other text and the same tag twice', async () => {
    expect(normaliseTag('398 000-000.000 001')).toBe(TAG1);
    expect(normaliseTag('39800000000001')).toBeNull();
    expect(normaliseTag('39800000000000A')).toBeNull();
    const { st } = world();
    await st.loadCatalogue();
    st.tagSpecies = 'cattle';
    st.addTag('3980 0000 0000 001');
    expect(st.animals).toEqual([{ kind: 'tag', tag: TAG1, species: 'cattle' }]);
    st.addTag(TAG1);
    expect(st.animalError).toBe('vaccinator:animals.tag_twice');
    st.addTag('12');
    expect(st.animalError).toBe('vaccinator:animals.tag_invalid');
    expect(st.animals).toHaveLength(1);
  });

  it('keeps one flock per species: adding it again sets its head count', async () => {
    const { st } = await readyVisit();
    st.headCount = '55';
    st.addFlock();
    expect(st.animals.filter((a) => a.kind === 'flock')).toEqual([{ kind: 'flock', species: 'sheep', head_count: 55 }]);
    for (const bad of ['0', '1.5', '1000001', '']) {
      st.headCount = bad;
      st.addFlock();
      expect(st.animalError, bad).toBe('vaccinator:animals.count_invalid');
    }
  });

  it('says so when the camera read nothing', () => {
    const { st } = world();
    st.scanned(null);
    expect(st.animalError).toBe('vaccinator:animals.scan_none');
  });
});

describe('vaccinator: the product, batch and dose', () => {
  it('chooses the only vaccine of a disease, checks the other diseases it covers, and offers the last batch without filling it in', async () => {
    const w = await readyVisit();
    w.kv.set('batch_no:PPR-LIVE', 'P-77');
    await w.st.chooseDisease('PPR');
    expect(w.st.product.vaccine).toBe('PPR-LIVE');
    expect(w.st.product.suggestion).toBe('P-77');
    expect(w.st.product.batch).toBe('');
    await w.st.chooseDisease('FMD-O');
    // PPR-LIVE does not protect against FMD O: it goes, with its batch; two products remain to choose.
    expect(w.st.product.vaccine).toBe('');
    await w.st.chooseVaccine('FMD-OA');
    expect([...w.st.also]).toEqual(['FMD-A']);
  });

  it('refuses to save without a batch, or with one typed for another product', async () => {
    const { st, added } = await readyVisit();
    await st.chooseDisease('FMD-O');
    await st.chooseVaccine('FMD-O1');
    await st.save();
    expect(st.formError).toBe('vaccinator:vacc.batch_required');
    st.product = typeBatch(st.product, 'B-1');
    await st.chooseVaccine('FMD-OA');
    st.product = { ...st.product, batch: 'B-1' }; // the text stayed, not confirmed for FMD-OA
    await st.save();
    expect(st.formError).toBe('vaccinator:vacc.batch_unconfirmed');
    expect(added).toEqual([]);
  });

  it('refuses a dose of 0 or over 1000 ml and a date after tomorrow', async () => {
    const { st, added } = await readyVisit();
    await st.chooseDisease('PPR');
    st.product = typeBatch(st.product, 'P-1');
    for (const dose of ['0', '-1', '1000.5', 'x']) {
      st.product = typeDose(st.product, dose);
      await st.save();
      expect(st.formError, dose).toBe('vaccinator:vacc.dose_invalid');
    }
    st.product = typeDose(st.product, '');
    st.setDate('2026-12-01');
    await st.save();
    expect(st.formError).toBe('vaccinator:vacc.date_invalid');
    st.setDate('29.11.2026');
    await st.save();
    expect(st.formError).toBe('vaccinator:vacc.date_invalid');
    expect(added).toEqual([]);
    st.setDate('2026-11-30'); // tomorrow: a visit late in the evening across time zones
    await st.save();
    expect(st.formError).toBe('');
    expect(added).toHaveLength(1);
  });

  it('names the first thing missing, in the order of the form', async () => {
    const { st, added } = world();
    await st.loadCatalogue();
    await st.save();
    expect(st.formError).toBe('vaccinator:vacc.need_owner');
    st.owner = { typed: '+77015551234', name: 'A', village: '', source: 'new' };
    await st.save();
    expect(st.formError).toBe('vaccinator:vacc.need_animals');
    st.tagSpecies = 'cattle';
    st.addTag(TAG1);
    await st.save();
    expect(st.formError).toBe('vaccinator:vacc.pick_disease');
    st.disease = 'FMD-O';
    await st.save();
    expect(st.formError).toBe('vaccinator:vacc.pick_vaccine');
    // A disease none of the animals can have: nothing would be saved.
    st.disease = 'PPR';
    await st.chooseVaccine('PPR-LIVE');
    st.product = typeBatch(st.product, 'P-1');
    await st.save();
    expect(st.formError).toBe('vaccinator:vacc.need_animals');
    expect(added).toEqual([]);
  });
});

describe('vaccinator: save', () => {
  it('makes one record per disease and group and stores them with the emptied draft and the batch, in one call', async () => {
    const w = await readyVisit();
    const { st, added } = w;
    st.gps = { lat: 43.2389498765, lon: 76.8897123456, accuracy: 12 };
    await st.chooseDisease('FMD-O');
    await st.chooseVaccine('FMD-OA');
    st.product = typeDose(typeBatch(st.product, ' OA-2026-11 '), '2');
    expect(st.plannedRecords()).toHaveLength(4);
    await st.save();
    expect(st.formError).toBe('');
    expect(added).toHaveLength(1);
    const { records, kv } = added[0];
    expect(records.map((r) => [r.disease, r.species, r.animal_tags ?? r.head_count])).toEqual([
      ['FMD-O', 'cattle', [TAG1, TAG2]],
      ['FMD-O', 'sheep', 40],
      ['FMD-A', 'cattle', [TAG1, TAG2]],
      ['FMD-A', 'sheep', 40],
    ]);
    expect(records[0]).toEqual({
      id: 'id-1',
      owner_phone: '+77015551234',
      owner_name: 'Aigul',
      species: 'cattle',
      animal_tags: [TAG1, TAG2],
      disease: 'FMD-O',
      vaccine: 'FMD-OA',
      batch_no: 'OA-2026-11',
      dose_ml: 2,
      administered_on: '2026-11-29',
      lat: 43.23895,
      lon: 76.889712,
      device_id: 'device-1',
    });
    expect(new Set(records.map((r) => r.id)).size).toBe(4);
    // The draft written with the records holds the owner and animals but no vaccination.
    const draft = kv[0].value as { disease: string; product: { vaccine: string; batch: string }; animals: unknown[] };
    expect(draft.disease).toBe('');
    expect(draft.product.vaccine).toBe('');
    expect(draft.product.batch).toBe('');
    expect(draft.animals).toHaveLength(3);
    expect(kv[1]).toEqual({ key: 'batch_no:FMD-OA', value: 'OA-2026-11' });
    expect(st.saved).toEqual({ count: 4 });
    expect(st.disease).toBe('');
    expect(st.product.vaccine).toBe('');
  });

  it('leaves out a disease the user unchecked, and the dose when none is given', async () => {
    const { st, added } = await readyVisit();
    await st.chooseDisease('FMD-O');
    await st.chooseVaccine('FMD-OA');
    st.setAlso('FMD-A', false);
    st.product = typeBatch(st.product, 'B');
    await st.save();
    expect(added[0].records.map((r) => r.disease)).toEqual(['FMD-O', 'FMD-O']);
    expect(added[0].records.every((r) => !('dose_ml' in r) && !('lat' in r))).toBe(true);
  });
});

describe('vaccinator: the owner', () => {
  it('asks for a phone number before asking the server', async () => {
    const { st, requests } = world();
    st.phone = ' 12 ';
    await st.findOwner();
    expect(st.ownerFieldError).toBe('vaccinator:owner.phone_required');
    expect(requests).toEqual([]);
  });

  it('keeps an owner the server found on the phone, and offers a new one when the server knows none', async () => {
    const path = `/owners?phone=${encodeURIComponent('8 701 555 12 34')}`;
    const w = world({ [path]: { id: 7, phone: '+77015551234', name: 'Aigul', village: 'Kok-Zhar' } });
    w.st.phone = '8 701 555 12 34';
    await w.st.findOwner();
    expect(w.st.ownerStage).toBe('chosen');
    expect(w.st.owner).toMatchObject({ id: 7, e164: '+77015551234', source: 'server' });
    expect(w.owners).toEqual([{ phone: '+77015551234', typed: '8 701 555 12 34', e164: '+77015551234', id: 7, name: 'Aigul', village: 'Kok-Zhar' }]);

    const none = world({ [path]: new ApiError(404, { type: 'not-found' }) });
    none.st.phone = '8 701 555 12 34';
    await none.st.findOwner();
    expect(none.st.ownerStage).toBe('new');
    expect(none.st.ownerOffline).toBe(false);
  });

  it('with no answer, finds the owner this phone knows by the last nine digits, else says why it asks for a name', async () => {
    const w = world();
    w.owners.push({ phone: '+77015551234', e164: '+77015551234', typed: '+7 701 555 12 34', id: 7, name: 'Aigul', village: 'Kok-Zhar' });
    w.st.phone = '8 701 555 12 34';
    await w.st.findOwner();
    expect(w.st.owner).toEqual({ typed: '+7 701 555 12 34', name: 'Aigul', village: 'Kok-Zhar', id: 7, e164: '+77015551234', source: 'local' });

    // Fewer than nine digits are not a subscriber's number: no owner is guessed from its end.
    const short = world();
    short.owners.push({ phone: '+77015551234', e164: '+77015551234', typed: '+7 701 555 12 34', id: 7, name: 'Aigul', village: '' });
    short.st.phone = '15551234';
    await short.st.findOwner();
    expect([short.st.owner, short.st.ownerStage]).toEqual([null, 'new']);

    const offline = world();
    offline.st.phone = '8 701 555 99 99';
    await offline.st.findOwner();
    expect([offline.st.ownerStage, offline.st.ownerOffline]).toEqual(['new', 'offline']);

    const path = `/owners?phone=${encodeURIComponent('8 701 555 99 99')}`;
    const slow = world({ [path]: new TimeoutError(15_000) });
    slow.st.phone = '8 701 555 99 99';
    await slow.st.findOwner();
    expect([slow.st.ownerStage, slow.st.ownerOffline]).toEqual(['new', 'timeout']);
  });

  it('with no answer and an owner this phone never met, finds them in the field copy (W10)', async () => {
    const w = world();
    const asked: string[] = [];
    w.st['ports'].copyOwner = async (typed) => {
      asked.push(typed);
      return typed.endsWith('12 34') ? { phone: '+77015551234', typed: '+77015551234', e164: '+77015551234', id: 9, name: 'Dana', village: 'Ak' } : null;
    };
    w.st.phone = '8 701 555 12 34';
    await w.st.findOwner();
    expect(w.st.owner).toEqual({ typed: '+77015551234', name: 'Dana', village: 'Ak', id: 9, e164: '+77015551234', source: 'local' });
    expect(w.st.ownerStage).toBe('chosen');
    // An owner the phone met comes first; the copy is not asked.
    const met = world();
    met.owners.push({ phone: '+77015551234', e164: '+77015551234', typed: '+7 701 555 12 34', id: 7, name: 'Aigul', village: '' });
    met.st['ports'].copyOwner = async (typed) => {
      asked.push(`met ${typed}`);
      return null;
    };
    met.st.phone = '8 701 555 12 34';
    await met.st.findOwner();
    expect(met.st.owner?.id).toBe(7);
    expect(asked).toEqual(['8 701 555 12 34']);
  });

  it('keeps a new owner with a village for registration before the first batch', async () => {
    const w = world();
    w.st.phone = '+77015550000';
    await w.st.createOwner();
    expect(w.st.ownerFieldError).toBe('vaccinator:owner.name_required');
    w.st.newName = ' Berik ';
    w.st.newVillage = 'Ak-Su';
    await w.st.createOwner();
    expect(w.owners).toEqual([{ phone: '+77015550000', typed: '+77015550000', name: 'Berik', village: 'Ak-Su', local: true, register: true }]);
  });
});

describe('vaccinator: the outbox', () => {
  const rec = (state: OutboxRecord['state']): OutboxRecord => ({ id: `r-${state}`, state, created_at: '', attempts: 0, record: {} });

  it('syncs at start only when records wait and there is a network', async () => {
    const waiting = world();
    waiting.outbox.push(rec('pending'));
    await waiting.st.startOutbox(() => true);
    expect(waiting.syncs).toEqual([false]);

    const offline = world();
    offline.outbox.push(rec('pending'));
    await offline.st.startOutbox(() => false);
    const onlyRejected = world();
    onlyRejected.outbox.push(rec('rejected'));
    await onlyRejected.st.startOutbox(() => true);
    expect([offline.syncs, onlyRejected.syncs]).toEqual([[], []]);
  });

  it('discards a rejected record only when asked twice', async () => {
    const w = world();
    await w.st.discard('r1');
    expect(w.discarded).toEqual([]);
    expect(w.st.confirmDiscard).toBe('r1');
    await w.st.discard('r1');
    expect(w.discarded).toEqual(['r1']);
  });

  it('exports nothing when nothing waits, and says a bad file is bad', async () => {
    const w = world();
    expect(await w.st.exportUnsent()).toBeNull();
    expect(w.st.fileNotice).toEqual({ key: 'vaccinator:file.nothing' });
    await w.st.importUnsent(async () => {
      throw new Error('unreadable');
    });
    expect(w.st.fileError).toBe('vaccinator:file.bad');
  });
});
