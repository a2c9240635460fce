// The inspector's decisions (inspector_state.ts), run in node against fakes: a scripted API, the
// phone's kept lookups, a fake offline verifier, the network switched by the test, a fixed clock.
import { describe, expect, it } from 'vitest';
import { ApiError, OfflineError, TimeoutError } from '../api';
import type { VerifyResult } from '../hp1/index';
import type { LocalKnowledge } from '../phone_check';
import type { Catalogue, LookupResult, MovementRule } from '../wire';
import { InspectorState, listAge, type InspectorPorts } from './inspector_state';

const NOW = new Date('2026-11-29T10:00:00Z');
const PHONE = '+77015551234';
const LOOKUP_PATH = `GET /lookup?phone=${encodeURIComponent(PHONE)}&years=3`;

const LOOKUP: LookupResult = {
  owner: { id: 7, phone: PHONE, name: 'Aigul', village: 'Kok-Zhar', authority: 'KZ-ALM' },
  today: '2026-11-29',
  since: '2023-11-29',
  coverage: [],
  animals: [],
  vaccinations: [],
};

function verified(status: VerifyResult['status'], claims: Record<string, unknown> | null = { id: 'c-1', number: 'KZ-1' }): VerifyResult {
  return { valid: status === 'valid', status, reasons: [], certificate: claims as VerifyResult['certificate'], lists: null };
}

type Reply = unknown | Error;

function world(
  replies: Record<string, Reply> = {},
  opts: { inspector?: boolean; known?: LocalKnowledge<LookupResult> | null; kv?: Map<string, unknown> } = {},
) {
  const kv = opts.kv ?? new Map<string, unknown>();
  const requests: { method: string; path: string; body?: unknown }[] = [];
  const remembered: string[] = [];
  const offlineChecks: string[] = [];
  const askedPhone: string[] = [];
  const net = { online: true };
  const ports: InspectorPorts = {
    api: async <T>(method: 'GET' | 'POST', path: string, body?: unknown) => {
      requests.push({ method, path, body });
      const key = `${method} ${path}`;
      const r = key in replies ? replies[key] : new OfflineError();
      if (r instanceof Error) throw r;
      return r as T;
    },
    kv: { get: async <T>(k: string) => kv.get(k) as T | undefined, set: async (k, v) => void kv.set(k, v) },
    rememberLookup: async (phone) => void remembered.push(phone),
    knownOnPhone: async (phone) => {
      askedPhone.push(phone);
      return opts.known ?? null;
    },
    verifyOffline: async (hp1) => {
      offlineChecks.push(hp1);
      if (hp1 === 'BROKEN') throw new Error('no trust list');
      return verified('valid');
    },
    online: () => net.online,
    now: () => NOW,
  };
  const st = new InspectorState(ports, opts.inspector ?? true);
  return { st, requests, remembered, offlineChecks, askedPhone, net, kv };
}

// The scan's own fields (issue 14 item 5): an id made on the phone (UUIDv7) and the time of the scan.
const SCAN = { id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/), at: NOW.toISOString() };

// Fake rules, not the server's.
const rule = (name: string, diseases: string[]): MovementRule => ({ name, purpose: 'slaughter', scope: '', species: [], diseases, max_age_days: 0 });
const catalogue = (rules: MovementRule[] | undefined): Catalogue => ({ species: [], diseases: [], vaccines: [], ...(rules ? { movement_rules: rules } : {}) });

describe('inspector: the movement rules, from the catalogue', () => {
  it("takes the server's rules and keeps the catalogue on the phone", async () => {
    const fresh = catalogue([rule('fresh', ['PPR'])]);
    const w = world({ 'GET /catalogue': fresh }, { kv: new Map([['catalogue', catalogue([rule('old', ['FMD-O'])])]]) });
    await w.st.loadRules();
    expect([w.st.rules, w.st.rulesLoading]).toEqual([[rule('fresh', ['PPR'])], false]);
    expect(w.kv.get('catalogue')).toEqual(fresh);
  });

  it("with no server, reads the rules of the catalogue kept on the phone", async () => {
    const w = world({}, { kv: new Map([['catalogue', catalogue([rule('kept', ['FMD-O'])])]]) });
    await w.st.loadRules();
    expect(w.requests.map((r) => r.path)).toEqual(['/catalogue']);
    expect([w.st.rules, w.st.rulesLoading]).toEqual([[rule('kept', ['FMD-O'])], false]);
  });

  it('knows no rules when neither the server nor the phone has them', async () => {
    const none = world();
    await none.st.loadRules();
    expect([none.st.rules, none.st.rulesLoading]).toEqual([null, false]);
    // A copy kept from a server that did not send rules yet.
    const old = world({}, { kv: new Map([['catalogue', catalogue(undefined)]]) });
    await old.st.loadRules();
    expect([old.st.rules, old.st.rulesLoading]).toEqual([null, false]);
  });
});

