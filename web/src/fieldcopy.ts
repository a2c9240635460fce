// W10, the field copy on the phone: the records of one district (an authority subtree of the
// user's jurisdiction), taken online from GET /field-copy (gzip NDJSON: owner, animal,
// vaccination, certificate and animal_removed lines, then an `end` line with the cursor), kept in
// IndexedDB (db.ts `fieldcopy`, one record per owner with all of theirs, and its meta in `kv`:
// a district of 2,000 owners is 2,000 writes, not 260,000), refreshed with the cursor so that only
// changes come, and read by the W2 phone check when the server does not answer (lookupFromCopy).
//
// A copy is personal data carried into the field: it belongs to the user who took it (another user
// is never answered from it), is wiped on sign-out, and expires `days` after its last refresh
// (a setting, DEFAULT_KEEP_DAYS): an expired copy is deleted at app start and never answered from.
//
// A copy is stored only when its whole text came with its `end` line: a download cut short
// changes nothing on the phone.
//
// The decisions (parse, apply, expiry, the W2 answer) run against CopyStorePort, so
// fieldcopy.test.ts runs them in node with a store in memory; the IndexedDB store is at the end.
import { ApiError, fetchWithin, OfflineError, type Problem } from './api';
import { ownerCoverage } from './coverage';
import { LOOKUP_YEARS } from './lookup';
import { phoneDigits, samePhone } from './phone_check';
import type { Catalogue, LookupAnimal, LookupResult, LookupVaccination } from './wire';

export type CopyRowType = 'owner' | 'animal' | 'vaccination' | 'certificate';

// One record of the copy as kept: `row` is the server's line less its type.
export interface CopyRow {
  key: string; // `${type}:${id}`
  type: CopyRowType;
  size: number; // bytes of the line as it came
  row: Record<string, unknown>;
}

// An owner and everything of theirs in the copy: what the phone check reads, and the unit the phone
// stores. `phone9`: the last nine digits of the owner's phone (the W2 match; '' until the owner's
// line came).
export interface OwnerBundle {
  owner_id: number;
  phone9: string;
  rows: Record<string, CopyRow>;
}

export interface CopyMeta {
  user_id: string;
  authority: string;
  cursor: string;
  taken_at: string; // the server's time of the last take or refresh (its `end` line)
  fetched_at: string; // this phone's time of the same (ISO): the age and expiry read this
  first_taken_at: string; // this phone's time of the full copy
  records: number;
  bytes: number; // of the records as kept (uncompressed NDJSON)
  last_transfer: number; // bytes of the last take or refresh on the wire (compressed)
}

export interface CopyStorePort {
  meta(): Promise<CopyMeta | undefined>;
  bundle(ownerId: number): Promise<OwnerBundle | undefined>;
  bundlesByPhone9(phone9: string): Promise<OwnerBundle[]>;
  // One change, all or nothing: everything cleared first when `replace`, then the owners `del`
  // removed, then `put` written.
  commit(change: { replace: boolean; del: number[]; put: OwnerBundle[]; meta: CopyMeta }): Promise<void>;
  wipe(): Promise<void>;
}

export function bundleSize(b: OwnerBundle): { records: number; bytes: number } {
  let records = 0;
  let bytes = 0;
  for (const r of Object.values(b.rows)) {
    records += 1;
    bytes += r.size;
  }
  return { records, bytes };
}

export const DEFAULT_KEEP_DAYS = 7;
export const MIN_KEEP_DAYS = 1;
export const MAX_KEEP_DAYS = 30;

// --- parsing ---

export interface EndLine {
  cursor: string;
  incremental: boolean;
  taken_at: string;
  counts: Record<string, number>;
}

export interface ParsedCopy {
  lines: { type: string; size: number; row: Record<string, unknown> }[];
  end: EndLine;
}

// The NDJSON text; throws when it has no `end` line (cut short) or a line is not JSON.
export function parseCopy(text: string): ParsedCopy {
  const lines: ParsedCopy['lines'] = [];
  let end: EndLine | null = null;
  const encoder = new TextEncoder();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const obj = JSON.parse(line) as Record<string, unknown>;
    const { type, ...row } = obj;
    if (type === 'end') end = row as unknown as EndLine;
    else lines.push({ type: String(type), size: encoder.encode(line).length + 1, row });
  }
  if (!end) throw new Error('the field copy ended before its end line');
  return { lines, end };
}

// Whether `code` is `top` or under it (KZ-ABY-01 is under KZ-ABY; KZ-ABYX is not).
export function inSubtree(top: string, code: string): boolean {
  return code === top || code.startsWith(top + '-');
}

