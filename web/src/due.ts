// W15, the due list (GET /due): the owners and animals of the vaccinator's area due for a dose of a
// disease within N days, by village, for planning a campaign. The last list shown is kept on the
// phone (IndexedDB `kv`, DUE_KEY) with when it came and whose it is, and shown, with its age, when
// the server does not answer: a campaign day is mostly out of reach of the network. It names owners
// and their phones, so like the field copy (fieldcopy.ts) it belongs to the user who fetched it
// (another user's is deleted, never shown) and is deleted on sign-out.
//
// The decisions run against DuePorts, so due.test.ts runs them in node with fakes; the screen is
// screens/due.ts.
import { OfflineError } from './api';

export interface DueEntry {
  disease: string;
  disease_name: string;
  status: 'covered' | 'overdue' | 'never';
  last_dose: string | null;
  lapses_on: string | null;
}

export interface DueUnit {
  animal_id: number;
  tag: string | null; // null for a flock
  species: string;
  head_count: number;
  holding_id: number | null;
  due: DueEntry[];
}

export interface DueOwner {
  id: number;
  name: string;
  phone?: string; // left out when masked
  village: string;
  authority: string;
  units: DueUnit[];
}

export interface DueVillage {
  village: string; // '' for owners with no village
  owner_count: number;
  unit_count: number;
  head_count: number;
  owners: DueOwner[];
}

export interface DueList {
  authority: string;
  disease: string;
  days: number;
  today: string;
  through: string;
  masked: boolean;
  truncated: boolean;
  villages: DueVillage[];
}

export interface DueQuery {
  disease: string; // '' for every disease
  days: number;
}

// A list as kept on the phone.
export interface KeptDue {
  user_id: string;
  saved_at: string; // this phone's time it came (ISO)
  query: DueQuery;
  list: DueList;
}

export const DUE_KEY = 'due:last';
export const DEFAULT_DAYS = 30;
export const MIN_DAYS = 1;
export const MAX_DAYS = 365;

export interface DuePorts {
  getJson<T>(path: string, signal?: AbortSignal): Promise<T>;
  kv: { get<T>(key: string): Promise<T | undefined>; set(key: string, value: unknown): Promise<void>; delete(key: string): Promise<void> };
  now(): Date;
}

export function dueQueryString(q: DueQuery): string {
  const p = new URLSearchParams({ days: String(q.days) });
  if (q.disease) p.set('disease', q.disease);
  return p.toString();
}

// Days as typed: a whole number from MIN_DAYS to MAX_DAYS, else null (the form says so and asks
// nothing).
export function parseDays(text: string): number | null {
  const s = text.trim();
  if (!/^\d{1,3}$/.test(s)) return null;
  const n = Number(s);
  return n >= MIN_DAYS && n <= MAX_DAYS ? n : null;
}

// The list kept for `userId`; another user's is deleted and not given.
export async function keptDue(ports: DuePorts, userId: string): Promise<KeptDue | undefined> {
  let kept: KeptDue | undefined;
  try {
    kept = await ports.kv.get<KeptDue>(DUE_KEY);
  } catch {
    return undefined;
  }
  if (!kept) return undefined;
  if (kept.user_id !== userId) {
    await ports.kv.delete(DUE_KEY).catch(() => {});
    return undefined;
  }
  return kept;
}

export type DueStatus = 'idle' | 'loading' | 'ready' | 'offline' | 'error';

export class DueState {
  onChange: () => void = () => {};
  status: DueStatus = 'idle';
  list: DueList | null = null;
  query: DueQuery = { disease: '', days: DEFAULT_DAYS };
  savedAt: string | null = null; // set when the list shown is the one kept on the phone
  error: unknown = null;
  private seq = 0;
  private controller: AbortController | null = null;
  private closed = false;

  constructor(
    private readonly ports: DuePorts,
    private readonly userId: string,
  ) {}

  close(): void {
    this.closed = true;
    this.controller?.abort();
  }

  private changed(): void {
    if (!this.closed) this.onChange();
  }

  // The kept list, if any, shown at once (marked as kept) and its query put in the form.
  async restore(): Promise<void> {
    const kept = await keptDue(this.ports, this.userId);
    if (!kept || this.closed || this.status !== 'idle') return;
    this.list = kept.list;
    this.query = { ...kept.query };
    this.savedAt = kept.saved_at;
    this.status = 'offline';
    this.changed();
  }

  // Asks the server for `q`; on success the list is kept (replacing the last), without network
  // the kept one is shown with its age. An answer to an earlier question that comes after a later
  // one was asked is dropped.
  async load(q: DueQuery): Promise<void> {
    const mine = ++this.seq;
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.query = { ...q };
    this.status = 'loading';
    this.error = null;
    this.changed();
    try {
      const list = await this.ports.getJson<DueList>(`/due?${dueQueryString(q)}`, controller.signal);
      if (mine !== this.seq || this.closed) return;
      this.list = list;
      this.savedAt = null;
      this.status = 'ready';
      const kept: KeptDue = { user_id: this.userId, saved_at: this.ports.now().toISOString(), query: { ...q }, list };
      // A list the phone could not keep costs only the next offline day, not this answer.
      await this.ports.kv.set(DUE_KEY, kept).catch(() => {});
    } catch (e) {
      if (mine !== this.seq || this.closed || (e as Error)?.name === 'AbortError') return;
      if (e instanceof OfflineError) {
        const kept = await keptDue(this.ports, this.userId);
        if (mine !== this.seq || this.closed) return;
        this.status = 'offline';
        this.list = kept?.list ?? null;
        this.savedAt = kept?.saved_at ?? null;
        // The form says what the kept list is for, not what could not be fetched.
        if (kept) this.query = { ...kept.query };
      } else {
        this.status = 'error';
        this.error = e;
        this.list = null;
        this.savedAt = null;
      }
    }
    this.changed();
  }

  // The totals of the list shown: villages, owners, units, heads.
  totals(): { villages: number; owners: number; units: number; heads: number } {
    const out = { villages: 0, owners: 0, units: 0, heads: 0 };
    for (const v of this.list?.villages ?? []) {
      out.villages += 1;
      out.owners += v.owner_count;
      out.units += v.unit_count;
      out.heads += v.head_count;
    }
    return out;
  }
}

// Sign-out: the kept list goes with the session.
export async function wipeDue(kv: { delete(key: string): Promise<void> }): Promise<void> {
  await kv.delete(DUE_KEY);
}
