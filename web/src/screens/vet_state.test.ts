// The vet's decisions (vet_state.ts), run in node against fakes: a scripted API that records the
// requests, the phone's certificate store in memory, a fixed clock.
import { describe, expect, it } from 'vitest';
import { ApiError, OfflineError, TimeoutError } from '../api';
import type { Certificate, LookupResult } from '../wire';
import { VetState, type CertItem, type IssueFields, type VetPorts } from './vet_state';

const NOW = new Date('2026-11-29T10:00:00Z');

const LOOKUP: LookupResult = {
  owner: { id: 7, phone: '+77015551234', name: 'Aigul', village: 'Kok-Zhar', authority: 'KZ-ALM' },
  today: '2026-11-29',
  since: '2023-11-29',
  coverage: [],
  animals: [
    { id: 1, kind: 'animal', tag: '398000000000001', species: 'cattle', head_count: 1, coverage: [] },
    { id: 2, kind: 'animal', tag: '398000000000002', species: 'cattle', head_count: 1, coverage: [] },
    { id: 3, kind: 'flock', tag: null, species: 'sheep', head_count: 120, coverage: [] },
  ],
  vaccinations: [],
};

function cert(over: Partial<Certificate> = {}): Certificate {
  return {
    id: 'c-1',
    status: 'issued',
    hp1: 'HP1:XYZ',
    number: 'KZ-2026-000001',
    purpose: 'slaughter',
    species: 'cattle',
    head_count: 2,
    origin: 'KZ-ALM',
    origin_place: 'Kok-Zhar',
    destination: 'KZ-AST',
    destination_place: 'Astana',
    issued_at: '2026-11-29T09:00:00Z',
    valid_until: '2026-12-02T09:00:00Z',
    owner_masked_name: 'A***',
    ...over,
  };
}

const FORM: IssueFields = {
  purpose: 'slaughter',
  destination: ' KZ-AST ',
  destination_place: 'Astana',
  origin_place: 'Kok-Zhar',
  transport: 'truck 01 ABC 02',
  origin: '',
  valid_hours: '',
};

type Reply = unknown | Error | ((body: unknown) => unknown);

// `replies`: "METHOD path" to the answer (an Error is thrown; a function gets the body).
function world(replies: Record<string, Reply> = {}) {
  const requests: { method: string; path: string; body?: unknown }[] = [];
  const certs = new Map<string, CertItem & Record<string, unknown>>();
  const answer = (key: string, body?: unknown) => {
    const r = key in replies ? replies[key] : new OfflineError();
    if (r instanceof Error) throw r;
    return typeof r === 'function' ? (r as (b: unknown) => unknown)(body) : r;
  };
  const ports: VetPorts = {
    api: async <T>(method: 'GET' | 'POST', path: string, body?: unknown) => {
      requests.push({ method, path, body });
      return answer(`${method} ${path}`, body) as T;
    },
    apiText: async (path) => {
      requests.push({ method: 'GET', path });
      return answer(`GET ${path}`) as string;
    },
    certs: {
      get: async (id) => certs.get(id),
      put: async (item) => void certs.set(item.id, item),
      all: async () => [...certs.values()],
    },
    qrUrl: (svg) => `blob:${svg.length}`,
    now: () => NOW,
    kv: { get: async () => undefined, set: async () => {} },
  };
  return { st: new VetState(ports), requests, certs };
}

const LOOKUP_PATH = `GET /lookup?phone=${encodeURIComponent('+77015551234')}&years=3`;

async function withOwner(replies: Record<string, Reply> = {}) {
  const w = world({ [LOOKUP_PATH]: LOOKUP, ...replies });
  await w.st.findOwner('+77015551234');
  return w;
}

