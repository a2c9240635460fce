// Flock events on the phone: the form's checks, the screen state (flocks found by phone and kept
// for offline, nothing carried over after a save), the sync (sent to /flocks/{id}/events without the
// phone-only fields, once, refused by the server kept) and the export file, in node with fakes.
import { describe, expect, it } from 'vitest';
import { ApiError, OfflineError } from './api';
import { EMPTY_FLOCK_FORM, flockChoices, flockEventFrom, flocksPath, type FlockChoice, type FlockEventBody, type FlockEventRecord } from './flock_life';
import { FlockLifeState } from './screens/flock_life_state';
import { MemoryOutbox } from './memory_outbox.test_support';
import { makeExport, parseExportFile, syncEvents, type SendEvent, type SendFlockEvent } from './sync';
import { uuidv7 } from './uuid';

const LATEST = '2026-12-07';
const SHEEP: FlockChoice = { id: 7, species: 'sheep', head_count: 40 };
const GOATS: FlockChoice = { id: 9, species: 'goat', head_count: 3 };

describe('the owner\'s flocks (GET /flocks?phone=)', () => {
  it('asks by the phone as typed, encoded', () => {
    expect(flocksPath('+7 701 234 5678')).toBe('/flocks?phone=%2B7%20701%20234%205678');
  });

  it('offers every flock listed, by id, species and head count', () => {
    const answer = {
      owner: { id: 3, name: 'Nurlan Abenov', phone: '+77012345678' },
      flocks: [
        { id: 7, species: 'sheep', head_count: 40, tag: null, authority: 'KZ-ABY' },
        { id: 9, species: 'goat', head_count: 3, tag: null, authority: 'KZ-ABY' },
      ],
    };
    expect(flockChoices(answer)).toEqual([SHEEP, GOATS]);
    expect(flockChoices({ ...answer, flocks: [] })).toEqual([]);
  });
});

describe('flockEventFrom', () => {
  const form = { ...EMPTY_FLOCK_FORM, flock: '7', kind: 'died', head: ' 3 ', date: '2026-12-06' };

  it('makes the event of the flock chosen with the head, the date and the trimmed reason', () => {
    expect(flockEventFrom({ ...form, reason: ' wolves ' }, [GOATS, SHEEP], 'id-1', LATEST)).toEqual({
      ok: true,
      flock: SHEEP,
      body: { id: 'id-1', kind: 'died', date: '2026-12-06', head: 3, reason: 'wolves' },
    });
    expect(flockEventFrom(form, [SHEEP], 'id-1', LATEST)).toEqual({ ok: true, flock: SHEEP, body: { id: 'id-1', kind: 'died', date: '2026-12-06', head: 3 } });
  });

  it('names every field missing on an empty form', () => {
    const r = flockEventFrom(EMPTY_FLOCK_FORM, [SHEEP], 'id-1', LATEST);
    expect(r).toEqual({
      ok: false,
      errors: {
        flock: 'vaccinator:flock_life.flock_required',
        kind: 'vaccinator:life.kind_required',
        head: 'vaccinator:flock_life.head_required',
        date: 'vaccinator:life.date_required',
      },
    });
  });

  it('refuses a head that is not a whole number from 1, more head leaving than the flock has, a flock not listed and a date after the latest', () => {
    for (const head of ['0', '1.5', '-2', 'x']) expect(flockEventFrom({ ...form, head }, [SHEEP], 'i', LATEST), head).toEqual({ ok: false, errors: { head: 'vaccinator:flock_life.head_bad' } });
    expect(flockEventFrom({ ...form, head: '41' }, [SHEEP], 'i', LATEST)).toEqual({ ok: false, errors: { head: 'vaccinator:flock_life.head_above' } });
    // Births have no bound on the phone.
    expect(flockEventFrom({ ...form, kind: 'born', head: '41' }, [SHEEP], 'i', LATEST).ok).toBe(true);
    expect(flockEventFrom({ ...form, flock: '8' }, [SHEEP], 'i', LATEST)).toEqual({ ok: false, errors: { flock: 'vaccinator:flock_life.flock_required' } });
    expect(flockEventFrom({ ...form, date: '2026-12-08' }, [SHEEP], 'i', LATEST)).toEqual({ ok: false, errors: { date: 'vaccinator:life.date_future' } });
    expect(flockEventFrom({ ...form, kind: 'tag_replaced' }, [SHEEP], 'i', LATEST)).toEqual({ ok: false, errors: { kind: 'vaccinator:life.kind_required' } });
  });
});