describe('inspector: the phone check', () => {
  it('shows the answer and keeps it on the phone for when the server does not answer', async () => {
    const w = world({ [LOOKUP_PATH]: LOOKUP });
    await w.st.runLookup(PHONE);
    expect([w.st.lookup, w.st.lookupError, w.st.local, w.st.lookupBusy]).toEqual([LOOKUP, null, null, false]);
    expect(w.remembered).toEqual([PHONE]);
  });

  it('with no answer in time, shows what the phone knows and says it was a timeout', async () => {
    const knows: LocalKnowledge<LookupResult> = { cached: { at: '2026-11-28T08:00:00Z', result: LOOKUP } as never, owner: null, pending: [] } as never;
    const w = world({ [LOOKUP_PATH]: new TimeoutError(15_000) }, { known: knows });
    await w.st.runLookup(PHONE);
    expect(w.st.local).toEqual({ knows, timeout: true });
    expect([w.st.lookup, w.st.lookupError]).toEqual([null, null]);
    const off = world({}, { known: knows });
    await off.st.runLookup(PHONE);
    expect(off.st.local?.timeout).toBe(false);
  });

  it('says why when the phone knows nothing either, and asks the same number again on retry', async () => {
    const w = world({ [LOOKUP_PATH]: new TimeoutError(15_000) });
    await w.st.runLookup(PHONE);
    expect(w.st.lookupError?.kind).toBe('timeout');
    w.st.retryLookup(); // the request goes at once; its answer is not awaited here
    expect(w.requests.map((r) => r.path)).toEqual([LOOKUP_PATH.slice(4), LOOKUP_PATH.slice(4)]);
  });

  it('never looks the phone up for an answer the server gave (an unknown owner)', async () => {
    const w = world({ [LOOKUP_PATH]: new ApiError(404, {}) });
    await w.st.runLookup(PHONE);
    expect([w.st.lookupError?.kind, w.askedPhone]).toEqual(['not-found', []]);
    const off = world();
    await off.st.runLookup(PHONE);
    expect([off.st.lookupError?.kind, off.askedPhone]).toEqual(['offline', [PHONE]]);
  });

  it('says how old the lists are in minutes under an hour, else in hours', () => {
    expect(listAge('2026-11-29T09:20:30Z', NOW)).toEqual({ minutes: 39 });
    expect(listAge('2026-11-29T08:30:00Z', NOW)).toEqual({ hours: 1.5 });
    expect(listAge('2026-11-29T09:00:00Z', NOW)).toEqual({ hours: 1 });
    expect(listAge('2026-11-29T11:00:00Z', NOW)).toEqual({ minutes: 0 }); // a clock behind the server's
    expect(listAge(undefined, NOW)).toBeNull();
  });
});

describe('inspector: checking a certificate', () => {
  it('asks the server when online, and the phone when offline or the server does not answer', async () => {
    const w = world({ 'POST /verify': verified('valid') });
    await w.st.check(' HP1:ABC \n');
    expect(w.requests).toEqual([{ method: 'POST', path: '/verify', body: { hp1: 'HP1:ABC' } }]);
    expect([w.st.checked?.offline, w.st.checked?.at]).toEqual([false, NOW]);

    const off = world();
    off.net.online = false;
    await off.st.check('HP1:ABC');
    expect([off.requests.length, off.offlineChecks, off.st.checked?.offline]).toEqual([0, ['HP1:ABC'], true]);

    const slow = world({ 'POST /verify': new TimeoutError(15_000) });
    await slow.st.check('HP1:ABC');
    expect([slow.offlineChecks, slow.st.checked?.offline]).toEqual([['HP1:ABC'], true]);
  });

  it("shows the server's refusal as it is, and the verifier's failure with its words", async () => {
    const refused = new ApiError(400, { field: 'hp1' });
    const w = world({ 'POST /verify': refused });
    await w.st.check('HP1:ABC');
    expect([w.st.checkError, w.st.checked]).toEqual([{ error: refused }, null]);
    const off = world();
    off.net.online = false;
    await off.st.check('BROKEN');
    // The verifier's own (English) words are not part of what the screen says.
    expect(off.st.checkError).toEqual({ key: 'inspector:offline_check_failed' });
  });
  it("says a camera that failed in the user's words only, not the browser's", () => {
    const w = world();
    w.st.scanFailed(new DOMException('Permission denied', 'NotAllowedError'));
    expect(w.st.checkError).toEqual({ key: 'inspector:scan_failed' });
  });

  it('checks nothing when nothing was pasted', async () => {
    const w = world();
    await w.st.check('  \n');
    expect([w.requests.length, w.offlineChecks.length, w.st.checkBusy]).toEqual([0, 0, false]);
  });
});