describe('vet: the movement rules before Issue', () => {
  const covered = (disease: string) => ({ disease, disease_name: disease, status: 'covered', last_dose: '2026-11-01', covered_until: '2027-05-01' });
  const never = (disease: string) => ({ disease, disease_name: disease, status: 'never' });
  const lookup: LookupResult = {
    ...LOOKUP,
    animals: [
      { id: 1, kind: 'animal', tag: '398000000000001', species: 'sheep', head_count: 1, coverage: [covered('FMD-O'), covered('PPR'), never('SGP')] },
      { id: 2, kind: 'animal', tag: '398000000000002', species: 'sheep', head_count: 1, coverage: [never('FMD-O'), covered('PPR'), covered('SGP')] },
    ],
  } as LookupResult;
  const rules = [
    { name: 'slaughter-fmd-ppr', purpose: 'slaughter', scope: '', species: [], diseases: ['FMD-O', 'PPR'], max_age_days: 0 },
    { name: 'export-sgp', purpose: 'export', scope: '', species: [], diseases: ['SGP'], max_age_days: 0 },
  ];
  const verdicts = (st: VetState) => [...(st.readiness() ?? new Map()).entries()].map(([id, r]) => [id, r.meets ? 'meets' : r.failures.map((c) => c.disease).join(',')]);

  it('says per animal whether it meets the rules of the purpose chosen, from the server catalogue', async () => {
    const w = world({ [LOOKUP_PATH]: lookup, 'GET /catalogue': { species: [], diseases: [], vaccines: [], movement_rules: rules } });
    await w.st.loadRules();
    await w.st.findOwner('+77015551234');
    expect(w.st.purpose).toBe('slaughter');
    expect(verdicts(w.st)).toEqual([[1, 'meets'], [2, 'FMD-O']]);
    expect(w.st.tallyOf(w.st.tagged())).toEqual({ meets: 1, of: 2 });
    w.st.choosePurpose('export');
    expect(verdicts(w.st)).toEqual([[1, 'SGP'], [2, 'meets']]);
    // No rule for grazing in this catalogue: nothing is asked, every animal may go.
    w.st.choosePurpose('grazing');
    expect(verdicts(w.st)).toEqual([[1, 'meets'], [2, 'meets']]);
  });

  it('gives no verdict while the rules are not known', async () => {
    const w = world({ [LOOKUP_PATH]: lookup });
    await w.st.loadRules();
    await w.st.findOwner('+77015551234');
    expect(w.st.rules).toBeNull();
    expect(w.st.readiness()).toBeNull();
    expect(w.st.tallyOf(w.st.tagged())).toBeNull();
  });
});

describe('vet: the owner', () => {
  it('chooses the first species the owner has and picks nothing', async () => {
    const { st } = await withOwner();
    expect(st.species).toBe('cattle');
    expect(st.tagged().map((a) => a.tag)).toEqual(['398000000000001', '398000000000002']);
    expect(st.flock()).toBeUndefined();
    st.pickAll();
    expect(st.selected.size).toBe(2);
    st.pickAll();
    expect(st.selected.size).toBe(0);
    st.pick('398000000000002', true);
    st.chooseSpecies('sheep');
    expect([st.selected.size, st.flock()?.head_count]).toEqual([0, 120]);
  });

  it('says why no owner came back: unknown, throttled, no network, or the error (a timeout too) as it is', async () => {
    const cases: [Error, unknown][] = [
      [new ApiError(404, { type: 'not-found' }), { key: 'vet:no_owner' }],
      [new ApiError(429, {}), { key: 'vet:throttled' }],
      [new OfflineError(), { key: 'vet:lookup_offline' }],
    ];
    for (const [err, said] of cases) {
      const { st } = world({ [LOOKUP_PATH]: err });
      await st.findOwner('+77015551234');
      expect(st.lookupError, err.message).toEqual(said);
      expect(st.lookupBusy).toBe(false);
    }
    for (const err of [new TimeoutError(15_000), new ApiError(400, { field: 'phone' }), new ApiError(500, {})]) {
      const { st } = world({ [LOOKUP_PATH]: err });
      await st.findOwner('+77015551234');
      expect([st.lookupError, st.lookup], err.message).toEqual([{ error: err }, null]);
    }
  });
});

