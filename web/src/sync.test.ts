// The sync decisions, run in node against an in-memory outbox and a fake server.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, OfflineError } from './api';
import type { OutboxRecord } from './db';
import {
  BACKOFF_CAP_MS,
  SyncScheduler,
  type SyncReport,
  applyAnswer,
  backoffDelay,
  belongsTo,
  makeExport,
  othersWaiting,
  namedRecord,
  parseExport,
  parseExportFile,
  phoneKey,
  planBatches,
  syncOnce,
  type BatchAnswer,
  type BatchResult,
  type OutboxPort,
  type SyncTransport,
} from './sync';
import { MemoryOutbox } from './memory_outbox.test_support';
import { uuidv7 } from './uuid';

function makeRecords(n: number, extra: Record<string, unknown> = {}): OutboxRecord[] {
  const out: OutboxRecord[] = [];
  for (let i = 0; i < n; i++) {
    const id = uuidv7();
    out.push({
      id,
      state: 'pending',
      created_at: new Date().toISOString(),
      attempts: 0,
      record: { id, owner_phone: '+77015550000', species: 'sheep', head_count: 10, disease: 'PPR', vaccine: 'PPR-LIVE', batch_no: `B${i}`, administered_on: '2026-11-29', ...extra },
    });
  }
  return out;
}

// A server that keeps what it is sent by id; `decide` picks an outcome per record.
class FakeServer implements SyncTransport {
  readonly stored = new Set<string>();
  readonly calls: Record<string, unknown>[][] = [];
  failures: unknown[] = []; // thrown by the next calls, in order
  constructor(private decide: (r: Record<string, unknown>) => BatchResult['status'] = () => 'created') {}
  async send(records: Record<string, unknown>[]): Promise<BatchAnswer> {
    this.calls.push(records);
    const f = this.failures.shift();
    if (f) throw typeof f === 'function' ? (f as (r: Record<string, unknown>[]) => unknown)(records) : f;
    const answer: BatchAnswer = { created: 0, duplicate: 0, rejected: 0, results: [] };
    for (const r of records) {
      const id = String(r.id);
      let status = this.decide(r);
      if (status === 'created' && this.stored.has(id)) status = 'duplicate';
      if (status === 'created') this.stored.add(id);
      answer[status]++;
      answer.results.push(
        status === 'rejected'
          ? { id, status, reason: { type: 'https://herdpass.org/problems/invalid-argument', title: 'Invalid argument', status: 400, detail: 'ear tag 398000000000001 belongs to another owner', field: 'records[0].animal_tags' } }
          : { id, status, owner_id: 7 },
      );
    }
    return answer;
  }
}

describe('planBatches', () => {
  it('cuts at 500 records, in order', () => {
    const recs = makeRecords(1201);
    const batches = planBatches(recs);
    expect(batches.map((b) => b.length)).toEqual([500, 500, 201]);
    expect(batches.flat().map((r) => r.id)).toEqual(recs.map((r) => r.id));
  });
  it('cuts earlier when the JSON would be too big, and never leaves a record out', () => {
    const recs = makeRecords(10, { animal_tags: Array.from({ length: 100 }, (_, i) => `398${String(i).padStart(12, '0')}`) });
    const size = JSON.stringify(recs[0].record).length;
    const batches = planBatches(recs, 500, size * 3 + 10);
    expect(batches.map((b) => b.length)).toEqual([3, 3, 3, 1]);
    expect(planBatches(recs, 500, 10).map((b) => b.length)).toEqual(Array(10).fill(1));
  });
  it('counts bytes, not characters: names in Cyrillic, Arabic and Chinese script weigh more', () => {
    const recs = makeRecords(4, { owner_name: 'ئابدۇرېشىت Абдурашид 阿不都热西提'.repeat(20) });
    const chars = JSON.stringify(recs[0].record).length;
    const bytes = new TextEncoder().encode(JSON.stringify(recs[0].record)).length;
    expect(bytes).toBeGreaterThan(chars * 1.5);
    // Room for two records by characters, but only one by bytes.
    expect(planBatches(recs, 500, chars * 2 + 10).map((b) => b.length)).toEqual([1, 1, 1, 1]);
    expect(planBatches(recs, 500, bytes * 2 + 10).map((b) => b.length)).toEqual([2, 2]);
  });
  it('makes no batch of nothing', () => {
    expect(planBatches([])).toEqual([]);
  });
});