describe('inspector: consuming', () => {
  async function checkedValid(replies: Record<string, Reply>, inspector = true) {
    const w = world({ 'POST /verify': verified('valid'), ...replies }, { inspector });
    await w.st.check('HP1:ABC');
    return w;
  }

  it('lets only an inspector consume, a certificate that names itself and is valid or already used', async () => {
    expect((await checkedValid({})).st.canConsume()).toBe(true);
    expect((await checkedValid({}, false)).st.canConsume()).toBe(false);
    for (const [status, claims, can] of [
      ['consumed', { number: 'KZ-1' }, true],
      ['revoked', { id: 'c-1' }, false],
      ['expired', { id: 'c-1' }, false],
      ['valid', {}, false],
      ['valid', null, false],
    ] as const) {
      const w = world({ 'POST /verify': verified(status, claims as Record<string, unknown> | null) });
      await w.st.check('HP1:ABC');
      expect(w.st.canConsume(), `${status} ${JSON.stringify(claims)}`).toBe(can);
    }
  });

  it('marks the certificate used, where and when the server says', async () => {
    const w = await checkedValid({ 'POST /certificates/c-1/consume': { status: 'consumed', consumed: { at: '2026-11-29T10:00:00Z', place: 'Abay plant' } } });
    w.st.openConsume(true);
    await w.st.consume('Abay plant');
    expect(w.requests.at(-1)).toEqual({ method: 'POST', path: '/certificates/c-1/consume', body: { ...SCAN, place: 'Abay plant' } });
    expect(w.st.consumeDone).toEqual({ at: '2026-11-29T10:00:00Z', place: 'Abay plant' });
    expect(w.st.checked?.result).toMatchObject({ valid: false, status: 'consumed', consumed_place: 'Abay plant' });
    expect(w.st.consumeOpen).toBe(false);
  });

  it('sends the arrival typed (holding, head, tags seen) and keeps the movement answered; a new form starts empty (W13)', async () => {
    const movement = { status: 'mismatch', origin_holding: 1, destination_holding: 2, head_expected: 2, arrival: { at: '2026-11-29T10:00:00Z', holding: 2, head_count: 1, tags_seen: ['A'], missing_tags: ['B'], extra_tags: [], mismatch: true } };
    const w = await checkedValid({ 'POST /certificates/c-1/consume': { status: 'consumed', consumed: { at: '2026-11-29T10:00:00Z', place: 'Abay plant' }, movement } });
    w.st.openConsume(true);
    w.st.arrivalHolding = '2';
    w.st.arrivalTags = 'A\n';
    await w.st.consume('Abay plant', '1');
    expect(w.requests.at(-1)).toEqual({ method: 'POST', path: '/certificates/c-1/consume', body: { ...SCAN, place: 'Abay plant', holding: 2, head_count: 1, tags: ['A'] } });
    expect(w.st.consumeArrival).toEqual(movement);
    w.st.openConsume(true);
    expect([w.st.arrivalHolding, w.st.arrivalTags]).toEqual(['', '']);
  });

  it('shows where it was used first when another inspector was quicker', async () => {
    const first = { at: '2026-11-28T07:00:00Z', place: 'Other plant', by: 'insp2' };
    const w = await checkedValid({ 'POST /certificates/c-1/consume': new ApiError(409, { first_consumed: first }) });
    await w.st.consume('Abay plant');
    expect([w.st.consumeConflict, w.st.consumeDone, w.st.consumeError]).toEqual([first, null, null]);
    expect(w.st.checked?.result).toMatchObject({ status: 'consumed', consumed_at: first.at, consumed_place: first.place });
  });

  it('keeps a consume with no network in the outbox, with its id and scan time, to be sent once (issue 14 item 5)', async () => {
    for (const cause of ['offline', 'no network', 'no answer'] as const) {
      const w = await checkedValid(cause === 'no answer' ? { 'POST /certificates/c-1/consume': new TimeoutError(15_000) } : {});
      const queued: unknown[] = [];
      (w.st as unknown as { ports: InspectorPorts }).ports.queueArrival = async (certificate, scan) => void queued.push({ certificate, scan });
      if (cause === 'offline') w.net.online = false;
      const before = w.requests.length;
      await w.st.consume('Abay plant');
      expect(queued, cause).toEqual([{ certificate: 'c-1', scan: { kind: 'arrival', ...SCAN, place: 'Abay plant' } }]);
      expect(w.st.consumeQueued, cause).toBe(true);
      expect(w.st.consumeError, cause).toBeNull();
      expect(w.requests.length - before, cause).toBe(cause === 'offline' ? 0 : 1);
      expect(w.st.checked?.result.status).toBe('valid');
    }
  });

  it('says when the server kept the scan as a double use, naming the first use', async () => {
    const first = { at: '2026-11-28T07:00:00Z', place: 'Other plant', by: 'insp2' };
    const w = await checkedValid({ 'POST /certificates/c-1/consume': new ApiError(409, { first_consumed: first, first_use: {}, double_use: { id: 'x' } }) });
    await w.st.consume('Abay plant');
    expect([w.st.consumeConflict, w.st.consumeDoubleUse]).toEqual([first, true]);
    const plain = await checkedValid({ 'POST /certificates/c-1/consume': new ApiError(409, { first_consumed: first }) });
    await plain.st.consume('Abay plant');
    expect(plain.st.consumeDoubleUse).toBe(false);
  });

  it('says no network, refused, or the error, and leaves the result as it was', async () => {
    const cases: [Error, unknown][] = [
      [new OfflineError(), { key: 'inspector:consume_offline' }],
      [new ApiError(409, { detail: 'revoked' }), { key: 'inspector:consume_refused' }],
    ];
    for (const [err, said] of cases) {
      const w = await checkedValid({ 'POST /certificates/c-1/consume': err });
      await w.st.consume('Abay plant');
      expect(w.st.consumeError).toEqual(said);
      expect(w.st.checked?.result.status).toBe('valid');
    }
    const timeout = new TimeoutError(15_000);
    const slow = await checkedValid({ 'POST /certificates/c-1/consume': timeout });
    await slow.st.consume('Abay plant');
    expect(slow.st.consumeError).toEqual({ error: timeout });
  });
});