describe('vet: issuing', () => {
  it('asks for animals before sending anything', async () => {
    const w = await withOwner();
    await w.st.issue(FORM);
    expect(w.st.issueError).toEqual({ key: 'vet:choose_animals' });
    expect(w.requests.filter((r) => r.method === 'POST')).toEqual([]);
    w.st.flockHeads = '0';
    await w.st.issue(FORM);
    expect(w.st.issueError).toEqual({ key: 'vet:choose_animals' });
  });

  it('sends the animals picked and the trimmed fields, and only the optional ones given', async () => {
    const w = await withOwner({ 'POST /certificates': cert(), 'GET /certificates/c-1/qr.svg': '<svg/>' });
    w.st.chooseSpecies('sheep');
    w.st.flockHeads = '30';
    await w.st.issue({ ...FORM, origin: ' KZ-ALM ', valid_hours: '48' });
    const post = w.requests.find((r) => r.method === 'POST');
    expect(post?.body).toEqual({
      owner_id: 7,
      species: 'sheep',
      animal_tags: [],
      head_count: 30,
      purpose: 'slaughter',
      destination: 'KZ-AST',
      destination_place: 'Astana',
      origin_place: 'Kok-Zhar',
      transport: 'truck 01 ABC 02',
      origin: 'KZ-ALM',
      valid_hours: 48,
    });
    const w2 = await withOwner();
    w2.st.pick('398000000000001', true);
    expect(w2.st.issueBody(FORM)).not.toHaveProperty('origin');
    expect(w2.st.issueBody(FORM)).not.toHaveProperty('valid_hours');
    expect(w2.st.issueBody(FORM)).not.toHaveProperty('head_count');
  });

  it('lists every rule that failed with the purpose asked for, and keeps the form', async () => {
    const failures = [
      { animal: '398000000000001', rule: 'slaughter', disease: 'FMD-O', state: 'never' },
      { animal: '398000000000002', rule: 'slaughter', disease: 'ANTHRAX', state: 'overdue', overdue_since: '2026-10-01' },
    ];
    const w = await withOwner({ 'POST /certificates': new ApiError(422, { type: 'failed-precondition', failures }) });
    w.st.pickAll();
    await w.st.issue(FORM);
    expect(w.st.failures).toEqual(failures);
    expect(w.st.failedPurpose).toBe('slaughter');
    expect(w.st.issueError).toBeNull();
    expect(w.st.lookup).not.toBeNull();
    expect(w.st.shown).toBeNull();
  });

  it('says no network when there is none, and shows a timeout or other refusal as it is', async () => {
    const off = await withOwner({ 'POST /certificates': new OfflineError() });
    off.st.pickAll();
    await off.st.issue(FORM);
    expect(off.st.issueError).toEqual({ key: 'vet:issue_offline' });
    const timeout = new TimeoutError(15_000);
    const slow = await withOwner({ 'POST /certificates': timeout });
    slow.st.pickAll();
    await slow.st.issue(FORM);
    expect(slow.st.issueError).toEqual({ error: timeout });
    const refused = new ApiError(422, { type: 'invalid-argument', field: 'destination' });
    const bad = await withOwner({ 'POST /certificates': refused });
    bad.st.pickAll();
    await bad.st.issue(FORM);
    expect([bad.st.issueError, bad.st.failures]).toEqual([{ error: refused }, null]);
  });

  it('shows the new certificate and keeps it on the phone with its QR code', async () => {
    const w = await withOwner({ 'POST /certificates': cert(), 'GET /certificates/c-1/qr.svg': '<svg>qr</svg>' });
    w.st.pickAll();
    await w.st.issue(FORM);
    expect(w.st.shown).toMatchObject({ id: 'c-1', number: 'KZ-2026-000001', qrUrl: 'blob:13', qrError: null, saved: true });
    expect(w.certs.get('c-1')).toMatchObject({ qr_svg: '<svg>qr</svg>', hp1: 'HP1:XYZ', saved_at: NOW.toISOString() });
    expect(w.st.items.map((i) => i.id)).toEqual(['c-1']);
    expect(w.st.lookup).toBeNull();
  });

  it('keeps a fresh certificate on the phone even when its QR code cannot be fetched', async () => {
    const w = await withOwner({ 'POST /certificates': cert() });
    w.st.pickAll();
    await w.st.issue(FORM);
    expect(w.st.shown).toMatchObject({ qrUrl: null, qrError: { key: 'vet:qr_offline' }, saved: true });
    expect(w.certs.get('c-1')).not.toHaveProperty('qr_svg');
  });
});

