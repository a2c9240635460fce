// The outbox and its sync. A vaccination record made on the phone is saved at once in IndexedDB
// (db.ts `outbox`, keyed by its UUIDv7) and waits there until the server has it. Sync sends the
// waiting records in batches of at most 500 to POST /vaccinations/batch when the network is back
// (the window's `online` event, at start, every 60 s while records wait, and the "Sync now" button),
// one sync at a time (also across tabs, through navigator.locks where there is one).
//
// Per record the server answers created, duplicate (it already had the id: sending twice stores
// once) or rejected with a reason. Created and duplicate leave the outbox; rejected stay, marked
// with the reason, and are not sent again until the user discards them (or sends them again).
// Each record carries the user who made it (`user`); a session sends only its own user's records,
// and the others wait on the phone for their maker to sign in again (a phone is often shared).
// No answer, 5xx and 429 are retried with exponential backoff and jitter, capped at 5 minutes; 401
// stops until the user signs in again; a 400 for the whole batch marks the record the server names
// (splitting the batch when it names none), so nothing is ever dropped silently.
//
// The decisions are pure functions over a port (the outbox) and a transport (the API), so the unit
// tests run them in node with fakes; the rest of this file binds them to IndexedDB and fetch.
import { ApiError, api, sendFailure, type Problem } from './api';
import { session } from './auth';
import { db, kvGet, kvSet, type OutboxRecord, type RecordMaker } from './db';
import type { EventRecord, TagEventBody } from './tag_life';
import type { FlockChoice, FlockEventBody, FlockEventRecord } from './flock_life';
import { syncOutbreaks, type OutbreakBody, type OutbreakPort, type OutbreakRecord, type SendOutbreak } from './outbreaks';
import { isArrival, syncPassages, type ArrivalScan, type PassageBody, type PassagePort, type PassageRecord, type SendPassage } from './passages';
import { UUID_RE, uuidv4 } from './uuid';

export type { OutboxRecord, RecordMaker };

export const MAX_BATCH = 500;
// The server refuses bodies over 1 MiB; a batch of big records (many ear tags each) is cut earlier.
export const MAX_BATCH_BYTES = 900 * 1024;
export const BACKOFF_BASE_MS = 2_000;
export const BACKOFF_CAP_MS = 5 * 60_000;
export const PERIOD_MS = 60_000;
export const SEND_TIMEOUT_MS = 60_000;

// ---------------------------------------------------------------------------------------------
// The pure part.

export interface BatchResult {
  id: string;
  status: 'created' | 'duplicate' | 'rejected';
  owner_id?: number;
  reason?: Problem;
}

export interface BatchAnswer {
  created: number;
  duplicate: number;
  rejected: number;
  results: BatchResult[];
}

export type RecordError = NonNullable<OutboxRecord['error']>;

export interface OutboxPort {
  // Records waiting to be sent, oldest first.
  pending(): Promise<OutboxRecord[]>;
  // The server has them (created or duplicate).
  remove(ids: string[]): Promise<void>;
  // The server refused them: kept, with the reason, and not sent again.
  reject(rejections: { id: string; error: RecordError }[]): Promise<void>;
}

export interface SyncTransport {
  // Anything the batch needs first (owners registered with their village). May throw like send.
  prepare?(batch: OutboxRecord[]): Promise<void>;
  send(records: Record<string, unknown>[]): Promise<BatchAnswer>;
}

export type SyncOutcome =
  | 'done' // nothing is left to send
  | 'retry' // no network, the server failed or is busy: try again later
  | 'unauthorized' // 401: sign in again; records kept
  | 'forbidden' // 403: this user may not record; records kept
  | 'busy'; // another tab is syncing

export interface SyncReport {
  outcome: SyncOutcome;
  created: number;
  duplicate: number;
  rejected: number;
  error?: unknown;
}

const utf8 = new TextEncoder();

// Groups records into batches of at most `maxCount` records and about `maxBytes` of JSON, in order.
export function planBatches<T extends { record: unknown }>(
  records: T[],
  maxCount = MAX_BATCH,
  maxBytes = MAX_BATCH_BYTES,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = utf8.encode(JSON.stringify(r.record)).length + 1;
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

// The wait before retry number `attempt` (0 for the first retry): doubling from 2 s, capped at
// 5 minutes, with "equal jitter" (between half and all of it) so that phones coming back online
// together do not all knock at once.
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const d = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.round(d / 2 + random() * (d / 2));
}

