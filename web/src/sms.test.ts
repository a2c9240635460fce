import { describe, expect, it } from 'vitest';
import { ApiError, OfflineError } from './api';
import { PAGE_SIZE, SmsState, smsPath, type SmsItem, type SmsPage } from './sms';

function item(id: number, status: SmsItem['status'] = 'queued'): SmsItem {
  return {
    id,
    owner_id: 1,
    phone: '+77010000001',
    authority: 'KZ-ABY',
    kind: 'receipt',
    text: 'HerdPass',
    coding: 'gsm7',
    segments: 1,
    status,
    attempts: 0,
    requested: false,
    created_at: '2026-12-07T08:00:00Z',
    next_attempt_at: '2026-12-07T08:00:00Z',
    sent_at: null,
    dlr: 0,
    last_error: '',
  };
}

// A fake server: answers each path from `pages`, and records what was asked.
function fake(pages: Record<string, SmsPage | Error>) {
  const asked: string[] = [];
  return {
    asked,
    ports: {
      async getJson<T>(path: string): Promise<T> {
        asked.push(path);
        const p = pages[path];
        if (p === undefined) throw new Error(`unexpected ${path}`);
        if (p instanceof Error) throw p;
        return p as T;
      },
    },
  };
}

const ids = (n: number, from: number) => Array.from({ length: n }, (_, i) => item(from - i));

describe('smsPath', () => {
  it('asks for a page, of a status when one is chosen, below the previous page', () => {
    expect(smsPath('')).toBe(`/sms/messages?limit=${PAGE_SIZE}`);
    expect(smsPath('failed')).toBe(`/sms/messages?limit=${PAGE_SIZE}&status=failed`);
    expect(smsPath('sent', 120)).toBe(`/sms/messages?limit=${PAGE_SIZE}&status=sent&before=120`);
  });
});

describe('SmsState', () => {
  it('says no gateway when messages wait and the server has none', async () => {
    const f = fake({ [smsPath('')]: { items: [item(3)], next_before: 3, queued: 1, gateway: false } });
    const st = new SmsState(f.ports);
    expect(st.noGateway).toBe(false); // nothing known yet
    await st.load('');
    expect(st.status).toBe('ready');
    expect(st.items.map((m) => m.id)).toEqual([3]);
    expect(st.noGateway).toBe(true);
    expect(st.nextBefore).toBeUndefined(); // a short page is the last
  });

  it('says nothing of the gateway when it has one, or when nothing waits', async () => {
    const withGateway = new SmsState(fake({ [smsPath('')]: { items: [item(3)], queued: 1, gateway: true } }).ports);
    await withGateway.load('');
    expect(withGateway.noGateway).toBe(false);
    const nothingWaits = new SmsState(fake({ [smsPath('')]: { items: [item(3, 'failed')], queued: 0, gateway: false } }).ports);
    await nothingWaits.load('');
    expect(nothingWaits.noGateway).toBe(false);
  });

  it('pages down with the previous page\'s next_before, in the same filter', async () => {
    const first = ids(PAGE_SIZE, 200);
    const f = fake({
      [smsPath('sent')]: { items: first, next_before: 151, queued: 4, gateway: true },
      [smsPath('sent', 151)]: { items: [item(10, 'sent')], next_before: 10, queued: 4, gateway: true },
    });
    const st = new SmsState(f.ports);
    await st.load('sent');
    expect(st.nextBefore).toBe(151);
    await st.more();
    expect(f.asked).toEqual([smsPath('sent'), smsPath('sent', 151)]);
    expect(st.items.length).toBe(PAGE_SIZE + 1);
    expect(st.items.at(-1)!.id).toBe(10);
    expect(st.nextBefore).toBeUndefined();
    await st.more(); // no further page: nothing asked
    expect(f.asked.length).toBe(2);
  });

  it('a new filter replaces the list rather than adding to it', async () => {
    const f = fake({
      [smsPath('')]: { items: [item(5), item(4, 'failed')], queued: 1, gateway: false },
      [smsPath('failed')]: { items: [item(4, 'failed')], queued: 1, gateway: false },
    });
    const st = new SmsState(f.ports);
    await st.load('');
    await st.load('failed');
    expect(st.filter).toBe('failed');
    expect(st.items.map((m) => m.id)).toEqual([4]);
  });

  it('an error is shown, and a failed next page keeps the list shown', async () => {
    const refused = new ApiError(403, { type: 'forbidden' });
    const st = new SmsState(fake({ [smsPath('')]: refused }).ports);
    await st.load('');
    expect(st.status).toBe('error');
    expect(st.error).toBe(refused);
    expect(st.noGateway).toBe(false);

    const f = fake({
      [smsPath('')]: { items: ids(PAGE_SIZE, 100), next_before: 51, queued: 0, gateway: true },
      [smsPath('', 51)]: new OfflineError(),
    });
    const paged = new SmsState(f.ports);
    await paged.load('');
    await paged.more();
    expect(paged.status).toBe('ready');
    expect(paged.items.length).toBe(PAGE_SIZE);
    expect(paged.error).toBeInstanceOf(OfflineError);
    expect(paged.nextBefore).toBe(51); // can be tried again
  });
});