const ROW_TYPES = new Set<string>(['owner', 'animal', 'vaccination', 'certificate']);

// Stores `parsed`: a full copy (not incremental) replaces what the phone held; a refresh applies
// each change in order to its owner's records: a row put over its older self (a new or voided
// record, an animal moved to another holding, a certificate used), an animal sold away removed from
// its former owner (a buyer in the district gets it with their own line), an owner no longer in
// the district removed with everything of theirs.
export async function applyCopy(
  store: CopyStorePort,
  parsed: ParsedCopy,
  who: { user_id: string; authority: string },
  transferred: number,
  now: Date,
): Promise<CopyMeta> {
  const incremental = parsed.end.incremental;
  const before = incremental ? await store.meta() : undefined;
  if (incremental && (!before || before.authority !== who.authority || before.user_id !== who.user_id)) {
    throw new Error('a refresh of a copy this phone does not hold');
  }
  // The owners this change touches, as it leaves them (null: removed), and as they were.
  const touched = new Map<number, OwnerBundle | null>();
  const was = new Map<number, OwnerBundle | undefined>();
  const bundleOf = async (ownerId: number): Promise<OwnerBundle | null> => {
    if (touched.has(ownerId)) return touched.get(ownerId)!;
    const held = incremental ? await store.bundle(ownerId) : undefined;
    was.set(ownerId, held);
    const b: OwnerBundle = held ? { ...held, rows: { ...held.rows } } : { owner_id: ownerId, phone9: '', rows: {} };
    touched.set(ownerId, b);
    return b;
  };
  for (const line of parsed.lines) {
    if (line.type === 'animal_removed') {
      const b = await bundleOf(Number(line.row.owner_id));
      if (b) delete b.rows[`animal:${String(line.row.id)}`];
      continue;
    }
    if (!ROW_TYPES.has(line.type)) continue; // a kind of line this version does not know
    const type = line.type as CopyRowType;
    const ownerId = Number(type === 'owner' ? line.row.id : line.row.owner_id);
    if (type === 'owner' && !inSubtree(who.authority, String(line.row.authority ?? ''))) {
      await bundleOf(ownerId);
      touched.set(ownerId, null);
      continue;
    }
    const b = await bundleOf(ownerId);
    if (!b) continue; // its owner left the district in this same change
    const row: CopyRow = { key: `${type}:${String(line.row.id)}`, type, size: line.size, row: line.row };
    b.rows[row.key] = row;
    if (type === 'owner') b.phone9 = phoneDigits(String(line.row.phone ?? '')).slice(-9);
  }
  let records = before?.records ?? 0;
  let bytes = before?.bytes ?? 0;
  const put: OwnerBundle[] = [];
  const del: number[] = [];
  for (const [ownerId, b] of touched) {
    const old = was.get(ownerId);
    if (old) {
      const s = bundleSize(old);
      records -= s.records;
      bytes -= s.bytes;
    }
    if (b && Object.keys(b.rows).length > 0) {
      const s = bundleSize(b);
      records += s.records;
      bytes += s.bytes;
      put.push(b);
    } else if (old) {
      del.push(ownerId);
    }
  }
  const meta: CopyMeta = {
    user_id: who.user_id,
    authority: who.authority,
    cursor: parsed.end.cursor,
    taken_at: parsed.end.taken_at,
    fetched_at: now.toISOString(),
    first_taken_at: before?.first_taken_at ?? now.toISOString(),
    records,
    bytes,
    last_transfer: transferred,
  };
  await store.commit({ replace: !incremental, del, put, meta });
  return meta;
}

// --- expiry ---

export function keepDays(setting: unknown): number {
  const n = Math.floor(Number(setting));
  if (!Number.isFinite(n) || n < MIN_KEEP_DAYS) return DEFAULT_KEEP_DAYS;
  return Math.min(n, MAX_KEEP_DAYS);
}

// Expired: `days` or more since its last take or refresh on this phone (a clock set back counts as
// fresh only up to now).
export function expired(meta: CopyMeta, days: number, now: Date): boolean {
  const at = new Date(meta.fetched_at).getTime();
  if (!Number.isFinite(at)) return true;
  return now.getTime() - at >= days * 86_400_000;
}

// The copy this user may be answered from now: theirs and not expired; otherwise none (an expired
// copy, or another user's, is wiped here).
export async function usableCopy(store: CopyStorePort, userId: string | undefined, days: number, now: Date): Promise<CopyMeta | null> {
  const meta = await store.meta();
  if (!meta) return null;
  if (!userId || meta.user_id !== userId || expired(meta, days, now)) {
    await store.wipe();
    return null;
  }
  return meta;
}