// A refused record's reason as the outbox keeps it: the problem's stable code and the field at fault
// within the record (the batch's "records[0].animal_tags" is the record's "animal_tags"); the
// English detail is kept for developers and exports, never shown (errors.ts recordErrorMessage).
export function problemError(p: Problem | undefined, fallback = 'rejected'): RecordError {
  const type = typeof p?.type === 'string' ? p.type.split('/').pop() : undefined;
  const message = String(p?.detail || p?.title || fallback);
  const field = typeof p?.field === 'string' && p.field ? p.field.replace(/^records\[\d+\]\./, '') : undefined;
  return { ...(type ? { code: type } : {}), message, ...(field ? { field } : {}) };
}

// What a batch answer means for the records sent: which leave the outbox, which are rejected.
// Results come in the order of the records; matched by id when they do not line up. A record the
// answer does not mention stays pending.
export function applyAnswer(
  batch: OutboxRecord[],
  answer: BatchAnswer,
): { remove: string[]; reject: { id: string; error: RecordError }[]; created: number; duplicate: number } {
  const out = { remove: [] as string[], reject: [] as { id: string; error: RecordError }[], created: 0, duplicate: 0 };
  const results = Array.isArray(answer?.results) ? answer.results : [];
  const byId = new Map(results.map((r) => [String(r.id).toLowerCase(), r]));
  batch.forEach((rec, i) => {
    const inOrder = results[i];
    const r = inOrder && String(inOrder.id).toLowerCase() === rec.id.toLowerCase() ? inOrder : byId.get(rec.id.toLowerCase());
    if (!r) return;
    if (r.status === 'created' || r.status === 'duplicate') {
      out.remove.push(rec.id);
      if (r.status === 'created') out.created++;
      else out.duplicate++;
    } else if (r.status === 'rejected') {
      out.reject.push({ id: rec.id, error: problemError(r.reason) });
    }
  });
  return out;
}

// The index of the record a whole-batch 400 names ("records[3].dose_ml"), or null.
export function namedRecord(p: Problem | undefined): number | null {
  const m = /^records\[(\d+)\]/.exec(typeof p?.field === 'string' ? p.field : '');
  return m ? Number(m[1]) : null;
}

// Whether `userId`'s session may send this record: its maker's, or a record from before records
// carried their maker.
export function belongsTo(r: Pick<OutboxRecord, 'user'>, userId: string | undefined): boolean {
  return !r.user || (userId !== undefined && r.user.id === userId);
}

// The unsent records (waiting or rejected) of other users than `userId`, per user, most first.
export function othersWaiting(records: Pick<OutboxRecord, 'user' | 'state'>[], userId: string | undefined): { username: string; count: number }[] {
  const counts = new Map<string, { username: string; count: number }>();
  for (const r of records) {
    if (r.state === 'sent' || belongsTo(r, userId) || !r.user) continue;
    const c = counts.get(r.user.id) ?? { username: r.user.username, count: 0 };
    c.count++;
    counts.set(r.user.id, c);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.username.localeCompare(b.username));
}

// Sends everything of `options.user` (the signed-in user's id) that waits, batch after batch, until
// none is left or something stops it. Other users' records are never sent.
export async function syncOnce(
  port: OutboxPort,
  transport: SyncTransport,
  options: { maxCount?: number; maxBytes?: number; user?: string } = {},
): Promise<SyncReport> {
  const report: SyncReport = { outcome: 'done', created: 0, duplicate: 0, rejected: 0 };
  let maxCount = Math.max(1, options.maxCount ?? MAX_BATCH);
  const maxBytes = options.maxBytes ?? MAX_BATCH_BYTES;
  // Every turn removes, rejects or shrinks the batch; the guard only stops a misbehaving server.
  for (let turn = 0; turn < 100_000; turn++) {
    const pending = (await port.pending()).filter((r) => belongsTo(r, options.user));
    if (pending.length === 0) return report;
    const batch = planBatches(pending, maxCount, maxBytes)[0];
    try {
      await transport.prepare?.(batch);
      const answer = await transport.send(batch.map((r) => r.record));
      const d = applyAnswer(batch, answer);
      if (d.remove.length) await port.remove(d.remove);
      if (d.reject.length) await port.reject(d.reject);
      report.created += d.created;
      report.duplicate += d.duplicate;
      report.rejected += d.reject.length;
      if (d.remove.length + d.reject.length === 0) {
        return { ...report, outcome: 'retry', error: new Error('the server answered no record of the batch') };
      }
    } catch (e) {
      if (e instanceof ApiError) {
        if (e.status === 401) return { ...report, outcome: 'unauthorized', error: e };
        if (e.status === 403) return { ...report, outcome: 'forbidden', error: e };
        if (e.status === 400 || e.status === 413) {
          const i = e.status === 400 ? namedRecord(e.problem) : null;
          if (i !== null && i < batch.length) {
            // The server names the record that spoils the batch: that one is rejected, the rest go again.
            await port.reject([{ id: batch[i].id, error: problemError(e.problem) }]);
            report.rejected++;
            continue;
          }
          if (batch.length > 1) {
            // Too big, or refused without naming a record: send smaller batches until it does.
            maxCount = Math.max(1, Math.floor(batch.length / 2));
            continue;
          }
          await port.reject([{ id: batch[0].id, error: problemError(e.problem) }]);
          report.rejected++;
          continue;
        }
      }
      // No network, 5xx, 429, a timeout, anything unexpected: keep everything, try again later.
      return { ...report, outcome: 'retry', error: e };
    }
  }
  return { ...report, outcome: 'retry' };
}

