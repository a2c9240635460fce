// Owners in /me (issue 15 item 4): the owner's own session and calls, apart from the staff's
// (auth.ts, api.ts). An owner's session opens the /me routes only and a user's token none of them,
// so the two never share a header: these calls carry the owner's token alone. The session lives in
// sessionStorage: on a shared phone it goes with the tab. Pure but for the ports, tested without a
// browser (me.test.ts).
import { ApiError, fetchWithin, type Problem } from './api';

export const OWNER_SESSION_KEY = 'hp.owner';

export interface OwnerSession {
  token: string;
  expires_at: string;
}

export interface CoverageItem {
  disease: string;
  status: string;
  covered_until?: string | null;
  overdue_since?: string | null;
}

export interface OwnerAnimal {
  id: number;
  kind: 'animal' | 'flock';
  tag?: string | null;
  species: string;
  head_count: number;
  holding?: { id: number; code: string; name: string; kind: string };
  coverage: CoverageItem[];
}

export interface OwnerCertificate {
  id: string;
  number: string;
  status: string;
  purpose: string;
  issued_at: string;
  valid_until: string;
  origin: string;
  destination: string;
  species: string;
  head_count: number;
}

export interface OwnerRecords {
  owner: { id: number; phone: string; name: string; village: string };
  today: string;
  coverage: CoverageItem[];
  animals: OwnerAnimal[];
  certificates: { items: OwnerCertificate[] };
  // The owner's language for SMS (one of LANGUAGES): their choice, null when none (the region's),
  // and the one their messages go in.
  language: string | null;
  language_in_use: string;
}

export interface Reader {
  at: string;
  action: string;
  role: string;
  authority: string;
  authority_name: string;
}

export interface SessionStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

// A JSON call: the status and the parsed body (null when empty).
export type Call = (method: string, path: string, body: unknown, token: string | null) => Promise<{ status: number; data: unknown }>;

export const fetchCall: Call = async (method, path, body, token) => {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const { res, text } = await fetchWithin(`/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { title: text.slice(0, 200) };
    }
  }
  return { status: res.status, data };
};

export class OwnerClient {
  constructor(
    private readonly store: SessionStore,
    private readonly call: Call = fetchCall,
    private readonly now: () => number = Date.now,
  ) {}

  session(): OwnerSession | null {
    try {
      const raw = this.store.getItem(OWNER_SESSION_KEY);
      const s = raw ? (JSON.parse(raw) as OwnerSession) : null;
      if (!s || Date.parse(s.expires_at) <= this.now()) return null;
      return s;
    } catch {
      return null;
    }
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const s = this.session();
    const { status, data } = await this.call(method, path, body, s?.token ?? null);
    if (status < 200 || status >= 300) {
      // An ended or expired session: forget it, the screen asks for the phone again.
      if (status === 401 && s) this.store.removeItem(OWNER_SESSION_KEY);
      throw new ApiError(status, (data as Problem) ?? {});
    }
    return data as T;
  }

  // The same answer whether or not the number is an owner's.
  async requestCode(phone: string): Promise<void> {
    await this.send('POST', '/me/code', { phone: phone.trim() });
  }

  async signIn(phone: string, code: string): Promise<void> {
    const s = await this.send<OwnerSession>('POST', '/me/session', { phone: phone.trim(), code: code.replace(/\s/g, '') });
    this.store.setItem(OWNER_SESSION_KEY, JSON.stringify(s));
  }

  records(): Promise<OwnerRecords> {
    return this.send<OwnerRecords>('GET', '/me');
  }

  async readers(): Promise<Reader[]> {
    return (await this.send<{ items: Reader[] }>('GET', '/me/readers')).items;
  }

  // The owner's language for SMS from now on (PUT /me/language).
  async setLanguage(language: string): Promise<void> {
    await this.send('PUT', '/me/language', { language });
  }

  async signOut(): Promise<void> {
    try {
      if (this.session()) await this.send('POST', '/me/logout', {});
    } finally {
      this.store.removeItem(OWNER_SESSION_KEY);
    }
  }
}

// What a reader did, as a key of the `me` strings: a lookup of the number, or any other read of
// the owner's record.
export function readerActionKey(action: string): string {
  return action === 'lookup.phone' ? 'me:reader_action.lookup' : 'me:reader_action.read';
}