describe('backoffDelay', () => {
  it('doubles from 2 s, within its jitter', () => {
    const low = [0, 1, 2, 3, 4].map((a) => backoffDelay(a, () => 0));
    const high = [0, 1, 2, 3, 4].map((a) => backoffDelay(a, () => 1));
    expect(low).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect(high).toEqual([2000, 4000, 8000, 16000, 32000]);
    for (let a = 0; a < 12; a++) {
      const d = backoffDelay(a);
      expect(d).toBeGreaterThanOrEqual(low[0] * 2 ** Math.min(a, 7));
      expect(d).toBeLessThanOrEqual(BACKOFF_CAP_MS);
    }
  });
  it('is capped at 5 minutes, still with jitter', () => {
    expect(BACKOFF_CAP_MS).toBe(300_000);
    for (const a of [8, 9, 20, 1000]) {
      expect(backoffDelay(a, () => 1)).toBe(300_000);
      expect(backoffDelay(a, () => 0)).toBe(150_000);
    }
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(30)));
    expect(seen.size).toBeGreaterThan(1);
  });
});

describe('syncOnce', () => {
  it('sends 1,201 records in batches of at most 500 and empties the outbox', async () => {
    const box = new MemoryOutbox(makeRecords(1201));
    const server = new FakeServer();
    const report = await syncOnce(box, server);
    expect(report).toMatchObject({ outcome: 'done', created: 1201, duplicate: 0, rejected: 0 });
    expect(server.calls.map((c) => c.length)).toEqual([500, 500, 201]);
    expect(box.records.size).toBe(0);
    expect(server.stored.size).toBe(1201);
  });

  it('created and duplicate leave the outbox; rejected stay with the reason and are not sent again', async () => {
    const recs = makeRecords(6);
    const box = new MemoryOutbox(recs);
    const server = new FakeServer((r) => (r.batch_no === 'B4' ? 'rejected' : 'created'));
    server.stored.add(recs[1].id); // the server already has one (sent before, answer lost)
    const report = await syncOnce(box, server);
    expect(report).toMatchObject({ outcome: 'done', created: 4, duplicate: 1, rejected: 1 });
    expect([...box.records.keys()]).toEqual([recs[4].id]);
    const kept = box.records.get(recs[4].id)!;
    expect(kept.state).toBe('rejected');
    expect(kept.error).toEqual({ code: 'invalid-argument', message: 'ear tag 398000000000001 belongs to another owner', field: 'animal_tags' });
    // A second sync sends nothing: the rejected record waits for the user.
    const again = await syncOnce(box, server);
    expect(again).toMatchObject({ outcome: 'done', created: 0, duplicate: 0, rejected: 0 });
    expect(server.calls.length).toBe(1);
  });

  it('sending the same records twice stores them once (answer lost on the way back)', async () => {
    const recs = makeRecords(3);
    const server = new FakeServer();
    await syncOnce(new MemoryOutbox(recs), server); // stored, but say the phone never heard back
    const box = new MemoryOutbox(recs);
    const report = await syncOnce(box, server);
    expect(report).toMatchObject({ outcome: 'done', created: 0, duplicate: 3 });
    expect(box.records.size).toBe(0);
    expect(server.stored.size).toBe(3);
  });

  it('401 stops at once and keeps every record', async () => {
    const box = new MemoryOutbox(makeRecords(700));
    const server = new FakeServer();
    server.failures = [new ApiError(401, { title: 'Unauthorized', status: 401 })];
    const report = await syncOnce(box, server);
    expect(report.outcome).toBe('unauthorized');
    expect(server.calls.length).toBe(1);
    expect(box.count('pending')).toBe(700);
  });

  it('403 stops and keeps every record', async () => {
    const box = new MemoryOutbox(makeRecords(3));
    const server = new FakeServer();
    server.failures = [new ApiError(403, { title: 'Forbidden' })];
    expect((await syncOnce(box, server)).outcome).toBe('forbidden');
    expect(box.count('pending')).toBe(3);
  });

  it('no network, 5xx and 429 keep everything for a later retry; what went before stays sent', async () => {
    for (const failure of [new OfflineError(new TypeError('Failed to fetch')), new ApiError(503, { title: 'Unavailable' }), new ApiError(429, { title: 'Too many' })]) {
      const box = new MemoryOutbox(makeRecords(600));
      const server = new FakeServer();
      server.failures = [undefined, failure];
      const report = await syncOnce(box, server);
      expect(report.outcome).toBe('retry');
      expect(report.error).toBe(failure);
      expect(report.created).toBe(500);
      expect(box.count('pending')).toBe(100);
      expect(box.count('rejected')).toBe(0);
    }
  });

  it('a 400 for the whole batch marks the record it names, and the rest go through', async () => {
    const recs = makeRecords(5);
    const box = new MemoryOutbox(recs);
    const server = new FakeServer();
    server.failures = [new ApiError(400, { title: 'Invalid argument', detail: 'records[2].dose_ml must be a number', field: 'records[2].dose_ml' })];
    const report = await syncOnce(box, server);
    expect(report).toMatchObject({ outcome: 'done', created: 4, rejected: 1 });
    expect(box.records.size).toBe(1);
    expect(box.records.get(recs[2].id)).toMatchObject({ state: 'rejected', error: { field: 'dose_ml', message: 'records[2].dose_ml must be a number' } });
    expect(server.calls.map((c) => c.length)).toEqual([5, 4]);
  });

  it('a 400 naming no record splits the batch until one record carries the blame; nothing dropped', async () => {
    const recs = makeRecords(8);
    const bad = recs[5].id;
    const box = new MemoryOutbox(recs);
    const server = new FakeServer();
    const transport: SyncTransport = {
      send: async (rs) => {
        if (rs.some((r) => r.id === bad)) {
          server.calls.push(rs);
          throw new ApiError(400, { title: 'Bad', detail: 'the body is not valid' });
        }
        return server.send(rs);
      },
    };
    const report = await syncOnce(box, transport);
    expect(report.outcome).toBe('done');
    expect(report.created).toBe(7);
    expect(Math.max(...server.calls.map((c) => c.length))).toBe(8);
    expect([...box.records.keys()]).toEqual([bad]);
    expect(box.records.get(bad)).toMatchObject({ state: 'rejected', error: { message: 'the body is not valid' } });
  });

  it('413 halves the batch', async () => {
    const box = new MemoryOutbox(makeRecords(500));
    const server = new FakeServer();
    server.failures = [new ApiError(413, { title: 'Too large' })];
    const report = await syncOnce(box, server);
    expect(report).toMatchObject({ outcome: 'done', created: 500 });
    expect(server.calls.map((c) => c.length)).toEqual([500, 250, 250]);
  });

  it('an answer that names none of the records stops instead of looping', async () => {
    const box = new MemoryOutbox(makeRecords(2));
    const server: SyncTransport = { send: async () => ({ created: 0, duplicate: 0, rejected: 0, results: [] }) };
    expect((await syncOnce(box, server)).outcome).toBe('retry');
    expect(box.count('pending')).toBe(2);
  });

  it('runs prepare before each batch, and its failure keeps the records', async () => {
    const box = new MemoryOutbox(makeRecords(3));
    let prepared = 0;
    const server = new FakeServer();
    const transport: SyncTransport = {
      prepare: async () => {
        prepared++;
        if (prepared === 1) throw new OfflineError();
      },
      send: (r) => server.send(r),
    };
    expect((await syncOnce(box, transport)).outcome).toBe('retry');
    expect(server.calls.length).toBe(0);
    expect((await syncOnce(box, transport)).outcome).toBe('done');
    expect(server.stored.size).toBe(3);
  });
});