describe('FlockLifeState', () => {
  function make(answer: FlockChoice[] | Error) {
    const kept = new Map<string, FlockChoice[]>();
    const added: { flock: FlockChoice; body: FlockEventBody }[] = [];
    let n = 0;
    const st = new FlockLifeState({
      fetchFlocks: async () => {
        if (answer instanceof Error) throw answer;
        return answer;
      },
      kept: async (p) => kept.get(p),
      keep: async (p, f) => void kept.set(p, f),
      add: async (flock, body) => void added.push({ flock, body }),
      now: () => new Date('2026-12-06T12:00:00'),
      newId: () => `id-${++n}`,
    });
    return { st, kept, added };
  }

  it('finds the owner’s flocks, saves an event of the flock chosen, then starts empty with the head count moved', async () => {
    const { st, added, kept } = make([SHEEP, GOATS]);
    st.typePhone('8 701 000 0001');
    await st.find();
    expect(st.flocks).toEqual([SHEEP, GOATS]);
    st.set('flock', '7');
    st.set('kind', 'slaughtered');
    st.set('head', '5');
    st.set('date', '2026-12-06');
    expect(await st.save()).toBe(true);
    expect(added).toEqual([{ flock: SHEEP, body: { id: 'id-1', kind: 'slaughtered', date: '2026-12-06', head: 5 } }]);
    expect(st.form).toEqual(EMPTY_FLOCK_FORM);
    expect(st.saved).toEqual({ kind: 'slaughtered', head: 5, species: 'sheep' });
    expect(st.flocks?.find((f) => f.id === 7)?.head_count).toBe(35);
    expect(kept.get('8 701 000 0001')?.find((f) => f.id === 7)?.head_count).toBe(35);
    // Nothing of the last event is offered for the next: an empty save names every field.
    expect(await st.save()).toBe(false);
    expect(Object.keys(st.errors).sort()).toEqual(['date', 'flock', 'head', 'kind']);
  });

  it('uses the flocks kept on the phone when offline, says when none are kept, and forgets them for another phone', async () => {
    const { st, kept } = make(new OfflineError());
    st.typePhone('8 701 000 0001');
    await st.find();
    expect([st.flocks, st.findError]).toEqual([null, 'vaccinator:flock_life.find_offline']);
    kept.set('8 701 000 0001', [SHEEP]);
    await st.find();
    expect([st.flocks, st.fromPhone]).toEqual([[SHEEP], true]);
    st.set('flock', '7');
    st.typePhone('8 701 000 0002');
    expect([st.flocks, st.form.flock]).toEqual([null, '']);
    const unknown = make(new ApiError(404, { type: 'not-found' }));
    unknown.st.typePhone('8 701 000 0003');
    await unknown.st.find();
    expect(unknown.st.findError).toBe('vaccinator:flock_life.owner_unknown');
  });
});

function flockEvent(flock: number, body: Omit<FlockEventBody, 'id'>, user = { id: 'u1', username: 'v' }): FlockEventRecord {
  const id = uuidv7();
  return { id, user, state: 'pending', created_at: '2026-12-06T10:00:00Z', attempts: 0, record: { id, ...body, flock, species: 'sheep' } };
}

describe('flock events in the outbox', () => {
  it('sends a flock event to its flock without the phone-only fields, once; a refusal keeps it with the code', async () => {
    const ok = flockEvent(7, { kind: 'died', date: '2026-12-06', head: 3 });
    const tooMany = flockEvent(9, { kind: 'died', date: '2026-12-06', head: 30 });
    const port = new MemoryOutbox([ok, tooMany]);
    const sent: [number, FlockEventBody][] = [];
    const sendFlock: SendFlockEvent = async (flock, body) => {
      sent.push([flock, body]);
      if (flock === 9) throw new ApiError(409, { type: 'https://herdpass.org/problems/failed-precondition', field: 'head', detail: 'fewer head' });
      return { status: 'created' };
    };
    const sendTag: SendEvent = async () => {
      throw new Error('a flock event went to a tag');
    };
    expect(await syncEvents(port, sendTag, { user: 'u1' }, sendFlock)).toEqual({ outcome: 'done', created: 1, duplicate: 0, rejected: 1 });
    expect(sent).toEqual([
      [7, { id: ok.id, kind: 'died', date: '2026-12-06', head: 3 }],
      [9, { id: tooMany.id, kind: 'died', date: '2026-12-06', head: 30 }],
    ]);
    expect(port.records.has(ok.id)).toBe(false);
    expect(port.records.get(tooMany.id)?.state).toBe('rejected');
    expect(port.records.get(tooMany.id)?.error?.field).toBe('head');
  });

  it('goes in the export file and comes back from it', () => {
    const e = flockEvent(7, { kind: 'born', date: '2026-12-06', head: 2 });
    const back = parseExportFile(JSON.stringify(makeExport([], 'dev', new Date('2026-12-06T10:00:00Z'), [e])));
    expect(back.events).toEqual([e]);
  });
});
