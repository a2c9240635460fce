import { describe, expect, it } from 'vitest';
import { ApiError, OfflineError } from '../api';
import { formField, parseTags, TransferState } from './transfer_state';

function world(reply: unknown | Error) {
  const requests: unknown[] = [];
  let n = 0;
  const st = new TransferState({
    api: async <T>(_m: 'POST', _p: string, body?: unknown) => {
      requests.push(body);
      if (reply instanceof Error) throw reply;
      return reply as T;
    },
    newId: () => `id-${++n}`,
  });
  return { st, requests };
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
    expect(formField('flock_id')).toBeNull();
  });

  it('sends the sale with the id made on the phone, trimmed, the name only when typed; then starts empty with a new id', async () => {
    const w = world({ status: 'created', changes: [{ tag: '398000000000001', head: 1 }] });
    fill(w.st);
    await w.st.submit();
    expect(w.requests).toEqual([
      { id: 'id-1', seller_phone: '8 701 000 0001', buyer_phone: '8 701 000 0002', tags: ['398000000000001', '398000000000002'], date: '2026-12-04' },
    ]);
    expect(w.st.done?.status).toBe('created');
    expect(w.st.fields).toEqual({ seller_phone: '', buyer_phone: '', buyer_name: '', tags: '', date: '' });
    fill(w.st);
    w.st.type('buyer_name', ' Daulet ');
    expect(w.st.body()).toMatchObject({ id: 'id-2', buyer_name: 'Daulet' });
  });

  it('asks for a missing field before sending anything', async () => {
    const w = world({ status: 'created' });
    fill(w.st);
    w.st.type('tags', ' ');
    await w.st.submit();
    expect(w.st.fieldError).toEqual({ field: 'tags', message: { key: 'vet:transfer_required' } });
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
});