describe('applyAnswer', () => {
  it('matches results by id when they are out of order, and leaves unmentioned records pending', () => {
    const recs = makeRecords(3);
    const d = applyAnswer(recs, {
      created: 1,
      duplicate: 0,
      rejected: 1,
      results: [
        { id: recs[1].id.toUpperCase(), status: 'rejected', reason: { title: 'Invalid argument' } },
        { id: recs[0].id, status: 'created' },
      ],
    });
    expect(d.remove).toEqual([recs[0].id]);
    expect(d.reject).toEqual([{ id: recs[1].id, error: { message: 'Invalid argument' } }]);
  });
  it("keeps a rejection's code and the field within the record", () => {
    const recs = makeRecords(1);
    const reason = { type: 'https://herdpass.org/problems/failed-precondition', title: 'Failed precondition', detail: 'ear tag 1 belongs to another owner', field: 'records[0].animal_tags' };
    const d = applyAnswer(recs, { created: 0, duplicate: 0, rejected: 1, results: [{ id: recs[0].id, status: 'rejected', reason }] });
    expect(d.reject).toEqual([{ id: recs[0].id, error: { code: 'failed-precondition', message: 'ear tag 1 belongs to another owner', field: 'animal_tags' } }]);
  });
  it('reads the record a whole-batch problem names', () => {
    expect(namedRecord({ field: 'records[12].administered_on' })).toBe(12);
    expect(namedRecord({ field: 'records' })).toBeNull();
    expect(namedRecord({})).toBeNull();
  });
});