// Sends one event: resolves with the server's answer (201 or 200), throws ApiError otherwise.
export type SendEvent = (tag: string, body: TagEventBody) => Promise<{ status?: string } | null>;

// Sends the waiting events of `options.user`, oldest first, one by one. Created and duplicate
// leave the phone; a 4xx refuses the event (kept with its reason, not sent again until the user
// says so); 401 and 403 stop with everything kept; no answer, 429 and 5xx stop for a retry.
// A flock event (flock_life.ts: `flock`, the flock's id, in place of a tag) goes by `sendFlock`.
export type SendFlockEvent = (flock: number, body: FlockEventBody) => Promise<{ status?: string } | null>;

export async function syncEvents(port: OutboxPort, send: SendEvent, options: { user?: string } = {}, sendFlock?: SendFlockEvent): Promise<SyncReport> {
  const report: SyncReport = { outcome: 'done', created: 0, duplicate: 0, rejected: 0 };
  const pending = (await port.pending()).filter((r) => belongsTo(r, options.user));
  for (const r of pending) {
    try {
      let answer: { status?: string } | null;
      if (typeof r.record.flock === 'number') {
        if (!sendFlock) continue;
        const { flock, species: _species, ...body } = (r as FlockEventRecord).record;
        answer = await sendFlock(flock, body);
      } else {
        const { tag, ...body } = (r as EventRecord).record;
        answer = await send(String(tag), body);
      }
      await port.remove([r.id]);
      if (answer?.status === 'duplicate') report.duplicate++;
      else report.created++;
    } catch (e) {
      const failure = sendFailure(e);
      if (failure !== 'refused') return { ...report, outcome: failure, error: e };
      await port.reject([{ id: r.id, error: problemError((e as ApiError).problem) }]);
      report.rejected++;
    }
  }
  return report;
}

export interface SyncState {
  running: boolean;
  last?: SyncReport & { at: string };
  nextAttemptAt?: number; // ms, when a retry is scheduled
  attempt: number; // retries since the last sync that got through
}

export const BUSY_WAIT_MS = 5_000;

// When to sync: one at a time, retries after a failure with backoff (the attempt count grows until
// a sync gets through or the user asks), and a periodic tick that respects a retry's time.
export class SyncScheduler {
  private current: Promise<SyncReport> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly state: SyncState = { running: false, attempt: 0 };

  constructor(
    private readonly deps: {
      run: () => Promise<SyncReport>;
      online: () => boolean;
      onChange?: (s: SyncState) => void;
      onSettled?: () => void;
      random?: () => number;
    },
  ) {}

  snapshot(): SyncState {
    return { ...this.state };
  }

  syncNow(manual = false): Promise<SyncReport> {
    if (this.current) return this.current;
    if (manual) this.state.attempt = 0;
    this.cancelRetry();
    this.state.running = true;
    this.deps.onChange?.(this.snapshot());
    this.current = (async (): Promise<SyncReport> => {
      let report: SyncReport;
      try {
        report = await this.deps.run();
      } catch (e) {
        report = { outcome: 'retry', created: 0, duplicate: 0, rejected: 0, error: e };
      }
      if (report.outcome === 'retry' || report.outcome === 'busy') {
        this.schedule(report.outcome === 'busy' ? BUSY_WAIT_MS : backoffDelay(this.state.attempt, this.deps.random));
        this.state.attempt++;
      } else {
        this.state.attempt = 0;
      }
      this.state.last = { ...report, at: new Date().toISOString() };
      return report;
    })().finally(() => {
      this.current = null;
      this.state.running = false;
      this.deps.onSettled?.();
      this.deps.onChange?.(this.snapshot());
    });
    return this.current;
  }

