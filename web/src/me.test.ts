import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { OWNER_SESSION_KEY, OwnerClient, readerActionKey, type Call, type SessionStore } from './me';

function memory(): SessionStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

describe('OwnerClient', () => {
  it('keeps the session the code gives and sends its token, and only it', async () => {
    const store = memory();
    const calls: { method: string; path: string; body: unknown; token: string | null }[] = [];
    const call: Call = async (method, path, body, token) => {
      calls.push({ method, path, body, token });
      if (path === '/me/session') return { status: 200, data: { token: 'tok', expires_at: '2026-12-07T12:00:00Z' } };
      if (path === '/me/readers') return { status: 200, data: { items: [{ at: 'x', action: 'lookup.phone', role: 'inspector', authority: 'KZ', authority_name: '' }] } };
      return { status: 202, data: { accepted: true } };
    };
    const c = new OwnerClient(store, call, () => Date.parse('2026-12-07T10:00:00Z'));
    await c.requestCode(' 8 705 000 70 00 ');
    await c.signIn('8 705 000 70 00', '123 456');
    expect(calls[0]).toEqual({ method: 'POST', path: '/me/code', body: { phone: '8 705 000 70 00' }, token: null });
    expect(calls[1].body).toEqual({ phone: '8 705 000 70 00', code: '123456' });
    expect(c.session()?.token).toBe('tok');
    expect((await c.readers())[0].role).toBe('inspector');
    expect(calls[2].token).toBe('tok');
  });

  it('forgets an expired session, and one the server ended', async () => {
    const store = memory();
    store.setItem(OWNER_SESSION_KEY, JSON.stringify({ token: 'old', expires_at: '2026-12-07T09:00:00Z' }));
    const c = new OwnerClient(store, async () => ({ status: 401, data: { type: 'x/unauthenticated' } }), () => Date.parse('2026-12-07T10:00:00Z'));
    expect(c.session()).toBeNull();
    store.setItem(OWNER_SESSION_KEY, JSON.stringify({ token: 'ended', expires_at: '2026-12-07T11:00:00Z' }));
    expect(c.session()?.token).toBe('ended');
    await expect(c.records()).rejects.toBeInstanceOf(ApiError);
    expect(store.data.has(OWNER_SESSION_KEY)).toBe(false);
  });

  it('keeps no session after a refused code', async () => {
    const store = memory();
    const c = new OwnerClient(store, async () => ({ status: 401, data: { field: undefined } }));
    await expect(c.signIn('+77050007000', '000000')).rejects.toMatchObject({ status: 401 });
    expect(store.data.size).toBe(0);
  });

  it('saves the language the owner chose with their session, and says why it was refused', async () => {
    const store = memory();
    store.setItem(OWNER_SESSION_KEY, JSON.stringify({ token: 'tok', expires_at: '2026-12-07T11:00:00Z' }));
    const calls: { method: string; path: string; body: unknown; token: string | null }[] = [];
    const call: Call = async (method, path, body, token) => {
      calls.push({ method, path, body, token });
      const language = (body as { language: string }).language;
      return language === 'de' ? { status: 400, data: { field: 'language' } } : { status: 200, data: { language } };
    };
    const c = new OwnerClient(store, call, () => Date.parse('2026-12-07T10:00:00Z'));
    await c.setLanguage('ru');
    expect(calls[0]).toEqual({ method: 'PUT', path: '/me/language', body: { language: 'ru' }, token: 'tok' });
    await expect(c.setLanguage('de')).rejects.toMatchObject({ status: 400 });
    expect(c.session()?.token).toBe('tok');  // a refused value ends no session
  });

  it('names a lookup of the number apart from other reads', () => {
    expect(readerActionKey('lookup.phone')).toBe('me:reader_action.lookup');
    expect(readerActionKey('owner.read')).toBe('me:reader_action.read');
  });
});