describe('export and import', () => {
  it('round-trips unsent records and skips what is not a record', () => {
    const recs = makeRecords(3);
    recs[2] = { ...recs[2], state: 'rejected', error: { message: 'no' } };
    const file = makeExport([...recs, { ...makeRecords(1)[0], state: 'sent' }], 'dev-1', new Date('2026-11-29T10:00:00Z'));
    expect(file.records.length).toBe(3);
    const text = JSON.stringify({ ...file, records: [...file.records, { id: 'nope' }, null, { id: recs[0].id.replace(/.$/, '0'), record: { id: 'other' } }] });
    const back = parseExport(text);
    expect(back.map((r) => r.id)).toEqual(recs.map((r) => r.id));
    expect(back.map((r) => r.state)).toEqual(['pending', 'pending', 'rejected']);
    expect(back[0].record).toEqual(recs[0].record);
  });
  it('round-trips unsent tag-life events next to the records; a file of records only has none', () => {
    const recs = makeRecords(1);
    const event = (tag: unknown, state: OutboxRecord['state'] = 'pending'): OutboxRecord => {
      const id = uuidv7();
      return { id, state, created_at: '2026-12-06T10:00:00Z', attempts: 0, user: { id: 'u1', username: 'v' }, record: { id, kind: 'died', date: '2026-12-06', tag } };
    };
    const events = [event('398000000000001'), event('398000000000002', 'sent'), event(7)];
    const file = makeExport(recs, 'dev-1', new Date('2026-12-06T10:00:00Z'), events);
    expect(file.events?.map((e) => e.id)).toEqual([events[0].id, events[2].id]);
    const back = parseExportFile(JSON.stringify(file));
    expect(back.records.map((r) => r.id)).toEqual([recs[0].id]);
    // The event without a tag is left out.
    expect(back.events).toEqual([{ ...events[0] }]);
    expect(parseExportFile(JSON.stringify(makeExport(recs))).events).toEqual([]);
    expect(makeExport(recs)).not.toHaveProperty('events');
  });
  it('round-trips the checkpoint passages not yet stored, without the server answer; a file without passages has none', () => {
    const recs = makeRecords(1);
    const passage = (state: OutboxRecord['state'], record: Record<string, unknown> = {}): OutboxRecord & { answer?: unknown } => {
      const id = uuidv7();
      return {
        id,
        state,
        created_at: '2026-12-06T10:00:00Z',
        attempts: 0,
        user: { id: 'u2', username: 'insp' },
        record: { id, certificate: 'KZ-ABY-2026-000123', holding: 4, at: '2026-12-06T09:59:00Z', head_seen: 2, ...record },
      };
    };
    const waiting = passage('pending');
    const refused = { ...passage('rejected'), error: { code: 'not-found', message: 'no such certificate', field: 'certificate' } };
    const stored = { ...passage('sent'), answer: { status: 'created', flag: null, flag_reason: null } };
    const noPlace = passage('pending', { holding: 'x' });
    const file = makeExport(recs, 'dev-1', new Date('2026-12-06T10:00:00Z'), [], [waiting, refused, stored, noPlace]);
    expect(file.passages?.map((p) => p.id)).toEqual([waiting.id, refused.id, noPlace.id]);
    const back = parseExportFile(JSON.stringify(file));
    // The passage with no holding id is left out; the refused one keeps its reason.
    expect(back.passages).toEqual([waiting, refused]);
    expect(back.records.map((r) => r.id)).toEqual([recs[0].id]);
    expect(parseExportFile(JSON.stringify(makeExport(recs))).passages).toEqual([]);
    expect(makeExport(recs, undefined, new Date(), [], [stored])).not.toHaveProperty('passages');
  });
  it('refuses a file that is not an outbox export', () => {
    expect(() => parseExport('hello')).toThrow();
    expect(() => parseExport('{"a":1}')).toThrow();
  });
});