// --- the W2 answer from the copy ---

export function isoDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

function yearsBefore(day: string, years: number): string {
  const [y, m, d] = day.split('-').map(Number);
  const at = new Date(Date.UTC(y - years, m - 1, d));
  if (at.getUTCMonth() !== m - 1) at.setUTCDate(0); // 29 February in a year without one
  return at.toISOString().slice(0, 10);
}

// The lookup the server would give for the owner of `typed` from the rows of the copy, its
// coverage by the same rule (coverage.ts ownerCoverage, the twin of domain/coverage.cpp); null when
// the copy holds no such owner. What the copy cannot know is left out: doses a bought animal had
// under an earlier owner (W8), and what was sold (`sold` is empty).
export function lookupFromBundle(typed: string, bundle: OwnerBundle, catalogue: Catalogue, today: string): LookupResult | null {
  const owner = bundle.rows[`owner:${bundle.owner_id}`];
  if (!owner || !samePhone(typed, String(owner.row.phone ?? ''))) return null;
  const rows = Object.values(bundle.rows);
  const animals = rows.filter((r) => r.type === 'animal').map((r) => r.row).sort((a, b) => Number(a.id) - Number(b.id));
  const doses = rows.filter((r) => r.type === 'vaccination').map((r) => r.row as unknown as LookupVaccination);
  const units = animals.map((a) => ({
    id: Number(a.id),
    flock: a.kind === 'flock',
    species: String(a.species),
    head_count: Number(a.head_count),
    alive: a.kind === 'flock' ? Number(a.head_count) > 0 : a.status === 'alive',
  }));
  const cov = ownerCoverage(catalogue, units, doses, today);
  const since = yearsBefore(today, LOOKUP_YEARS);
  const o = owner.row;
  return {
    owner: { id: Number(o.id), phone: String(o.phone), name: String(o.name ?? ''), village: String(o.village ?? ''), authority: String(o.authority ?? '') },
    today,
    since,
    coverage: cov.diseases,
    animals: animals.map(
      (a, i): LookupAnimal => ({
        id: Number(a.id),
        kind: a.kind === 'flock' ? 'flock' : 'animal',
        tag: (a.tag as string | null) ?? null,
        species: String(a.species),
        head_count: Number(a.head_count),
        sex: (a.sex as string | null) ?? null,
        birth_date: (a.birth_date as string | null) ?? null,
        coverage: cov.units[i],
      }),
    ),
    vaccinations: doses
      .filter((v) => v.administered_on >= since)
      .sort((a, b) => (a.administered_on === b.administered_on ? b.id.localeCompare(a.id) : b.administered_on.localeCompare(a.administered_on))),
    sold: [],
  };
}

export interface CopyAnswer {
  result: LookupResult;
  meta: CopyMeta;
}

// The W2 answer for `typed` from this user's copy, or null (no usable copy, no such owner in it).
export async function lookupFromCopy(
  store: CopyStorePort,
  typed: string,
  who: { user_id: string | undefined; days: number; catalogue: Catalogue | null | undefined },
  now: Date,
): Promise<CopyAnswer | null> {
  if (!who.catalogue) return null;
  const meta = await usableCopy(store, who.user_id, who.days, now);
  if (!meta) return null;
  const digits = phoneDigits(typed);
  if (digits.length < 9) return null;
  for (const bundle of await store.bundlesByPhone9(digits.slice(-9))) {
    const result = lookupFromBundle(typed, bundle, who.catalogue, isoDay(now));
    if (result) return { result, meta };
  }
  return null;
}

// The owner of `typed` in this user's usable copy, in the shape the vaccinator's phone keeps owners
// (db.ts `owners`), or null.
export async function ownerFromCopy(store: CopyStorePort, typed: string, userId: string | undefined, days: number, now: Date): Promise<Record<string, unknown> | null> {
  if (!(await usableCopy(store, userId, days, now))) return null;
  const digits = phoneDigits(typed);
  if (digits.length < 9) return null;
  const o = (await store.bundlesByPhone9(digits.slice(-9)))
    .map((b) => b.rows[`owner:${b.owner_id}`])
    .find((r) => r && samePhone(typed, String(r.row.phone ?? '')));
  if (!o) return null;
  const phone = String(o.row.phone);
  return { phone, typed: phone, e164: phone, id: Number(o.row.id), name: String(o.row.name ?? ''), village: String(o.row.village ?? '') };
}

// --- reads from the copy, kept on the phone ---

// A phone check answered from the copy is not audited by the server (no route takes such reads):
// each is kept here, so that the phone can say what it read and when.
export interface OfflineRead {
  at: string;
  user_id: string;
  owner_id: number;
  phone: string;
}

