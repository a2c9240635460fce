// JSON calls to /api/v1. A problem+json answer becomes an ApiError with the server's type, title and
// field; no answer at all (offline, server down) becomes an OfflineError, which callers treat as
// "keep it for later".
import { clearSession, session } from './auth';

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  field?: string;
  [key: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.title || `HTTP ${status}`);
  }
  get field(): string | undefined {
    return this.problem.field;
  }
}

export class OfflineError extends Error {
  constructor(cause?: unknown) {
    super('offline');
    this.cause = cause;
  }
}

export async function api<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const s = session();
  if (s) headers.Authorization = `Bearer ${s.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: 'no-store',
    });
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e;
    throw new OfflineError(e);
  }
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { title: text.slice(0, 200) };
    }
  }
  if (!res.ok) {
    if (res.status === 401 && s && path !== '/auth/login') clearSession();
    throw new ApiError(res.status, (data as Problem) ?? {});
  }
  return data as T;
}

// The text of a signed-in resource that is not JSON (the QR code's SVG, the print page). Text rather
// than a blob: URL, since the app's CSP (connect-src 'self') lets no fetch() read a blob: back.
export async function apiText(path: string): Promise<string> {
  const s = session();
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, { headers: s ? { Authorization: `Bearer ${s.token}` } : {} });
  } catch (e) {
    throw new OfflineError(e);
  }
  if (!res.ok) throw new ApiError(res.status, { title: res.statusText });
  return res.text();
}