describe('records belong to the user who made them', () => {
  const vaccinator = { id: 'u-vacc', username: 'demo-vaccinator' };
  const other = { id: 'u-other', username: 'another-vaccinator' };

  it("a session sends its own user's records only; the others stay pending, untouched", async () => {
    const mine = makeRecords(3).map((r) => ({ ...r, user: vaccinator }));
    const theirs = makeRecords(2).map((r) => ({ ...r, user: other }));
    const outbox = new MemoryOutbox([...theirs, ...mine]);
    const server = new FakeServer();
    const report = await syncOnce(outbox, server, { user: vaccinator.id });
    expect(report).toMatchObject({ outcome: 'done', created: 3 });
    expect([...server.stored].sort()).toEqual(mine.map((r) => r.id).sort());
    expect([...outbox.records.keys()].sort()).toEqual(theirs.map((r) => r.id).sort());
    expect(outbox.count('pending')).toBe(2);
  });

  it('another user (a vet, an inspector) sends none of them, and the sync ends', async () => {
    const outbox = new MemoryOutbox(makeRecords(4).map((r) => ({ ...r, user: vaccinator })));
    const server = new FakeServer();
    expect(await syncOnce(outbox, server, { user: 'u-vet' })).toMatchObject({ outcome: 'done', created: 0 });
    expect(server.calls.length).toBe(0);
    expect(outbox.count('pending')).toBe(4);
    // With no one signed in, nothing of anyone's.
    expect(await syncOnce(outbox, server, {})).toMatchObject({ outcome: 'done', created: 0 });
    expect(server.calls.length).toBe(0);
  });

  it('belongsTo: the maker, or anyone for a record from before records named their maker', () => {
    expect(belongsTo({ user: vaccinator }, vaccinator.id)).toBe(true);
    expect(belongsTo({ user: vaccinator }, other.id)).toBe(false);
    expect(belongsTo({ user: vaccinator }, undefined)).toBe(false);
    expect(belongsTo({}, other.id)).toBe(true);
  });

  it("counts the others' unsent records per user, most first, leaving out the signed-in user's and sent ones", () => {
    const list = [
      ...makeRecords(3).map((r) => ({ ...r, user: vaccinator })),
      { ...makeRecords(1)[0], user: vaccinator, state: 'rejected' as const },
      { ...makeRecords(1)[0], user: vaccinator, state: 'sent' as const },
      ...makeRecords(2).map((r) => ({ ...r, user: other })),
      ...makeRecords(1).map((r) => ({ ...r, user: { id: 'u-vet', username: 'demo-vet' } })),
      ...makeRecords(1),
    ];
    expect(othersWaiting(list, 'u-vet')).toEqual([
      { username: 'demo-vaccinator', count: 4 },
      { username: 'another-vaccinator', count: 2 },
    ]);
    expect(othersWaiting(list, undefined).map((o) => o.username)).toEqual(['demo-vaccinator', 'another-vaccinator', 'demo-vet']);
  });

  it('an export keeps each record\'s maker; a record naming a broken maker names none', () => {
    const recs = makeRecords(2).map((r) => ({ ...r, user: vaccinator }));
    const file = makeExport(recs);
    const text = JSON.stringify({ ...file, records: [file.records[0], { ...file.records[1], user: { id: 7 } }] });
    const back = parseExport(text);
    expect(back[0].user).toEqual(vaccinator);
    expect(back[1].user).toBeUndefined();
  });
});

describe('phoneKey', () => {
  it('keeps digits and a leading plus', () => {
    expect(phoneKey(' +7 701 555-12 34 ')).toBe('+77015551234');
    expect(phoneKey('8 (701) 555 12 34')).toBe('87015551234');
  });
});

