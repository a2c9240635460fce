// Tag life on the phone: the form's checks, the screen state's save (nothing carried over), and the
// sync of events (sent once, refused by stable code, only the maker's), in node with fakes.
import { describe, expect, it } from 'vitest';
import { ApiError, OfflineError } from './api';
import type { OutboxRecord } from './db';
import { syncEvents, type OutboxPort, type SendEvent } from './sync';
import { EMPTY_FORM, tagEventFrom, type EventRecord, type TagEventBody } from './tag_life';
import { TagLifeState } from './screens/tag_life_state';
import { MemoryOutbox } from './memory_outbox.test_support';
import { uuidv7 } from './uuid';

const TAG = '398000000000001';
const NEW_TAG = '398000000000002';
const LATEST = '2026-12-07';

describe('tagEventFrom', () => {
  it('makes a death with the typed tag normalised, the date and the trimmed reason', () => {
    const r = tagEventFrom({ ...EMPTY_FORM, tag: '398 000-000.000 001', kind: 'died', date: '2026-12-06', reason: '  wolves ' }, 'id-1', LATEST);
    expect(r).toEqual({ ok: true, tag: TAG, body: { id: 'id-1', kind: 'died', date: '2026-12-06', reason: 'wolves' } });
  });

  it('leaves the reason out when none is typed', () => {
    const r = tagEventFrom({ ...EMPTY_FORM, tag: TAG, kind: 'lost', date: '2026-12-06', reason: '   ' }, 'id-1', LATEST);
    expect(r).toEqual({ ok: true, tag: TAG, body: { id: 'id-1', kind: 'lost', date: '2026-12-06' } });
  });

  it('makes a tag replacement with the new tag', () => {
    const r = tagEventFrom({ ...EMPTY_FORM, tag: TAG, kind: 'tag_replaced', date: '2026-12-06', new_tag: '398-000000000002' }, 'id-2', LATEST);
    expect(r).toEqual({ ok: true, tag: TAG, body: { id: 'id-2', kind: 'tag_replaced', date: '2026-12-06', new_tag: NEW_TAG } });
  });

  it('does not send a new tag typed before the kind was changed to an end', () => {
    const r = tagEventFrom({ ...EMPTY_FORM, tag: TAG, kind: 'stolen', date: '2026-12-06', new_tag: NEW_TAG }, 'id-3', LATEST);
    expect(r).toEqual({ ok: true, tag: TAG, body: { id: 'id-3', kind: 'stolen', date: '2026-12-06' } });
  });

  it('names every field at fault on an empty form', () => {
    expect(tagEventFrom(EMPTY_FORM, 'id', LATEST)).toEqual({
      ok: false,
      errors: { tag: 'vaccinator:life.tag_required', kind: 'vaccinator:life.kind_required', date: 'vaccinator:life.date_required' },
    });
  });

  it('refuses a bad tag, an unknown kind, a date after the latest, a long reason', () => {
    const r = tagEventFrom({ tag: '39800000000001', kind: 'sold', date: '2026-12-08', reason: 'x'.repeat(501), new_tag: '' }, 'id', LATEST);
    expect(r).toEqual({
      ok: false,
      errors: {
        tag: 'vaccinator:life.tag_invalid',
        kind: 'vaccinator:life.kind_required',
        date: 'vaccinator:life.date_future',
        reason: 'vaccinator:life.reason_long',
      },
    });
    expect(tagEventFrom({ ...EMPTY_FORM, tag: TAG, kind: 'died', date: LATEST, reason: 'é'.repeat(500) }, 'id', LATEST).ok).toBe(true);
  });

  it('asks for a new tag of 15 digits, other than the old one, for a replacement', () => {
    const base = { ...EMPTY_FORM, tag: TAG, kind: 'tag_replaced', date: '2026-12-06' };
    expect(tagEventFrom(base, 'id', LATEST)).toEqual({ ok: false, errors: { new_tag: 'vaccinator:life.new_tag_required' } });
    expect(tagEventFrom({ ...base, new_tag: '12ab' }, 'id', LATEST)).toEqual({ ok: false, errors: { new_tag: 'vaccinator:life.tag_invalid' } });
    expect(tagEventFrom({ ...base, new_tag: '398 000000000001' }, 'id', LATEST)).toEqual({ ok: false, errors: { new_tag: 'vaccinator:life.new_tag_same' } });
  });
});

