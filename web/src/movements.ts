// Movements (W13) in the browser, without a browser: the holdings a picker offers (nearest first
// when the phone gives a position, else the caller's authority's), the tags an inspector typed,
// the body of an arrival (POST /certificates/{id}/consume) and what its answer says. The vet's and
// the inspector's screens (vet_state.ts, movements_view.ts) use these; movements.test.ts runs them
// with fakes.
import { ApiError, OfflineError, TimeoutError } from './api';
import type { ArrivalScan } from './passages';
import type { Message } from './screens/message';

export interface HoldingItem {
  id: number;
  code: string;
  kind: string;
  name: string;
  authority: string;
  distance_m?: number;
}

export interface ArrivalInfo {
  at: string;
  holding: number | null;
  head_count: number | null;
  tags_seen: string[];
  missing_tags: string[];
  extra_tags: string[];
  mismatch: boolean;
}

export interface MovementInfo {
  status: string;
  origin_holding: number | null;
  destination_holding: number | null;
  head_expected: number;
  arrival: ArrivalInfo | null;
}

// One line of GET /movements/incoming and GET /movements?status=.
export interface MovementItem {
  id: string;
  number: string;
  status: string;
  purpose: string;
  issued_at: string;
  valid_until: string;
  origin: string;
  destination: string;
  owner_masked_name: string;
  head_count: number;
  species: string;
  tags: string[];
  movement: MovementInfo;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type GetJson = <T>(path: string) => Promise<T>;

export interface Position {
  lat: number;
  lon: number;
}

// The holdings to pick from: with a position, those within 100 km nearest first (`near` true);
// without one, or when the server refuses the position, the caller's authority's in the server's
// order (`near` false).
export async function loadHoldings(get: GetJson, position: Position | null): Promise<{ items: HoldingItem[]; near: boolean }> {
  if (position) {
    try {
      const page = await get<Page<HoldingItem>>(`/holdings?near=${position.lat.toFixed(5)},${position.lon.toFixed(5)}&limit=100`);
      if (page.items.length) return { items: page.items, near: true };
    } catch (err) {
      if (err instanceof OfflineError) throw err;
    }
  }
  const page = await get<Page<HoldingItem>>('/holdings?limit=200');
  return { items: page.items, near: false };
}

// The tags typed (or scanned) as the API takes them: split on spaces, commas, semicolons and line
// breaks, each once, in the order seen.
export function parseTags(text: string): string[] {
  const out: string[] = [];
  for (const t of text.split(/[\s,;]+/)) if (t && !out.includes(t)) out.push(t);
  return out;
}

export interface ArrivalFields {
  holding: string;
  head: string;
  tags: string;
}

// The body of POST /certificates/{id}/consume for what the inspector entered: only the fields
// filled in (no tags typed: nothing compared).
export function arrivalBody(f: ArrivalFields, place?: string): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (place) body.place = place;
  const holding = parseInt(f.holding, 10);
  if (holding > 0) body.holding = holding;
  if (f.head.trim() !== '') body.head_count = Number(f.head.trim());
  const tags = parseTags(f.tags);
  if (tags.length) body.tags = tags;
  return body;
}

// Issue 14 item 5: the arrival as it goes out (now, or from the outbox when the network is back),
// with the id made on this phone and the time of the scan, so that it is one use however often it
// is sent.
export function arrivalScan(f: ArrivalFields, place: string, id: string, at: Date): ArrivalScan {
  return { kind: 'arrival', id, at: at.toISOString(), ...(arrivalBody(f, place) as Omit<ArrivalScan, 'kind' | 'id' | 'at'>) };
}

// The body of POST /consume for a scan: without the phone's own mark.
export function scanBody(scan: ArrivalScan): Record<string, unknown> {
  const { kind: _kind, ...body } = scan;
  return body;
}

// Whether an arrival could not reach the server (no network, or no answer in time): it then waits
// in the outbox and goes out by itself; the server keeps it once whatever the earlier try did.
export const unsent = (err: unknown): boolean => err instanceof OfflineError;

// What an arrival's refusal says: 409 (already arrived, with when and where; `recorded` when the
// server kept this scan as a double use), or another problem.
export type ArrivalProblem = { kind: 'conflict'; at?: string; place?: string; by?: string; recorded?: boolean } | { kind: 'error'; message: Message };

export function arrivalProblem(err: unknown): ArrivalProblem {
  if (err instanceof ApiError && err.status === 409) {
    const first = (err.problem.first_consumed ?? {}) as { at?: string; place?: string; by?: string };
    return { kind: 'conflict', ...first, ...(err.problem.double_use ? { recorded: true } : {}) };
  }
  if (err instanceof OfflineError && !(err instanceof TimeoutError)) return { kind: 'error', message: { key: 'movement.offline' } };
  return { kind: 'error', message: { error: err } };
}

// The head difference of an arrival: counted minus expected (negative: head missing), or null when
// not counted.
export function headDifference(m: MovementInfo): number | null {
  const counted = m.arrival?.head_count;
  return counted === null || counted === undefined ? null : counted - m.head_expected;
}

// --- pages of a list (GET /movements/incoming, /movements?status=, /holdings) ---

// `path` asking for the page after `cursor` (the server's next_cursor).
export function pagePath(path: string, cursor: string | null): string {
  if (!cursor) return path;
  return `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;
}

// The items shown with the next page added after them; an item listed already (by id) is not
// listed twice.
export function appendPage<T extends { id: string | number }>(items: T[] | null, page: Page<T>): T[] {
  const have = items ?? [];
  const seen = new Set(have.map((i) => i.id));
  return [...have, ...page.items.filter((i) => !seen.has(i.id))];
}

// Every page of `path`, following next_cursor, at most `maxPages` pages (the rest is not fetched).
export async function allPages<T extends { id: string | number }>(get: GetJson, path: string, maxPages = 20): Promise<T[]> {
  let items: T[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < maxPages; n++) {
    const page: Page<T> = await get<Page<T>>(pagePath(path, cursor));
    items = appendPage(items, page);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return items;
}

// The holdings whose name or code contains every word typed (case and accents of Latin and
// Cyrillic letters aside), in the order given; all of them when nothing is typed.
export function filterHoldings<T extends { name: string; code: string }>(items: T[], query: string): T[] {
  const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLocaleLowerCase();
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (!words.length) return items;
  return items.filter((h) => {
    const text = fold(`${h.name} ${h.code}`);
    return words.every((w) => text.includes(w));
  });
}