describe('inspector: the phone check from the field copy (W10)', () => {
  const COPY_META = {
    user_id: '4',
    authority: 'KZ-ABY',
    cursor: 'fc1.9',
    taken_at: '2026-11-29T07:00:00Z',
    fetched_at: '2026-11-29T07:00:00Z',
    first_taken_at: '2026-11-29T07:00:00Z',
    records: 3,
    bytes: 300,
    last_transfer: 100,
  };
  function withCopy(reply: Reply, answer: boolean) {
    const w = world({ [LOOKUP_PATH]: reply }, { known: { cached: null, owner: { name: 'x', village: '', phone: PHONE }, pending: [] } });
    const reads: string[] = [];
    w.st['ports'].lookupFromCopy = async () => (answer ? { result: LOOKUP, meta: COPY_META } : null);
    w.st['ports'].rememberCopyRead = async (a, phone) => void reads.push(`${a.result.owner.id} ${phone}`);
    return { ...w, reads };
  }
  it('answers from the copy when the server does not answer, says so, and keeps the read on the phone', async () => {
    for (const reply of [new OfflineError(), new TimeoutError(15000)]) {
      const w = withCopy(reply, true);
      await w.st.runLookup(PHONE);
      expect(w.st.fromCopy).toEqual({ result: LOOKUP, meta: COPY_META, timeout: reply instanceof TimeoutError });
      expect([w.st.lookup, w.st.local, w.st.lookupError, w.st.lookupBusy]).toEqual([null, null, null, false]);
      expect(w.reads).toEqual([`7 ${PHONE}`]);
      expect(w.askedPhone).toEqual([]);
    }
  });
  it('falls back to what the phone knows when the copy has no such owner', async () => {
    const w = withCopy(new OfflineError(), false);
    await w.st.runLookup(PHONE);
    expect(w.st.fromCopy).toBeNull();
    expect(w.st.local?.knows.owner?.phone).toBe(PHONE);
    expect(w.reads).toEqual([]);
  });
  it('never answers from the copy when the server answered, even "no owner"', async () => {
    const online = withCopy(LOOKUP, true);
    await online.st.runLookup(PHONE);
    expect([online.st.lookup, online.st.fromCopy]).toEqual([LOOKUP, null]);
    const notFound = withCopy(new ApiError(404, { title: 'Not Found' }), true);
    await notFound.st.runLookup(PHONE);
    expect(notFound.st.fromCopy).toBeNull();
    expect(notFound.st.lookupError?.kind).toBe('not-found');
    expect(notFound.reads).toEqual([]);
  });
});
