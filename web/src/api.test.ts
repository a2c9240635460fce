// Every request has a time limit: a server that does not answer is a TimeoutError (an
// OfflineError, so callers fall back to what the phone knows), the caller's own abort stays an
// AbortError, and a network failure an OfflineError.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { ApiError, OfflineError, REQUEST_TIMEOUT_MS, TimeoutError, api, deadline } from './api';

// A fetch that never answers until its signal aborts, as over a stalled link.
function stalledFetch() {
  return vi.fn((_url: string, init: RequestInit) => {
    return new Promise<Response>((_ok, fail) => {
      init.signal?.addEventListener('abort', () => fail(new DOMException('aborted', 'AbortError')));
    });
  });
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('request time limits', () => {
  it('a stalled request ends in a TimeoutError after the default limit, not before', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('fetch', stalledFetch());
    const call = api('GET', '/lookup?phone=1');
    const outcome = call.then(
      () => 'answered',
      (e) => e,
    );
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS - 1);
    expect(await Promise.race([outcome, Promise.resolve('pending')])).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    const e = await outcome;
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e).toBeInstanceOf(OfflineError);
    expect((e as TimeoutError).ms).toBe(REQUEST_TIMEOUT_MS);
  });

  it('a caller may give a longer limit', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('fetch', stalledFetch());
    const outcome = api('POST', '/vaccinations/batch', { records: [] }, undefined, 60_000).catch((e) => e);
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS);
    expect(await Promise.race([outcome, Promise.resolve('pending')])).toBe('pending');
    await vi.advanceTimersByTimeAsync(60_000 - REQUEST_TIMEOUT_MS);
    expect(await outcome).toBeInstanceOf(TimeoutError);
  });

  it("the caller's abort stays an AbortError", async () => {
    vi.stubGlobal('fetch', stalledFetch());
    const ctl = new AbortController();
    const outcome = api('GET', '/catalogue', undefined, ctl.signal).catch((e) => e);
    ctl.abort();
    const e = await outcome;
    expect(e).not.toBeInstanceOf(OfflineError);
    expect((e as Error).name).toBe('AbortError');
  });

  it('no network is an OfflineError, not a timeout', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const e = await api('GET', '/catalogue').catch((x) => x);
    expect(e).toBeInstanceOf(OfflineError);
    expect(e).not.toBeInstanceOf(TimeoutError);
  });

  it('an answer in time is read; a problem becomes an ApiError; the timer is cleared', async () => {
    vi.useFakeTimers();
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) =>
        url.endsWith('/ok')
          ? new Response('{"a":1}', { status: 200 })
          : new Response('{"title":"Not found","field":"phone"}', { status: 404 }),
      ),
    );
    expect(await api('GET', '/ok')).toEqual({ a: 1 });
    const e = await api('GET', '/missing').catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect([(e as ApiError).status, (e as ApiError).field]).toEqual([404, 'phone']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('deadline follows an outer signal already aborted, and says when it timed out', async () => {
    vi.useFakeTimers();
    const outer = new AbortController();
    outer.abort();
    const d1 = deadline(1000, outer.signal);
    expect([d1.signal.aborted, d1.timedOut()]).toEqual([true, false]);
    d1.done();
    const d2 = deadline(1000);
    await vi.advanceTimersByTimeAsync(1000);
    expect([d2.signal.aborted, d2.timedOut()]).toEqual([true, true]);
  });
});

describe('gzip-encoded bodies', () => {
  // What fetch was given: the headers and the body bytes.
  function capturingFetch(sent: { headers: Record<string, string>; body: unknown }[]) {
    return vi.fn(async (_url: string, init: RequestInit) => {
      sent.push({ headers: init.headers as Record<string, string>, body: init.body });
      return new Response('{"results":[]}', { status: 200 });
    });
  }

  it('a compressed call sends gzip that inflates to the JSON', async () => {
    const sent: { headers: Record<string, string>; body: unknown }[] = [];
    vi.stubGlobal('fetch', capturingFetch(sent));
    const records = [{ id: 'a', disease: 'FMD-O' }];
    await api('POST', '/vaccinations/batch', { records }, undefined, 1000, true);
    expect(sent).toHaveLength(1);
    expect(sent[0].headers['Content-Encoding']).toBe('gzip');
    expect(sent[0].headers['Content-Type']).toBe('application/json');
    const body = new Uint8Array(sent[0].body as ArrayBuffer);
    expect([body[0], body[1]]).toEqual([0x1f, 0x8b]); // the gzip magic
    expect(gunzipSync(body).toString('utf8')).toBe(JSON.stringify({ records }));
  });

  it('without CompressionStream, or uncompressed calls, the JSON goes as it is', async () => {
    const sent: { headers: Record<string, string>; body: unknown }[] = [];
    vi.stubGlobal('fetch', capturingFetch(sent));
    await api('POST', '/owners', { phone: '1' });
    vi.stubGlobal('CompressionStream', undefined);
    await api('POST', '/vaccinations/batch', { records: [] }, undefined, 1000, true);
    expect(sent.map((s) => [s.headers['Content-Encoding'], s.body])).toEqual([
      [undefined, '{"phone":"1"}'],
      [undefined, '{"records":[]}'],
    ]);
  });
});