describe('vet: the recent certificates', () => {
  it("falls back to the phone's copies with no network, without an error, newest first", async () => {
    const w = world();
    w.certs.set('a', { id: 'a', number: 'N-A', status: 'issued', issued_at: '2026-11-01T00:00:00Z' });
    w.certs.set('b', { id: 'b', number: 'N-B', status: 'revoked', issued_at: '2026-11-20T00:00:00Z' });
    await w.st.loadList();
    expect([w.st.listSource, w.st.listError]).toEqual(['device', null]);
    expect(w.st.items.map((i) => i.id)).toEqual(['b', 'a']);
  });

  it('shows an unexpected error of the list, and still the copies', async () => {
    const err = new ApiError(500, {});
    const w = world({ 'GET /certificates?limit=30': err });
    w.certs.set('a', { id: 'a', number: 'N-A', status: 'issued' });
    await w.st.loadList();
    expect([w.st.listSource, w.st.listError, w.st.items.length]).toEqual(['device', { error: err }, 1]);
  });

  it('asks for the next page with the cursor and the filter, and keeps what is shown first', async () => {
    const w = world({
      'GET /certificates?limit=30&status=issued': { items: [{ id: 'a', number: 'N-A', status: 'issued' }], next_cursor: 'k1' },
      'GET /certificates?limit=30&status=issued&cursor=k1': { items: [{ id: 'b', number: 'N-B', status: 'issued' }], next_cursor: null },
    });
    w.st.listStatus = 'issued';
    await w.st.loadList();
    expect(w.st.nextCursor).toBe('k1');
    await w.st.loadList(true);
    expect(w.st.items.map((i) => i.id)).toEqual(['a', 'b']);
    expect(w.st.nextCursor).toBeNull();
  });

  it('calls an issued certificate whose validity has passed expired, and filters by that', async () => {
    const { st } = world();
    st.items = [
      { id: 'old', number: 'N-1', status: 'issued', valid_until: '2026-11-29T09:59:59Z' },
      { id: 'new', number: 'N-2', status: 'issued', valid_until: '2026-11-29T10:00:01Z' },
    ];
    expect(st.items.map((i) => st.statusNow(i))).toEqual(['expired', 'issued']);
    st.listStatus = 'expired';
    expect(st.listed().map((i) => i.id)).toEqual(['old']);
  });
});

describe('vet: revoking', () => {
  it('marks the certificate revoked on screen and on the phone', async () => {
    const w = world({ 'POST /certificates/c-1/revoke': cert({ status: 'revoked' }) });
    w.certs.set('c-1', { id: 'c-1', number: 'N', status: 'issued', qr_svg: '<svg/>' });
    const item: CertItem = { id: 'c-1', number: 'N', status: 'issued' };
    w.st.openRevoke('c-1');
    await w.st.revoke(item, 'wrong animals');
    expect(w.requests.at(-1)?.body).toEqual({ reason: 'wrong animals' });
    expect([item.status, w.st.revokeOpen, w.st.revokedNow, w.st.revokeError]).toEqual(['revoked', null, 'c-1', null]);
    expect(w.certs.get('c-1')).toMatchObject({ status: 'revoked', qr_svg: '<svg/>' });
  });

  it('takes a 409 "already revoked" as revoked, and says so', async () => {
    const w = world({ 'POST /certificates/c-1/revoke': new ApiError(409, { detail: 'certificate is already revoked' }) });
    const item: CertItem = { id: 'c-1', number: 'N', status: 'issued' };
    await w.st.revoke(item, 'x');
    expect([item.status, w.st.revokeError, w.st.revokeErrorFor]).toEqual(['revoked', { key: 'vet:already_revoked' }, 'c-1']);
  });

  it('keeps the status when the revocation did not go through', async () => {
    const w = world({ 'POST /certificates/c-1/revoke': new ApiError(409, { detail: 'consumed' }) });
    const item: CertItem = { id: 'c-1', number: 'N', status: 'consumed' };
    w.st.openRevoke('c-1');
    await w.st.revoke(item, 'x');
    expect([item.status, w.st.revokeOpen]).toEqual(['consumed', 'c-1']);
    const off = world();
    await off.st.revoke({ id: 'c-1', number: 'N', status: 'issued' }, 'x');
    expect(off.st.revokeError).toEqual({ key: 'vet:revoke_offline' });
    await off.st.revoke({ id: 'c-1', number: 'N', status: 'issued' }, '');
    expect(off.requests).toHaveLength(1);
  });
});

