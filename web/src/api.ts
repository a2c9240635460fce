// JSON calls to /api/v1. A problem+json answer becomes an ApiError with the server's type, title and
// field; no answer at all (offline, server down) becomes an OfflineError, which callers treat as
// "keep it for later". Every call has a time limit (REQUEST_TIMEOUT_MS unless the caller gives
// another): a server that does not answer in time is a TimeoutError, an OfflineError too, so what
// works with no network (the phone's own data, the outbox) works over a stalled link as well.
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

// What a failed send of one outbox item (a tag-life event, a checkpoint passage) means: 401 and
// 403 stop the sync with everything kept; any other 4xx but 408 and 429 refuses the item (kept
// with its reason, not sent again until the user says so); no answer, 408, 429, 5xx and anything
// unexpected stop for a retry.
export type SendFailure = 'unauthorized' | 'forbidden' | 'refused' | 'retry';
export function sendFailure(e: unknown): SendFailure {
  if (!(e instanceof ApiError)) return 'retry';
  if (e.status === 401) return 'unauthorized';
  if (e.status === 403) return 'forbidden';
  if (e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429) return 'refused';
  return 'retry';
}

export class OfflineError extends Error {
  constructor(cause?: unknown) {
    super('offline');
    this.cause = cause;
  }
}

// A request to a server that does not answer within its time limit.
export class TimeoutError extends OfflineError {
  constructor(readonly ms: number) {
    super();
    this.message = 'timeout';
  }
}

export const REQUEST_TIMEOUT_MS = 15_000;

// A signal that aborts when `outer` does (the caller gave up: the screen closed) or after `ms`
// (then `timedOut()` is true). `done()` clears the timer. With timers of its own rather than
// AbortSignal.timeout/any, which older phones' browsers lack.
export function deadline(ms: number, outer?: AbortSignal): { signal: AbortSignal; timedOut(): boolean; done(): void } {
  const ctl = new AbortController();
  let timedOut = false;
  const onOuter = () => ctl.abort(outer?.reason);
  if (outer?.aborted) ctl.abort(outer.reason);
  else outer?.addEventListener('abort', onOuter, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort();
  }, ms);
  return {
    signal: ctl.signal,
    timedOut: () => timedOut,
    done() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}

// fetch() with a time limit: a TimeoutError when the server does not answer (headers and body)
// in time, an OfflineError when there is no answer at all, an AbortError when `signal` aborts.
export async function fetchWithin(url: string, init: RequestInit, ms = REQUEST_TIMEOUT_MS): Promise<{ res: Response; text: string }> {
  const d = deadline(ms, init.signal ?? undefined);
  try {
    const res = await fetch(url, { ...init, signal: d.signal });
    return { res, text: await res.text() };
  } catch (e) {
    if (d.timedOut()) throw new TimeoutError(ms);
    if ((e as Error)?.name === 'AbortError') throw e;
    throw new OfflineError(e);
  } finally {
    d.done();
  }
}

// `text` gzip-encoded with the browser's CompressionStream, or null where there is none (the body
// then goes as it is). The server inflates any JSON body sent with Content-Encoding: gzip, holding
// what it inflates to to the same 1 MiB limit.
export async function gzipText(text: string): Promise<ArrayBuffer | null> {
  if (typeof CompressionStream === 'undefined') return null;
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Response(stream).arrayBuffer();
}

// `compress`: send the JSON body gzip-encoded where the browser can (the sync batches: a 500-record
// batch is ~10x smaller on the wire).
export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
  timeoutMs = REQUEST_TIMEOUT_MS,
  compress = false,
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const s = session();
  if (s) headers.Authorization = `Bearer ${s.token}`;
  let payload: BodyInit | undefined;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
    const gz = compress ? await gzipText(payload) : null;
    if (gz) {
      headers['Content-Encoding'] = 'gzip';
      payload = gz;
    }
  }
  const { res, text } = await fetchWithin(
    `/api/v1${path}`,
    { method, headers, body: payload, signal, cache: 'no-store' },
    timeoutMs,
  );
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
export async function apiText(path: string, signal?: AbortSignal): Promise<string> {
  const s = session();
  const { res, text } = await fetchWithin(`/api/v1${path}`, { headers: s ? { Authorization: `Bearer ${s.token}` } : {}, signal });
  if (!res.ok) throw new ApiError(res.status, { title: res.statusText });
  return text;
}