describe('TagLifeState', () => {
  function make() {
    const added: { tag: string; body: TagEventBody }[] = [];
    let n = 0;
    const st = new TagLifeState({
      list: async () => [],
      add: async (tag, body) => void added.push({ tag, body }),
      discard: async () => {},
      resend: async () => {},
      now: () => new Date(2026, 11, 6, 12, 0),
      newId: () => `id-${++n}`,
    });
    return { st, added };
  }

  it('starts empty and saves nothing until the user typed every field', async () => {
    const { st, added } = make();
    expect(st.form).toEqual(EMPTY_FORM);
    expect(await st.save()).toBe(false);
    expect(added).toEqual([]);
    expect(Object.keys(st.errors).sort()).toEqual(['date', 'kind', 'tag']);
  });

  it('empties the form after a save: the next event carries nothing of the last one', async () => {
    const { st, added } = make();
    st.set('tag', TAG);
    st.set('kind', 'died');
    st.set('date', '2026-12-05');
    st.set('reason', 'illness');
    expect(await st.save()).toBe(true);
    expect(added).toEqual([{ tag: TAG, body: { id: 'id-1', kind: 'died', date: '2026-12-05', reason: 'illness' } }]);
    expect(st.form).toEqual(EMPTY_FORM);
    expect(st.saved).toEqual({ kind: 'died', tag: TAG });
    // A second event with only a tag typed: refused for kind and date, not saved with the last ones.
    st.set('tag', NEW_TAG);
    expect(await st.save()).toBe(false);
    expect(added).toHaveLength(1);
    expect(Object.keys(st.errors).sort()).toEqual(['date', 'kind']);
  });

  it('takes the tomorrow of the phone as the latest date', async () => {
    const { st, added } = make();
    st.set('tag', TAG);
    st.set('kind', 'culled');
    st.set('date', '2026-12-08');
    expect(await st.save()).toBe(false);
    expect(st.errors).toEqual({ date: 'vaccinator:life.date_future' });
    st.set('date', '2026-12-07');
    expect(await st.save()).toBe(true);
    expect(added[0].body.date).toBe('2026-12-07');
  });
});

// An in-memory events store and a server that keeps events by id, as the real one does.
function makeEvent(tag: string, body: Omit<TagEventBody, 'id'>, user?: { id: string; username: string }): EventRecord {
  const id = uuidv7();
  return { id, ...(user ? { user } : {}), state: 'pending', created_at: '2026-12-06T10:00:00Z', attempts: 0, record: { id, ...body, tag } };
}


function fakeServer() {
  const stored = new Map<string, { tag: string; body: TagEventBody }>();
  const ended = new Set<string>();
  const calls: string[] = [];
  const send: SendEvent = async (tag, body) => {
    calls.push(body.id);
    if (stored.has(body.id)) return { status: 'duplicate' };
    if (ended.has(tag)) {
      throw new ApiError(409, { type: 'https://herdpass.org/problems/failed-precondition', detail: 'the animal died on 2026-12-01', field: 'kind' });
    }
    stored.set(body.id, { tag, body });
    if (body.kind !== 'tag_replaced') ended.add(tag);
    return { status: 'created' };
  };
  return { stored, ended, calls, send };
}