describe('vet: holdings of a movement (W13)', () => {
  const NEAR = `GET /holdings?near=47.95000,80.44000&limit=100`;
  const HOLDINGS = {
    items: [
      { id: 11, code: 'F-1', kind: 'farm', name: 'Farm', authority: 'KZ-ALM', distance_m: 120 },
      { id: 12, code: 'SLH-1', kind: 'slaughterhouse', name: 'Plant', authority: 'KZ-ALM', distance_m: 9000 },
    ],
    next_cursor: null,
  };

  it('offers the nearest holdings first with a position, and the authority list without one', async () => {
    const w = world({ [NEAR]: HOLDINGS, 'GET /holdings?limit=200': { items: [HOLDINGS.items[1]], next_cursor: null } });
    await w.st.loadHoldings({ lat: 47.95, lon: 80.44 });
    expect(w.st.holdings.map((h) => h.id)).toEqual([11, 12]);
    expect(w.st.holdingsNear).toBe(true);
    await w.st.loadHoldings(null);
    expect(w.st.holdings.map((h) => h.id)).toEqual([12]);
    expect(w.st.holdingsNear).toBe(false);
    expect(w.requests.map((r) => r.path)).toEqual([NEAR.slice(4), '/holdings?limit=200']);
  });

  it('sends the holdings picked as origin_holding and destination_holding, and none when none is picked', async () => {
    const w = await withOwner();
    w.st.pick('398000000000001', true);
    expect(w.st.issueBody(FORM)).not.toHaveProperty('origin_holding');
    expect(w.st.issueBody(FORM)).not.toHaveProperty('destination_holding');
    w.st.chooseHolding('origin', '11');
    w.st.chooseHolding('destination', '12');
    expect(w.st.issueBody(FORM)).toMatchObject({ origin_holding: 11, destination_holding: 12 });
  });

  it('starts each certificate with no holding picked: after issuing, and for a new owner', async () => {
    const w = await withOwner({ 'POST /certificates': cert(), 'GET /certificates/c-1/qr.svg': '<svg/>' });
    w.st.pick('398000000000001', true);
    w.st.chooseHolding('origin', '11');
    w.st.chooseHolding('destination', '12');
    await w.st.issue(FORM);
    expect(w.requests.find((r) => r.method === 'POST')?.body).toMatchObject({ origin_holding: 11, destination_holding: 12 });
    expect([w.st.originHolding, w.st.destinationHolding]).toEqual(['', '']);
    w.st.chooseHolding('origin', '11');
    await w.st.findOwner('+77015551234');
    expect(w.st.originHolding).toBe('');
    w.st.pick('398000000000001', true);
    expect(w.st.issueBody(FORM)).not.toHaveProperty('origin_holding');
  });

  it('lists the mismatches of the jurisdiction, and says when there is no network', async () => {
    const item = { id: 'c-1', number: 'KZ-1', movement: { status: 'mismatch' } };
    const w = world({ 'GET /movements?status=mismatch&limit=50': { items: [item], next_cursor: null } });
    await w.st.loadMismatches();
    expect(w.st.mismatches).toEqual([item]);
    const offline = world();
    await offline.st.loadMismatches();
    expect(offline.st.mismatches).toBeNull();
    expect(offline.st.mismatchesError).toEqual({ key: 'movement.list_offline' });
  });

  it('shows the next page of mismatches after the first when asked, with the server cursor, until none is left', async () => {
    const a = { id: 'c-1', number: 'KZ-1', movement: { status: 'mismatch' } };
    const b = { id: 'c-2', number: 'KZ-2', movement: { status: 'mismatch' } };
    const w = world({
      'GET /movements?status=mismatch&limit=50': { items: [a], next_cursor: 'k1' },
      'GET /movements?status=mismatch&limit=50&cursor=k1': { items: [b], next_cursor: null },
    });
    await w.st.loadMismatches();
    expect(w.st.mismatches).toEqual([a]);
    expect(w.st.mismatchesCursor).toBe('k1');
    await w.st.loadMismatches(true);
    expect(w.st.mismatches).toEqual([a, b]);
    expect(w.st.mismatchesCursor).toBeNull();
    // Nothing more to ask: no request made, the list stays.
    await w.st.loadMismatches(true);
    expect(w.st.mismatches).toEqual([a, b]);
  });
});