  // Every minute: send when records wait and the network is up, unless a retry waits for its time.
  tick(pending: number): void {
    if (this.current || pending <= 0 || !this.deps.online()) return;
    if (this.state.nextAttemptAt !== undefined && Date.now() < this.state.nextAttemptAt) return;
    void this.syncNow();
  }

  stop(): void {
    this.cancelRetry();
  }

  private schedule(delay: number): void {
    this.cancelRetry();
    this.state.nextAttemptAt = Date.now() + delay;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.state.nextAttemptAt = undefined;
      // With no network at all, the `online` event starts the next try instead.
      if (this.deps.online()) void this.syncNow();
      else this.deps.onChange?.(this.snapshot());
    }, delay);
  }

  private cancelRetry(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.state.nextAttemptAt = undefined;
  }
}

// The file a user exports unsent records to, and imports again (on this phone or another one).
export const EXPORT_FORMAT = 'herdpass-outbox';

export interface OutboxExport {
  format: typeof EXPORT_FORMAT;
  version: 1;
  exported_at: string;
  device_id?: string;
  records: OutboxRecord[];
  events?: OutboxRecord[]; // tag-life events (tag_life.ts), when any wait
  passages?: OutboxRecord[]; // checkpoint passages (passages.ts) not yet stored, when any
}

export function makeExport(records: OutboxRecord[], deviceId?: string, now = new Date(), events: OutboxRecord[] = [], passages: OutboxRecord[] = []): OutboxExport {
  const unsentEvents = events.filter((r) => r.state !== 'sent');
  // A sent passage keeps the server's answer on the phone; only those not stored go in the file.
  const unsentPassages = passages.filter((r) => r.state !== 'sent').map(({ answer: _answer, ...r }: OutboxRecord & { answer?: unknown }) => r);
  return {
    format: EXPORT_FORMAT,
    version: 1,
    exported_at: now.toISOString(),
    ...(deviceId ? { device_id: deviceId } : {}),
    records: records.filter((r) => r.state !== 'sent'),
    ...(unsentEvents.length ? { events: unsentEvents } : {}),
    ...(unsentPassages.length ? { passages: unsentPassages } : {}),
  };
}

// The records of an export file, checked: each has a UUID id equal to its record's id; each keeps
// its maker. Throws on a file that is not an export at all.
export function parseExport(text: string): OutboxRecord[] {
  return parseExportFile(text).records;
}

// The W1 records and the tag-life events of an export file, checked as parseExport says (an event
// also names the animal's tag).
export function parseExportFile(text: string): { records: OutboxRecord[]; events: OutboxRecord[]; passages: OutboxRecord[] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error('not JSON');
  }
  const list = Array.isArray(data) ? data : (data as OutboxExport | null)?.records;
  if (!Array.isArray(list)) throw new Error('not a HerdPass outbox file');
  const events = Array.isArray(data) ? [] : (data as OutboxExport).events;
  const passages = Array.isArray(data) ? [] : (data as OutboxExport).passages;
  return {
    records: checkedItems(list),
    events: checkedItems(Array.isArray(events) ? events : []).filter(
      (r) => (typeof r.record.tag === 'string' || Number.isInteger(r.record.flock)) && typeof r.record.kind === 'string',
    ),
    // A passage names its certificate and the place (a holding id).
    passages: checkedItems(Array.isArray(passages) ? passages : []).filter(
      (r) => typeof r.record.certificate === 'string' && r.record.certificate !== '' && Number.isInteger(r.record.holding) && typeof r.record.at === 'string',
    ),
  };
}