describe('syncEvents', () => {
  const me = { id: 'u-vacc', username: 'vaccinator' };
  const other = { id: 'u-other', username: 'other' };

  it('sends each waiting event once, with its tag in the path and the body without it, and removes it', async () => {
    const a = makeEvent(TAG, { kind: 'tag_replaced', date: '2026-12-05', new_tag: NEW_TAG }, me);
    const b = makeEvent(NEW_TAG, { kind: 'died', date: '2026-12-06', reason: 'illness' }, me);
    const port = new MemoryOutbox([a, b]);
    const server = fakeServer();
    expect(await syncEvents(port, server.send, { user: me.id })).toEqual({ outcome: 'done', created: 2, duplicate: 0, rejected: 0 });
    expect(port.records.size).toBe(0);
    expect(server.stored.get(a.id)).toEqual({ tag: TAG, body: { id: a.id, kind: 'tag_replaced', date: '2026-12-05', new_tag: NEW_TAG } });
    expect(server.stored.get(b.id)).toEqual({ tag: NEW_TAG, body: { id: b.id, kind: 'died', date: '2026-12-06', reason: 'illness' } });
    expect(await syncEvents(port, server.send, { user: me.id })).toEqual({ outcome: 'done', created: 0, duplicate: 0, rejected: 0 });
    expect(server.calls).toEqual([a.id, b.id]);
  });

  it('removes an event the server already has (200 duplicate: the answer to a resend was lost)', async () => {
    const a = makeEvent(TAG, { kind: 'died', date: '2026-12-05' }, me);
    const server = fakeServer();
    await server.send(TAG, { id: a.id, kind: 'died', date: '2026-12-05' });
    const port = new MemoryOutbox([a]);
    expect(await syncEvents(port, server.send, { user: me.id })).toEqual({ outcome: 'done', created: 0, duplicate: 1, rejected: 0 });
    expect(port.records.size).toBe(0);
    expect(server.stored.size).toBe(1);
  });

  it('keeps a refused event with the stable code and field, not sending it again, and goes on with the next', async () => {
    const a = makeEvent(TAG, { kind: 'died', date: '2026-12-05' }, me);
    const b = makeEvent(TAG, { kind: 'lost', date: '2026-12-06' }, me);
    const c = makeEvent(NEW_TAG, { kind: 'culled', date: '2026-12-06' }, me);
    const port = new MemoryOutbox([a, b, c]);
    const server = fakeServer();
    expect(await syncEvents(port, server.send, { user: me.id })).toEqual({ outcome: 'done', created: 2, duplicate: 0, rejected: 1 });
    expect(port.records.get(b.id)).toMatchObject({
      state: 'rejected',
      attempts: 1,
      error: { code: 'failed-precondition', field: 'kind', message: 'the animal died on 2026-12-01' },
    });
    expect([...port.records.keys()]).toEqual([b.id]);
    await syncEvents(port, server.send, { user: me.id });
    expect(server.calls.filter((id) => id === b.id)).toHaveLength(1);
  });

  it('stops and keeps everything on 401, 403, 429, 5xx and no network', async () => {
    for (const [err, outcome] of [
      [new ApiError(401, {}), 'unauthorized'],
      [new ApiError(403, {}), 'forbidden'],
      [new ApiError(429, {}), 'retry'],
      [new ApiError(503, {}), 'retry'],
      [new OfflineError(), 'retry'],
    ] as const) {
      const port = new MemoryOutbox([makeEvent(TAG, { kind: 'died', date: '2026-12-05' }, me), makeEvent(NEW_TAG, { kind: 'died', date: '2026-12-05' }, me)]);
      let calls = 0;
      const report = await syncEvents(port, async () => {
        calls++;
        throw err;
      }, { user: me.id });
      expect(report.outcome).toBe(outcome);
      expect(calls).toBe(1);
      expect((await port.pending()).length).toBe(2);
    }
  });

  it("sends only the signed-in user's events; other users' wait on the phone", async () => {
    const mine = makeEvent(TAG, { kind: 'died', date: '2026-12-05' }, me);
    const theirs = makeEvent(NEW_TAG, { kind: 'died', date: '2026-12-05' }, other);
    const port = new MemoryOutbox([mine, theirs]);
    const server = fakeServer();
    expect(await syncEvents(port, server.send, { user: me.id })).toMatchObject({ outcome: 'done', created: 1 });
    expect(server.calls).toEqual([mine.id]);
    expect([...port.records.keys()]).toEqual([theirs.id]);
    expect(await syncEvents(port, server.send, { user: undefined })).toMatchObject({ outcome: 'done', created: 0 });
    expect(server.calls).toEqual([mine.id]);
  });
});
