// The phone check's request and its failures (lookup.ts), run in node against a scripted API that
// records what it was asked.
import { describe, expect, it } from 'vitest';
import { ApiError, OfflineError, TimeoutError } from './api';
import { lookupPath, lookupPhone, lookupProblem, type LookupPort } from './lookup';
import type { LookupResult } from './wire';

const LOOKUP: LookupResult = {
  owner: { id: 7, phone: '+77015551234', name: 'Aigul', village: 'Kok-Zhar', authority: 'KZ-ALM' },
  today: '2026-11-29',
  since: '2023-11-29',
  coverage: [],
  animals: [],
  vaccinations: [],
};

// A port that answers every request with `reply` (thrown when an Error) and records the requests.
function port(reply: unknown) {
  const requests: [string, string][] = [];
  const p: LookupPort = {
    api: async <T>(method: 'GET', path: string) => {
      requests.push([method, path]);
      if (reply instanceof Error) throw reply;
      return reply as T;
    },
  };
  return { p, requests };
}

function abortError(): Error {
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}

describe('lookup: the request', () => {
  it('asks GET /lookup for the phone, escaped, and three years of vaccinations', async () => {
    const { p, requests } = port(LOOKUP);
    expect(await lookupPhone(p, '+7 701 555&x=1')).toEqual({ result: LOOKUP });
    expect(requests).toEqual([['GET', '/lookup?phone=%2B7%20701%20555%26x%3D1&years=3']]);
    expect(lookupPath('+77015551234')).toBe('/lookup?phone=%2B77015551234&years=3');
  });
});

describe('lookup: the failures', () => {
  it('tells the kinds apart, and offers to ask again only where that may help', async () => {
    const timeout = new TimeoutError(15_000);
    expect(lookupProblem(timeout)).toEqual({ kind: 'timeout', retry: true, error: timeout });
    const cases: [Error, string, boolean][] = [
      [new OfflineError(), 'offline', true],
      [new ApiError(404, { type: 'not-found' }), 'not-found', false],
      [new ApiError(429, {}), 'throttled', true],
      [new ApiError(400, { field: 'phone' }), 'bad-phone', false],
      [new ApiError(500, {}), 'error', true],
      [new Error('x'), 'error', true],
    ];
    for (const [err, kind, retry] of cases) {
      expect(lookupProblem(err), err.message).toEqual({ kind, retry, error: err });
      expect(await lookupPhone(port(err).p, '+77015551234'), err.message).toEqual({ problem: { kind, retry, error: err } });
    }
  });

  it('says nothing when the caller gave up (the screen closed)', async () => {
    expect(await lookupPhone(port(abortError()).p, '+77015551234')).toBeNull();
  });
});