// --- taking the copy ---

export class CopyTooLargeError extends Error {
  constructor(readonly problem: Problem) {
    super(String(problem.detail ?? problem.title ?? 'too large'));
  }
}

// GET /field-copy for `authority` (and `since` for a refresh): the text, and its bytes on the wire
// (Content-Length of the gzip body; the text's own length when the server sent it plain).
export async function downloadCopy(
  token: string,
  authority: string,
  since: string | null,
  signal?: AbortSignal,
): Promise<{ text: string; transferred: number }> {
  const q = new URLSearchParams({ authority });
  if (since) q.set('since', since);
  const { res, text } = await fetchWithin(
    `/api/v1/field-copy?${q}`,
    { headers: { Authorization: `Bearer ${token}`, Accept: 'application/x-ndjson' }, cache: 'no-store', signal },
    10 * 60_000,
  );
  if (!res.ok) {
    let problem: Problem = {};
    try {
      problem = JSON.parse(text) as Problem;
    } catch {
      problem = { title: text.slice(0, 200) };
    }
    if (res.status === 413) throw new CopyTooLargeError(problem);
    throw new ApiError(res.status, problem);
  }
  const length = Number(res.headers.get('Content-Length'));
  return { text, transferred: Number.isFinite(length) && length > 0 ? length : new TextEncoder().encode(text).length };
}

// Takes the copy (a refresh when the phone holds this user's copy of `authority`), stores it and
// answers what is kept. Throws OfflineError (no network), CopyTooLargeError (413), ApiError.
export async function takeCopy(
  store: CopyStorePort,
  who: { user_id: string; authority: string; token: string },
  days: number,
  now: () => Date,
  signal?: AbortSignal,
): Promise<CopyMeta> {
  const held = await usableCopy(store, who.user_id, days, now());
  const since = held && held.authority === who.authority ? held.cursor : null;
  const { text, transferred } = await downloadCopy(who.token, who.authority, since, signal);
  return applyCopy(store, parseCopy(text), who, transferred, now());
}

export { OfflineError };

// --- on the phone (IndexedDB) ---

export const META_KEY = 'fieldcopy_meta';
export const DAYS_KEY = 'fieldcopy_days';
export const READS_KEY = 'fieldcopy_reads';

export async function idbCopyStore(): Promise<CopyStorePort> {
  const { db } = await import('./db');
  const d = await db();
  return {
    meta: async () => (await d.get('kv', META_KEY)) as CopyMeta | undefined,
    bundle: (ownerId) => d.get('fieldcopy', ownerId),
    bundlesByPhone9: (phone9) => d.getAllFromIndex('fieldcopy', 'phone9', phone9),
    async commit({ replace, del, put, meta }) {
      const tx = d.transaction(['fieldcopy', 'kv'], 'readwrite');
      const rows = tx.objectStore('fieldcopy');
      if (replace) void rows.clear();
      for (const k of del) void rows.delete(k);
      for (const r of put) void rows.put(r);
      void tx.objectStore('kv').put(meta, META_KEY);
      await tx.done;
    },
    async wipe() {
      const tx = d.transaction(['fieldcopy', 'kv'], 'readwrite');
      void tx.objectStore('fieldcopy').clear();
      void tx.objectStore('kv').delete(META_KEY);
      void tx.objectStore('kv').delete(READS_KEY);
      await tx.done;
    },
  };
}

export async function keepDaysSetting(): Promise<number> {
  const { kvGet } = await import('./db');
  return keepDays(await kvGet<number>(DAYS_KEY));
}

export async function setKeepDays(days: number): Promise<number> {
  const { kvSet } = await import('./db');
  const n = keepDays(days);
  await kvSet(DAYS_KEY, n);
  return n;
}

export async function rememberOfflineRead(read: OfflineRead): Promise<void> {
  const { kvGet, kvSet } = await import('./db');
  const list = (await kvGet<OfflineRead[]>(READS_KEY)) ?? [];
  list.push(read);
  await kvSet(READS_KEY, list.slice(-1000));
}

export async function offlineReads(): Promise<OfflineRead[]> {
  const { kvGet } = await import('./db');
  return (await kvGet<OfflineRead[]>(READS_KEY)) ?? [];
}

// At app start: an expired copy, or one of a user no longer signed in, is deleted.
export async function expireFieldCopy(userId: string | undefined, now = new Date()): Promise<void> {
  await usableCopy(await idbCopyStore(), userId, await keepDaysSetting(), now);
}

export async function wipeFieldCopy(): Promise<void> {
  await (await idbCopyStore()).wipe();
}