describe('vet: a sale names the buyer (W8)', () => {
  const SALE_FORM: IssueFields = { ...FORM, purpose: 'sale' };

  it('sends the buyer typed, trimmed, for a sale, and the name only when given', async () => {
    const w = await withOwner({ 'POST /certificates': cert({ purpose: 'sale' }), 'GET /certificates/c-1/qr.svg': '<svg/>' });
    w.st.choosePurpose('sale');
    w.st.pick('398000000000001', true);
    w.st.typeBuyer('phone', ' 8 701 555 0000 ');
    expect(w.st.issueBody(SALE_FORM)).toMatchObject({ purpose: 'sale', buyer_phone: '8 701 555 0000' });
    expect(w.st.issueBody(SALE_FORM)).not.toHaveProperty('buyer_name');
    w.st.typeBuyer('name', ' Daulet ');
    await w.st.issue(SALE_FORM);
    expect(w.requests.find((r) => r.method === 'POST')?.body).toMatchObject({ buyer_phone: '8 701 555 0000', buyer_name: 'Daulet' });
  });

  it('asks for the buyer’s phone before sending a sale', async () => {
    const w = await withOwner();
    w.st.choosePurpose('sale');
    w.st.pick('398000000000001', true);
    w.st.typeBuyer('name', 'Daulet');
    await w.st.issue(SALE_FORM);
    expect(w.st.buyerError).toEqual({ key: 'vet:buyer_phone_required' });
    expect(w.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('sends no buyer for another purpose, and clears what was typed when another purpose is chosen', async () => {
    const w = await withOwner();
    w.st.pick('398000000000001', true);
    w.st.choosePurpose('sale');
    w.st.typeBuyer('phone', '8 701 555 0000');
    w.st.typeBuyer('name', 'Daulet');
    // A form whose purpose is not sale never sends the buyer, even one typed.
    expect(w.st.issueBody(FORM)).not.toHaveProperty('buyer_phone');
    w.st.choosePurpose('slaughter');
    expect([w.st.buyerPhone, w.st.buyerName]).toEqual(['', '']);
    w.st.choosePurpose('sale');
    expect(w.st.issueBody(SALE_FORM)).toMatchObject({ buyer_phone: '' });
    expect(w.st.issueBody(SALE_FORM)).not.toHaveProperty('buyer_name');
  });

  it('starts each certificate with no buyer: after issuing, and for a new owner', async () => {
    const w = await withOwner({ 'POST /certificates': cert({ purpose: 'sale' }), 'GET /certificates/c-1/qr.svg': '<svg/>' });
    w.st.choosePurpose('sale');
    w.st.pick('398000000000001', true);
    w.st.typeBuyer('phone', '8 701 555 0000');
    w.st.typeBuyer('name', 'Daulet');
    await w.st.issue(SALE_FORM);
    expect(w.st.shown).not.toBeNull();
    expect([w.st.buyerPhone, w.st.buyerName]).toEqual(['', '']);
    w.st.typeBuyer('phone', '8 701 555 0000');
    await w.st.findOwner('+77015551234');
    expect(w.st.buyerPhone).toBe('');
  });

  it('says a refused buyer’s phone at that field, and keeps the form as typed', async () => {
    const bad = new ApiError(422, { type: 'invalid-argument', field: 'buyer_phone' });
    const w = await withOwner({ 'POST /certificates': bad });
    w.st.choosePurpose('sale');
    w.st.pick('398000000000001', true);
    w.st.typeBuyer('phone', '12');
    await w.st.issue(SALE_FORM);
    expect([w.st.buyerError, w.st.issueError, w.st.failures]).toEqual([{ key: 'vet:buyer_phone_bad' }, null, null]);
    expect(w.st.buyerPhone).toBe('12');
    const missing = new ApiError(400, { type: 'invalid-argument', field: 'buyer_phone' });
    const w2 = await withOwner({ 'POST /certificates': missing });
    w2.st.choosePurpose('sale');
    w2.st.pick('398000000000001', true);
    w2.st.typeBuyer('phone', '8 701 555 0000');
    await w2.st.issue(SALE_FORM);
    expect([w2.st.buyerError, w2.st.issueError]).toEqual([{ error: missing }, null]);
    // Typing again clears what was said.
    w2.st.typeBuyer('phone', '8 701 555 0001');
    expect(w2.st.buyerError).toBeNull();
  });
});