function checkedItems(list: unknown[]): OutboxRecord[] {
  const out: OutboxRecord[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const rec = (item as OutboxRecord).record;
    const id = (item as OutboxRecord).id;
    if (typeof id !== 'string' || !UUID_RE.test(id) || !rec || typeof rec !== 'object' || rec.id !== id) continue;
    const o = item as OutboxRecord;
    const user = o.user && typeof o.user.id === 'string' && typeof o.user.username === 'string' ? { id: o.user.id, username: o.user.username } : undefined;
    out.push({
      id: id.toLowerCase(),
      ...(user ? { user } : {}),
      state: o.state === 'rejected' ? 'rejected' : 'pending',
      created_at: typeof o.created_at === 'string' ? o.created_at : new Date().toISOString(),
      record: rec,
      ...(o.state === 'rejected' && o.error ? { error: o.error } : {}),
      attempts: 0,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The browser part: IndexedDB, the API, timers and events.

// The port over one of the two stores of things made on this phone: W1 records (`outbox`) or
// tag-life events (`events`).
function idbPort(name: 'outbox' | 'events'): OutboxPort {
  return {
    async pending() {
      const list = await (await db()).getAllFromIndex(name, 'state', 'pending');
      return list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    async remove(ids) {
      const tx = (await db()).transaction(name, 'readwrite');
      await Promise.all([...ids.map((id) => tx.store.delete(id)), tx.done]);
      changed();
    },
    async reject(rejections) {
      const tx = (await db()).transaction(name, 'readwrite');
      await Promise.all([
        ...rejections.map(async ({ id, error }) => {
          const r = await tx.store.get(id);
          if (r) await tx.store.put({ ...r, state: 'rejected', error, attempts: r.attempts + 1 });
        }),
        tx.done,
      ]);
      changed();
    },
  };
}

export const idbOutbox = idbPort('outbox');
export const idbEvents = idbPort('events');

const sendEvent: SendEvent = (tag, body) =>
  api<{ status?: string }>('POST', `/animals/${encodeURIComponent(tag)}/events`, body, undefined, SEND_TIMEOUT_MS);

const sendFlockEvent: SendFlockEvent = (flock, body) =>
  api<{ status?: string }>('POST', `/flocks/${flock}/events`, body, undefined, SEND_TIMEOUT_MS);

// A phone number as a key: digits and a leading plus, nothing else.
export function phoneKey(phone: string): string {
  const s = phone.trim();
  return (s.startsWith('+') ? '+' : '') + s.replace(/\D/g, '');
}

// Owners created on this phone with a village: registered with POST /owners before their first
// batch, since a batch record carries the owner's name but not the village. 409 (already known)
// and 400 (the batch will say what is wrong with the phone) end the attempt; the rest is thrown.
async function registerOwners(batch: OutboxRecord[]): Promise<void> {
  const phones = new Set(batch.map((r) => phoneKey(String(r.record.owner_phone ?? ''))));
  const owners = await (await db()).getAll('owners');
  for (const o of owners) {
    if (!o.register || !phones.has(o.phone)) continue;
    let done: Record<string, unknown> = { register: false };
    try {
      const created = await api<{ id: number; phone: string }>('POST', '/owners', {
        phone: o.typed ?? o.phone,
        name: o.name,
        village: o.village,
      });
      done = { ...done, id: created.id, e164: created.phone };
    } catch (e) {
      if (!(e instanceof ApiError) || ![400, 409, 422].includes(e.status)) throw e;
    }
    await (await db()).put('owners', { ...o, ...done });
  }
}

const apiTransport: SyncTransport = {
  prepare: registerOwners,
  send(records) {
    return api<BatchAnswer>('POST', '/vaccinations/batch', { records }, undefined, SEND_TIMEOUT_MS, true);
  },
};

let started = false;
let lastCount = -1;
// Made by startAutoSync: other tabs of the app recount when this one changes the outbox.
let channel: BroadcastChannel | null = null;

export function syncState(): SyncState {
  return scheduler.snapshot();
}

function emitState(): void {
  window.dispatchEvent(new CustomEvent('hp:sync', { detail: syncState() }));
}

async function runSync(): Promise<SyncReport> {
  if (!session()) {
    // Signed out: nothing can go; the records wait for the next sign-in.
    const waiting = await pendingCount();
    return { outcome: waiting ? 'unauthorized' : 'done', created: 0, duplicate: 0, rejected: 0 };
  }
  const user = session()?.user.id;
  // W1 records first: one may register the animal an event is about.
  return withLock(async () => {
    const records = await syncOnce(idbOutbox, apiTransport, { user });
    if (records.outcome !== 'done') return records;
    const events = await syncEvents(idbEvents, sendEvent, { user }, sendFlockEvent);
    if (events.outcome !== 'done') return events;
    const passages = await syncPassages(idbPassages, sendPassage, { user });
    // W14 reports last; they go only when everything before them went.
    const none = { created: 0, duplicate: 0, rejected: 0 };
    const outbreaks = passages.outcome === 'done' ? await syncOutbreaks(idbOutbreaks, sendOutbreak, { user }) : { ...passages, ...none };
    return {
      ...outbreaks,
      created: records.created + events.created + passages.created + outbreaks.created,
      duplicate: records.duplicate + events.duplicate + passages.duplicate + outbreaks.duplicate,
      rejected: records.rejected + events.rejected + passages.rejected + outbreaks.rejected,
    };
  });
}

const scheduler = new SyncScheduler({
  run: runSync,
  online: () => navigator.onLine,
  onChange: () => {
    if (typeof window !== 'undefined') emitState();
  },
  onSettled: () => void announce(),
});

// Counts the signed-in user's waiting records and tells the header (and this screen) about them
// (`hp:outbox`, a number), and about the records other users left on this phone (`hp:outbox-others`).
async function announce(): Promise<void> {
  const all = await everything();
  const user = session()?.user.id;
  const n = all.filter((r) => r.state === 'pending' && belongsTo(r, user)).length;
  lastCount = n;
  window.dispatchEvent(new CustomEvent('hp:outbox', { detail: n }));
  window.dispatchEvent(new CustomEvent('hp:outbox-others', { detail: othersWaiting(all, user) }));
}

export const announceOutbox = announce;

// The records other users left on this phone, per user (for the header's note).
export async function othersOnPhone(): Promise<{ username: string; count: number }[]> {
  return othersWaiting(await everything(), session()?.user.id);
}

// Both stores' contents: W1 records and tag-life events.
async function everything(): Promise<OutboxRecord[]> {
  const d = await db();
  return [...(await d.getAll('outbox')), ...(await d.getAll('events')), ...(await d.getAll('passages')), ...(await d.getAll('outbreaks'))];
}

// Something in the outbox changed here: this tab and the others recount.
function changed(): void {
  void announce();
  channel?.postMessage('changed');
}

// The signed-in user's waiting records (all waiting records when no one is signed in).
export async function pendingCount(): Promise<number> {
  const s = session();
  const d = await db();
  const list = [
    ...(await d.getAllFromIndex('outbox', 'state', 'pending')),
    ...(await d.getAllFromIndex('events', 'state', 'pending')),
    ...(await d.getAllFromIndex('passages', 'state', 'pending')),
    ...(await d.getAllFromIndex('outbreaks', 'state', 'pending')),
  ];
  return s ? list.filter((r) => belongsTo(r, s.user.id)).length : list.length;
}

// The signed-in user's waiting and rejected records, newest first (all of them when no one is
// signed in: the session ended, the screen says to sign in again and shows what waits).
export async function listOutbox(): Promise<OutboxRecord[]> {
  const all = await (await db()).getAll('outbox');
  const s = session();
  return all
    .filter((r) => r.state !== 'sent' && (!s || belongsTo(r, s.user.id)))
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

// The signed-in user's waiting and refused tag-life events, newest first (all when no one is signed in).
export async function listEvents(): Promise<EventRecord[]> {
  const all = (await (await db()).getAll('events')) as EventRecord[];
  const s = session();
  return all
    .filter((r) => r.state !== 'sent' && (!s || belongsTo(r, s.user.id)))
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

// Saves a tag-life event made on this phone (its body with a UUIDv7 `id`, and the animal's tag) as
// the signed-in user's, then tries to send.
export async function addEvent(tag: string, body: TagEventBody): Promise<void> {
  const s = session();
  const user = s ? { id: s.user.id, username: s.user.username } : undefined;
  const rec: EventRecord = { id: body.id, ...(user ? { user } : {}), state: 'pending', created_at: new Date().toISOString(), record: { ...body, tag }, attempts: 0 };
  await (await db()).put('events', rec);
  changed();
  if (navigator.onLine) void syncNow();
}

// Saves a flock event made on this phone (flock_life.ts) in the events store, with the flock's id and
// species (shown in the list; not sent), as the signed-in user's, then tries to send.
export async function addFlockEvent(flock: FlockChoice, body: FlockEventBody): Promise<void> {
  const s = session();
  const user = s ? { id: s.user.id, username: s.user.username } : undefined;
  const rec: FlockEventRecord = {
    id: body.id,
    ...(user ? { user } : {}),
    state: 'pending',
    created_at: new Date().toISOString(),
    record: { ...body, flock: flock.id, species: flock.species },
    attempts: 0,
  };
  await (await db()).put('events', rec);
  changed();
  if (navigator.onLine) void syncNow();
}

// The user gives a refused event up.
export const discardEvent = (id: string): Promise<void> => discard(id, 'events');

// The user sends a refused event again.
export const resendEvent = (id: string): Promise<void> => resend(id, 'events');

// --- checkpoint passages (passages.ts) ---

// The `passages` store: sent passages stay, with the server's answer (the screen shows a flag).
const idbPassages: PassagePort = {
  async pending() {
    const list = (await (await db()).getAllFromIndex('passages', 'state', 'pending')) as PassageRecord[];
    return list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  },
  async sent(id, answer) {
    const tx = (await db()).transaction('passages', 'readwrite');
    const r = (await tx.store.get(id)) as PassageRecord | undefined;
    if (r) await tx.store.put({ ...r, state: 'sent', answer, attempts: r.attempts + 1 } as PassageRecord);
    await tx.done;
    changed();
  },
  async reject(id, error) {
    const tx = (await db()).transaction('passages', 'readwrite');
    const r = await tx.store.get(id);
    if (r) await tx.store.put({ ...r, state: 'rejected', error, attempts: r.attempts + 1 });
    await tx.done;
    changed();
  },
};

// A passage goes to /passages; an arrival (issue 14 item 5) to /consume, without its phone-only mark.
const sendPassage: SendPassage = (certificate, body) => {
  const ref = encodeURIComponent(certificate);
  if ('kind' in body && body.kind === 'arrival') {
    const { kind: _kind, ...arrival } = body;
    return api('POST', `/certificates/${ref}/consume`, arrival, undefined, SEND_TIMEOUT_MS);
  }
  return api('POST', `/certificates/${ref}/passages`, body, undefined, SEND_TIMEOUT_MS);
};

async function listScans(arrivals: boolean): Promise<PassageRecord[]> {
  const all = (await (await db()).getAll('passages')) as PassageRecord[];
  const s = session();
  return all
    .filter((r) => isArrival(r) === arrivals && (!s || belongsTo(r, s.user.id)))
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

// The signed-in user's passages on this phone (waiting, refused and sent), newest first.
export const listPassages = (): Promise<PassageRecord[]> => listScans(false);

// The signed-in user's arrivals scanned on this phone (waiting, refused and sent, with the server's
// answer: consumed, or a double use naming the first use), newest first.
export const listArrivals = (): Promise<PassageRecord[]> => listScans(true);

// Saves an arrival scanned on this phone (its id and scan time made here) as the signed-in user's,
// to go out with the passages; then tries to send.
export const addArrival = (certificate: string, body: ArrivalScan): Promise<void> => addPassage(certificate, body);

// Saves a passage scanned on this phone as the signed-in user's, then tries to send.
export async function addPassage(certificate: string, body: PassageBody | ArrivalScan): Promise<void> {
  const s = session();
  const user = s ? { id: s.user.id, username: s.user.username } : undefined;
  const rec: PassageRecord = { id: body.id, ...(user ? { user } : {}), state: 'pending', created_at: new Date().toISOString(), record: { ...body, certificate }, attempts: 0 };
  await (await db()).put('passages', rec);
  changed();
  if (navigator.onLine) void syncNow();
}

// --- outbreak reports (outbreaks.ts) ---

// The `outbreaks` store: sent reports stay, so the reporter sees what went.
const idbOutbreaks: OutbreakPort = {
  async pending() {
    const list = (await (await db()).getAllFromIndex('outbreaks', 'state', 'pending')) as OutbreakRecord[];
    return list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  },
  async sent(id, answer) {
    const tx = (await db()).transaction('outbreaks', 'readwrite');
    const r = (await tx.store.get(id)) as OutbreakRecord | undefined;
    if (r) await tx.store.put({ ...r, state: 'sent', answer, attempts: r.attempts + 1 } as OutbreakRecord);
    await tx.done;
    changed();
  },
  async reject(id, error) {
    const tx = (await db()).transaction('outbreaks', 'readwrite');
    const r = await tx.store.get(id);
    if (r) await tx.store.put({ ...r, state: 'rejected', error, attempts: r.attempts + 1 });
    await tx.done;
    changed();
  },
};

const sendOutbreak: SendOutbreak = (body) => api('POST', '/outbreaks', body, undefined, SEND_TIMEOUT_MS);

// The signed-in user's reports on this phone (waiting, refused and sent), newest first.
export async function listOutbreakReports(): Promise<OutbreakRecord[]> {
  const all = (await (await db()).getAll('outbreaks')) as OutbreakRecord[];
  const s = session();
  return all.filter((r) => !s || belongsTo(r, s.user.id)).sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

// Saves a report made on this phone as the signed-in user's (with the holding's name, shown on the
// phone and not sent), then tries to send.
export async function addOutbreak(body: OutbreakBody, holdingName?: string): Promise<void> {
  const s = session();
  const user = s ? { id: s.user.id, username: s.user.username } : undefined;
  const rec: OutbreakRecord = {
    id: body.id,
    ...(user ? { user } : {}),
    state: 'pending',
    created_at: new Date().toISOString(),
    record: { ...body, ...(holdingName ? { holding_name: holdingName } : {}) },
    attempts: 0,
  };
  await (await db()).put('outbreaks', rec);
  changed();
  if (navigator.onLine) void syncNow();
}

// The id of this phone, made once.
export async function deviceId(): Promise<string> {
  let id = await kvGet<string>('device_id');
  if (!id) {
    id = uuidv4();
    await kvSet('device_id', id);
  }
  return id;
}

// Saves records made on this phone (each with its UUIDv7 `id`) in one transaction, then tries to send.
// Each record is the signed-in user's: it goes out in their session only. `kv` values are written
// in the same transaction (a value undefined removes its key): the screen's draft without the saved
// vaccination goes in with the records, or neither does.
export async function addRecords(records: Record<string, unknown>[], kv: { key: string; value: unknown }[] = []): Promise<void> {
  const s = session();
  const user = s ? { id: s.user.id, username: s.user.username } : undefined;
  const tx = (await db()).transaction(['outbox', 'kv'], 'readwrite');
  const outbox = tx.objectStore('outbox');
  const store = tx.objectStore('kv');
  const now = new Date().toISOString();
  await Promise.all([
    ...records.map((record) =>
      outbox.put({ id: String(record.id), ...(user ? { user } : {}), state: 'pending', created_at: now, record, attempts: 0 }),
    ),
    ...kv.map(({ key, value }) => (value === undefined ? store.delete(key) : store.put(value, key))),
    tx.done,
  ]);
  changed();
  if (navigator.onLine) void syncNow();
}

// The user gives a rejected record (or, from `events`, a refused event) up.
export async function discard(id: string, from: 'outbox' | 'events' = 'outbox'): Promise<void> {
  await (await db()).delete(from, id);
  changed();
}

// The user sends a rejected record (or event) again, after fixing what the reason said.
export async function resend(id: string, from: 'outbox' | 'events' = 'outbox'): Promise<void> {
  const d = await db();
  const r = await d.get(from, id);
  if (!r) return;
  const { error: _error, ...rest } = r;
  await d.put(from, { ...rest, state: 'pending' });
  changed();
  void syncNow(true);
}

export async function exportUnsent(): Promise<{ text: string; count: number }> {
  const data = makeExport(await listOutbox(), await deviceId(), new Date(), await listEvents(), await listPassages());
  return { text: JSON.stringify(data, null, 1), count: data.records.length + (data.events?.length ?? 0) + (data.passages?.length ?? 0) };
}

// Adds the records of an export file, skipping ids already here. Records that name no maker (files
// from before records carried one) become the importing user's. Returns how many were added and skipped.
export async function importUnsent(text: string): Promise<{ added: number; skipped: number }> {
  const s = session();
  const file = parseExportFile(text);
  const mine = (r: OutboxRecord) => (r.user || !s ? r : { ...r, user: { id: s.user.id, username: s.user.username } });
  const tx = (await db()).transaction(['outbox', 'events', 'passages'], 'readwrite');
  let added = 0;
  let skipped = 0;
  for (const [name, list] of [['outbox', file.records], ['events', file.events], ['passages', file.passages]] as const) {
    const store = tx.objectStore(name);
    for (const r of list.map(mine)) {
      if (await store.getKey(r.id)) {
        skipped++;
        continue;
      }
      await store.add(r);
      added++;
    }
  }
  await tx.done;
  changed();
  if (added && navigator.onLine) void syncNow();
  return { added, skipped };
}

async function withLock(fn: () => Promise<SyncReport>): Promise<SyncReport> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks?.request) return fn();
  return locks.request('herdpass-sync', { ifAvailable: true }, async (lock) =>
    lock ? fn() : { outcome: 'busy' as const, created: 0, duplicate: 0, rejected: 0 },
  );
}

// Sends what waits now; `manual` (the button, the network coming back) starts the backoff afresh.
// Calls made while a sync runs get that sync's report.
export function syncNow(manual = false): Promise<SyncReport> {
  return scheduler.syncNow(manual);
}

// Called once by main.ts at start.
export function startAutoSync(): void {
  if (started) return;
  started = true;
  void announce().then(() => {
    if (lastCount > 0 && navigator.onLine) void syncNow();
  });
  if (typeof BroadcastChannel === 'function') channel = new BroadcastChannel('herdpass-outbox');
  window.addEventListener('online', () => void syncNow(true));
  window.addEventListener('hp:session', () => void syncNow(true));
  channel?.addEventListener('message', () => void announce());
  setInterval(() => {
    if (session()) scheduler.tick(lastCount);
  }, PERIOD_MS);
}
