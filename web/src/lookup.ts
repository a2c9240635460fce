// W2, the phone check (GET /lookup), written once for the screens that ask it: the request, the
// call, and what a failure means. The vet finds the owner to certify (screens/vet_state.ts), the
// inspector checks a phone (screens/inspector_state.ts); each words the answer its own way. The
// API comes in as a port, so lookup.test.ts runs this in node with fakes.
import { ApiError, OfflineError, TimeoutError } from './api';
import type { LookupResult } from './wire';

// The years of vaccinations the screens ask for (the query's `years`).
export const LOOKUP_YEARS = 3;

export interface LookupPort {
  api<T>(method: 'GET', path: string): Promise<T>;
}

// Why a lookup gave nothing; `retry`: whether asking again may help.
export interface LookupProblem {
  kind: 'timeout' | 'offline' | 'not-found' | 'throttled' | 'bad-phone' | 'error';
  retry: boolean;
  error: unknown;
}

// The answer, or why there is none.
export type LookupAnswer = { result: LookupResult } | { problem: LookupProblem };

export function lookupPath(phone: string): string {
  return `/lookup?phone=${encodeURIComponent(phone)}&years=${LOOKUP_YEARS}`;
}

// A server that did not answer (no network, or not in time) is `offline` or `timeout`: only then may
// what the phone knows stand in for the answer.
export function lookupProblem(err: unknown): LookupProblem {
  if (err instanceof TimeoutError) return { kind: 'timeout', retry: true, error: err };
  if (err instanceof OfflineError) return { kind: 'offline', retry: true, error: err };
  if (err instanceof ApiError && err.status === 404) return { kind: 'not-found', retry: false, error: err };
  if (err instanceof ApiError && err.status === 429) return { kind: 'throttled', retry: true, error: err };
  if (err instanceof ApiError && err.status === 400) return { kind: 'bad-phone', retry: false, error: err };
  return { kind: 'error', retry: true, error: err };
}

// The owner of `phone` with their animals and vaccinations, or why not. null when the caller gave
// up (an AbortError: the screen closed), so that nothing is said.
export async function lookupPhone(port: LookupPort, phone: string): Promise<LookupAnswer | null> {
  try {
    return { result: await port.api<LookupResult>('GET', lookupPath(phone)) };
  } catch (err) {
    if ((err as Error)?.name === 'AbortError') return null;
    return { problem: lookupProblem(err) };
  }
}
