// What the phone knows about an owner when the server does not answer the phone check (W2): the
// last answer the server gave this phone for that number (kept on each successful check), the
// owner as the phone knows them, and records made on this phone for them that wait to be sent.
// The phone numbers typed and stored differ in form ("8 701 555 12 34", "+77015551234"): they
// match on the same digits, or on the subscriber's last nine.
//
// Pure decisions here (phone_check.test.ts); the IndexedDB part is at the end.
import { db, kvDelete, kvGet, kvSet } from './db';

export function phoneDigits(phone: string): string {
  return phone.replace(/\D/g, '');
}

export function samePhone(a: string, b: string): boolean {
  const x = phoneDigits(a);
  const y = phoneDigits(b);
  if (!x || !y) return false;
  if (x === y) return true;
  return x.length >= 9 && y.length >= 9 && x.slice(-9) === y.slice(-9);
}

export interface CachedLookup<R> {
  phone: string; // the owner's number as the server gave it
  at: string; // when the server answered (ISO)
  result: R;
}

export interface LocalKnowledge<R> {
  cached: CachedLookup<R> | null;
  owner: { name: string; village: string; phone: string } | null;
  pending: Record<string, unknown>[]; // the records (as sent) waiting on this phone for this owner
}

// What the phone knows about `typed`, or null when it knows nothing.
export function localKnowledge<R>(
  typed: string,
  cached: CachedLookup<R>[],
  owners: Record<string, unknown>[],
  outbox: { state: string; record: Record<string, unknown> }[],
): LocalKnowledge<R> | null {
  const hit = cached.filter((c) => samePhone(typed, c.phone)).sort((a, b) => b.at.localeCompare(a.at))[0] ?? null;
  const o = owners.find((x) => [x.phone, x.e164, x.typed].some((p) => typeof p === 'string' && samePhone(typed, p)));
  const pending = outbox.filter((r) => r.state === 'pending' && samePhone(typed, String(r.record.owner_phone ?? ''))).map((r) => r.record);
  if (!hit && !o && pending.length === 0) return null;
  return {
    cached: hit,
    owner: o ? { name: String(o.name ?? ''), village: String(o.village ?? ''), phone: String(o.e164 ?? o.typed ?? o.phone ?? '') } : null,
    pending,
  };
}

// The numbers kept, most recent first, `phone` in front, at most `max`; and those dropped.
export function keepRecent(index: string[], phone: string, max: number): { keep: string[]; drop: string[] } {
  const rest = index.filter((p) => p !== phone);
  const all = [phone, ...rest];
  return { keep: all.slice(0, max), drop: all.slice(max) };
}

// --- on the phone ---

export const MAX_CACHED_LOOKUPS = 200;
const INDEX_KEY = 'lookup_index';
const key = (phone: string) => `lookup:${phone}`;

// Keeps the server's answer for this owner (replacing the previous one), and the last 200 owners.
export async function rememberLookup<R>(phone: string, result: R, at = new Date()): Promise<void> {
  const index = (await kvGet<string[]>(INDEX_KEY)) ?? [];
  const { keep, drop } = keepRecent(index, phone, MAX_CACHED_LOOKUPS);
  await kvSet(key(phone), { phone, at: at.toISOString(), result } satisfies CachedLookup<R>);
  await kvSet(INDEX_KEY, keep);
  for (const p of drop) await kvDelete(key(p));
}

export async function knownOnPhone<R>(typed: string): Promise<LocalKnowledge<R> | null> {
  const index = (await kvGet<string[]>(INDEX_KEY)) ?? [];
  const cached: CachedLookup<R>[] = [];
  for (const p of index) {
    if (!samePhone(typed, p)) continue;
    const c = await kvGet<CachedLookup<R>>(key(p));
    if (c) cached.push(c);
  }
  const d = await db();
  return localKnowledge(typed, cached, await d.getAll('owners'), await d.getAll('outbox'));
}