describe('SyncScheduler', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const report = (outcome: SyncReport['outcome']): SyncReport => ({ outcome, created: 0, duplicate: 0, rejected: 0 });

  it('runs one sync at a time: calls during a sync get that sync', async () => {
    let release!: (r: SyncReport) => void;
    const run = vi.fn(() => new Promise<SyncReport>((ok) => (release = ok)));
    const s = new SyncScheduler({ run, online: () => true });
    const a = s.syncNow();
    const b = s.syncNow(true);
    expect(a === b).toBe(true);
    expect(s.snapshot().running).toBe(true);
    release(report('done'));
    expect(await a).toMatchObject({ outcome: 'done' });
    expect(run).toHaveBeenCalledTimes(1);
    expect(s.snapshot().running).toBe(false);
    const c = s.syncNow();
    expect(c === a).toBe(false);
    expect(run).toHaveBeenCalledTimes(2);
    release(report('done'));
    await c;
  });

  it('retries after failures with growing waits, and a sync that gets through resets them', async () => {
    vi.useFakeTimers();
    const outcomes: SyncReport['outcome'][] = ['retry', 'retry', 'retry', 'done'];
    const run = vi.fn(async () => report(outcomes.shift() ?? 'done'));
    const s = new SyncScheduler({ run, online: () => true, random: () => 0 });
    await s.syncNow();
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const at = s.snapshot().nextAttemptAt!;
      waits.push(at - Date.now());
      await vi.advanceTimersByTimeAsync(at - Date.now() - 1);
      expect(run).toHaveBeenCalledTimes(i + 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(run).toHaveBeenCalledTimes(i + 2);
    }
    expect(waits).toEqual([1000, 2000, 4000]);
    expect(s.snapshot()).toMatchObject({ attempt: 0, nextAttemptAt: undefined, last: { outcome: 'done' } });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(run).toHaveBeenCalledTimes(4);
  });

  it('a failure that goes on waits at most 5 minutes between tries', async () => {
    vi.useFakeTimers();
    const run = vi.fn(async () => report('retry'));
    const s = new SyncScheduler({ run, online: () => true, random: () => 1 });
    await s.syncNow();
    for (let i = 0; i < 12; i++) await vi.advanceTimersByTimeAsync(s.snapshot().nextAttemptAt! - Date.now());
    expect(run).toHaveBeenCalledTimes(13);
    expect(s.snapshot().nextAttemptAt! - Date.now()).toBe(BACKOFF_CAP_MS);
  });

  it('the button starts the backoff afresh; 401 schedules nothing', async () => {
    vi.useFakeTimers();
    const outcomes: SyncReport['outcome'][] = ['retry', 'retry', 'retry', 'unauthorized'];
    const run = vi.fn(async () => report(outcomes.shift() ?? 'done'));
    const s = new SyncScheduler({ run, online: () => true, random: () => 0 });
    await s.syncNow();
    await s.syncNow();
    await s.syncNow();
    expect(s.snapshot().attempt).toBe(3);
    await s.syncNow(true);
    expect(s.snapshot()).toMatchObject({ attempt: 0, nextAttemptAt: undefined, last: { outcome: 'unauthorized' } });
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(run).toHaveBeenCalledTimes(4);
  });

  it('a retry due with no network waits for the network; the tick respects the retry time and the count', async () => {
    vi.useFakeTimers();
    let online = false;
    const run = vi.fn(async () => report(run.mock.calls.length === 1 ? 'retry' : 'done'));
    const s = new SyncScheduler({ run, online: () => online, random: () => 0 });
    await s.syncNow();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(run).toHaveBeenCalledTimes(1);
    online = true;
    s.tick(0);
    expect(run).toHaveBeenCalledTimes(1);
    s.tick(3);
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(2);
    expect(s.snapshot().last?.outcome).toBe('done');
  });

  it('another tab syncing: tries again in a few seconds', async () => {
    vi.useFakeTimers();
    const run = vi.fn(async () => report(run.mock.calls.length === 1 ? 'busy' : 'done'));
    const s = new SyncScheduler({ run, online: () => true });
    await s.syncNow();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(run).toHaveBeenCalledTimes(2);
  });
});
