import { describe, expect, it } from 'vitest';
import { ApiError, OfflineError } from '../api';
import { formField, parseTags, TransferState } from './transfer_state';

function world(reply: unknown | Error, lookups: Record<string, unknown | Error> = {}) {
  const requests: unknown[] = [];
  const asked: string[] = [];
  let n = 0;
  const st = new TransferState({
    api: async <T>(m: 'GET' | 'POST', p: string, body?: unknown) => {
      if (m === 'GET') {
        asked.push(p);
        const a = p in lookups ? lookups[p] : new OfflineError();
        if (a instanceof Error) throw a;
        return a as T;
      }
      requests.push(body);
      if (reply instanceof Error) throw reply;
      return reply as T;
    },
    newId: () => `id-${++n}`,
  });
  return { st, requests, asked };
}

const fill = (st: TransferState) => {
  st.type('seller_phone', ' 8 701 000 0001 ');
  st.type('buyer_phone', '8 701 000 0002');
  st.type('tags', '398000000000001, 398000000000002\n398000000000001');
  st.type('date', '2026-12-04');
};

describe('sale at the farm (W8)', () => {
  it('reads tags split on spaces, commas and lines, each once', () => {
    expect(parseTags(' a, b\nc  a ')).toEqual(['a', 'b', 'c']);
    expect(formField('tags[1]')).toBe('tags');
    expect(formField('flock_id')).toBe('flock');
    expect(formField('head')).toBe('head');
    expect(formField('owner')).toBeNull();
  });

  it('sends the sale with the id made on the phone, trimmed, the name only when typed; then starts empty with a new id', async () => {
    const w = world({ status: 'created', changes: [{ tag: '398000000000001', head: 1 }] });
    fill(w.st);
    await w.st.submit();
    expect(w.requests).toEqual([
      { id: 'id-1', seller_phone: '8 701 000 0001', buyer_phone: '8 701 000 0002', tags: ['398000000000001', '398000000000002'], date: '2026-12-04' },
    ]);
    expect(w.st.done?.status).toBe('created');
    expect(w.st.fields).toEqual({ seller_phone: '', buyer_phone: '', buyer_name: '', tags: '', flock: '', head: '', date: '' });
    fill(w.st);
    w.st.type('buyer_name', ' Daulet ');
    expect(w.st.body()).toMatchObject({ id: 'id-2', buyer_name: 'Daulet' });
  });

  it('asks for a missing field before sending anything', async () => {
    const w = world({ status: 'created' });
    fill(w.st);
    w.st.type('tags', ' ');
    await w.st.submit();
    expect(w.st.fieldError).toEqual({ field: 'tags', message: { key: 'vet:transfer_tags_or_flock' } });
    expect(w.requests).toEqual([]);
  });

  it('says an animal no longer the seller’s at the tags, by tag, and keeps the form and the id', async () => {
    const w = world(new ApiError(409, { type: 'failed-precondition', field: 'tags[1]' }));
    fill(w.st);
    await w.st.submit();
    expect(w.st.fieldError).toEqual({ field: 'tags', message: { key: 'vet:transfer_not_sellers', values: { tag: '398000000000002' } } });
    expect(w.st.fields.tags).not.toBe('');
    expect(w.st.body().id).toBe('id-1');
  });

  it('says a bad buyer phone at that field, and no network as such', async () => {
    const w = world(new ApiError(422, { type: 'invalid-argument', field: 'buyer_phone' }));
    fill(w.st);
    await w.st.submit();
    expect([w.st.fieldError, w.st.error]).toEqual([{ field: 'buyer_phone', message: { key: 'vet:buyer_phone_bad' } }, null]);
    const off = world(new OfflineError());
    fill(off.st);
    await off.st.submit();
    expect([off.st.fieldError, off.st.error]).toEqual([null, { key: 'vet:transfer_offline' }]);
    // The same sale sent again later keeps its id: stored once.
    expect(off.st.body().id).toBe('id-1');
  });

  describe('a flock (no ear tags)', () => {
    const SELLER = '8 701 000 0001';
    const lookup = {
      animals: [
        { id: 5, kind: 'animal', tag: '398000000000001', species: 'cattle', head_count: 1, coverage: [] },
        { id: 7, kind: 'flock', tag: null, species: 'sheep', head_count: 40, coverage: [] },
        { id: 8, kind: 'flock', tag: null, species: 'goat', head_count: 0, coverage: [] },
      ],
    };
    const flockWorld = (reply: unknown | Error = { status: 'created', changes: [{ tag: null, head: 12 }] }) =>
      world(reply, { [`/lookup?phone=${encodeURIComponent(SELLER)}&years=3`]: lookup });
    const fillFlock = (st: TransferState) => {
      st.type('seller_phone', SELLER);
      st.type('buyer_phone', '8 701 000 0002');
      st.type('date', '2026-12-04');
    };

    it('offers the seller’s flocks with head left, and sends the flock and the head sold, with no tags', async () => {
      const w = flockWorld();
      fillFlock(w.st);
      await w.st.loadFlocks();
      expect(w.st.flocks?.map((f) => f.id)).toEqual([7]);
      w.st.type('flock', '7');
      w.st.type('head', ' 12 ');
      await w.st.submit();
      expect(w.requests).toEqual([{ id: 'id-1', seller_phone: SELLER, buyer_phone: '8 701 000 0002', date: '2026-12-04', flock_id: 7, head: 12 }]);
      expect(w.st.done?.status).toBe('created');
      // The next sale starts with no flock chosen and none listed.
      expect([w.st.fields.flock, w.st.fields.head, w.st.flocks]).toEqual(['', '', null]);
    });

    it('sends tags and a flock together when both are entered', async () => {
      const w = flockWorld();
      fillFlock(w.st);
      w.st.type('tags', '398000000000001');
      await w.st.loadFlocks();
      w.st.type('flock', '7');
      w.st.type('head', '3');
      await w.st.submit();
      expect(w.requests).toEqual([
        { id: 'id-1', seller_phone: SELLER, buyer_phone: '8 701 000 0002', date: '2026-12-04', tags: ['398000000000001'], flock_id: 7, head: 3 },
      ]);
    });

    it('asks for the head, refuses a head that is not a whole number from 1 or is above the flock’s, and sends nothing', async () => {
      const w = flockWorld();
      fillFlock(w.st);
      await w.st.loadFlocks();
      w.st.type('flock', '7');
      await w.st.submit();
      expect(w.st.fieldError).toEqual({ field: 'head', message: { key: 'vet:transfer_required' } });
      for (const bad of ['0', '2.5', 'x', '-3']) {
        w.st.type('head', bad);
        await w.st.submit();
        expect(w.st.fieldError, bad).toEqual({ field: 'head', message: { key: 'vet:transfer_head_bad' } });
      }
      w.st.type('head', '41');
      await w.st.submit();
      expect(w.st.fieldError).toEqual({ field: 'head', message: { key: 'vet:transfer_head_above', values: { n: 40 } } });
      expect(w.requests).toEqual([]);
    });

    it('forgets the flocks and the flock chosen when another seller is typed', async () => {
      const w = flockWorld();
      fillFlock(w.st);
      await w.st.loadFlocks();
      w.st.type('flock', '7');
      w.st.type('head', '2');
      w.st.type('seller_phone', '8 701 000 0009');
      expect([w.st.flocks, w.st.fields.flock, w.st.fields.head]).toEqual([null, '', '']);
      await w.st.submit();
      // Neither tags nor a flock: said, nothing sent.
      expect(w.st.fieldError).toEqual({ field: 'tags', message: { key: 'vet:transfer_tags_or_flock' } });
      expect(w.requests).toEqual([]);
    });

    it('says an unknown seller at the seller, and a flock that has fewer head now at the head', async () => {
      const unknown = world({}, { [`/lookup?phone=${encodeURIComponent(SELLER)}&years=3`]: new ApiError(404, { type: 'not-found' }) });
      fillFlock(unknown.st);
      await unknown.st.loadFlocks();
      expect(unknown.st.fieldError).toEqual({ field: 'seller_phone', message: { key: 'vet:transfer_seller_unknown' } });
      expect(unknown.st.flocks).toBeNull();
      const w = flockWorld(new ApiError(409, { type: 'failed-precondition', field: 'head' }));
      fillFlock(w.st);
      await w.st.loadFlocks();
      w.st.type('flock', '7');
      w.st.type('head', '5');
      await w.st.submit();
      expect(w.st.fieldError).toEqual({ field: 'head', message: { key: 'vet:transfer_flock_changed' } });
      expect(w.st.body().id).toBe('id-1');
    });
  });
});
