// Checkpoint passages on the phone: the form's checks, and the sync (sent once, the server's flag
// kept for the screen, refused by stable code, only the maker's), in node with a fake store.
import { describe, expect, it } from 'vitest';
import { ApiError, OfflineError } from './api';
import { EMPTY_PASSAGE, passageFrom, syncPassages, type PassageAnswer, type PassagePort, type PassageRecord, type SendPassage } from './passages';

const AT = new Date('2026-12-06T08:30:00.000Z');

describe('passageFrom', () => {
  it('makes a passage scanned at the given time with the trimmed note', () => {
    const r = passageFrom({ certificate: ' KZ-ABY-20261206-7KQ2M9XD ', holding: '12', head_seen: '30', note: ' truck 05 ' }, 'id-1', AT, 32);
    expect(r).toEqual({
      ok: true,
      certificate: 'KZ-ABY-20261206-7KQ2M9XD',
      body: { id: 'id-1', holding: 12, at: '2026-12-06T08:30:00.000Z', head_seen: 30, note: 'truck 05' },
    });
  });

  it('names every field at fault on an empty form', () => {
    expect(passageFrom(EMPTY_PASSAGE, 'id', AT)).toEqual({
      ok: false,
      errors: {
        certificate: 'inspector:passage.certificate_required',
        holding: 'inspector:passage.holding_required',
        head_seen: 'inspector:passage.head_required',
      },
    });
  });

  it('refuses more head than the certificate carries, and a long note', () => {
    const r = passageFrom({ certificate: 'c', holding: '1', head_seen: '33', note: 'x'.repeat(501) }, 'id', AT, 32);
    expect(r).toEqual({ ok: false, errors: { head_seen: 'inspector:passage.head_above', note: 'inspector:passage.note_long' } });
  });
});

class MemoryPassages implements PassagePort {
  readonly records = new Map<string, PassageRecord>();
  add(id: string, user?: string): void {
    this.records.set(id, {
      id,
      ...(user ? { user: { id: user, username: 'u' + user } } : {}),
      state: 'pending',
      created_at: AT.toISOString(),
      record: { id, holding: 1, at: AT.toISOString(), head_seen: 1, certificate: 'cert-' + id },
      attempts: 0,
    });
  }
  async pending() {
    return [...this.records.values()].filter((r) => r.state === 'pending').sort((a, b) => (a.id < b.id ? -1 : 1));
  }
  async sent(id: string, answer: PassageAnswer) {
    const r = this.records.get(id)!;
    this.records.set(id, { ...r, state: 'sent', answer });
  }
  async reject(id: string, error: { code?: string; message: string; field?: string }) {
    const r = this.records.get(id)!;
    this.records.set(id, { ...r, state: 'rejected', error });
  }
}

describe('syncPassages', () => {
  it('sends each waiting passage to its certificate once and keeps the flag the server gave', async () => {
    const port = new MemoryPassages();
    port.add('a', '1');
    port.add('b', '1');
    const sent: string[] = [];
    const send: SendPassage = async (certificate, body) => {
      sent.push(`${certificate}:${body.id}`);
      return body.id === 'a'
        ? { status: 'created', passage: { flag: null, flag_reason: null } }
        : { status: 'duplicate', passage: { flag: 'revoked', flag_reason: 'the certificate X was revoked at T', certificate_number: 'X' } };
    };
    const report = await syncPassages(port, send, { user: '1' });
    expect(report).toEqual({ outcome: 'done', created: 1, duplicate: 1, rejected: 0 });
    expect(sent).toEqual(['cert-a:a', 'cert-b:b']);
    expect(port.records.get('a')?.state).toBe('sent');
    expect(port.records.get('a')?.answer).toEqual({ status: 'created', flag: null, flag_reason: null });
    expect(port.records.get('b')?.answer).toEqual({ status: 'duplicate', flag: 'revoked', flag_reason: 'the certificate X was revoked at T', certificate_number: 'X' });
    // Nothing is left to send: a second sync sends nothing.
    expect(await syncPassages(port, send, { user: '1' })).toEqual({ outcome: 'done', created: 0, duplicate: 0, rejected: 0 });
    expect(sent).toHaveLength(2);
  });

  it('keeps a refused passage with the code and field, and stops for a retry without an answer', async () => {
    const port = new MemoryPassages();
    port.add('a', '1');
    port.add('b', '1');
    const send: SendPassage = async (_c, body) => {
      if (body.id === 'a') throw new ApiError(422, { type: 'https://herdpass.org/problems/unprocessable', title: 'Refused', field: 'head_seen' });
      throw new OfflineError();
    };
    const report = await syncPassages(port, send, { user: '1' });
    expect(report.outcome).toBe('retry');
    expect(report.rejected).toBe(1);
    expect(port.records.get('a')?.state).toBe('rejected');
    expect(port.records.get('a')?.error).toEqual({ code: 'unprocessable', message: 'Refused', field: 'head_seen' });
    expect(port.records.get('b')?.state).toBe('pending');
  });

  it("sends only the signed-in user's passages", async () => {
    const port = new MemoryPassages();
    port.add('a', '1');
    port.add('b', '2');
    const sent: string[] = [];
    await syncPassages(port, async (_c, body) => (sent.push(body.id), { status: 'created', passage: { flag: null, flag_reason: null } }), { user: '2' });
    expect(sent).toEqual(['b']);
    expect(port.records.get('a')?.state).toBe('pending');
  });
});

// Issue 14 item 5: arrivals go out by the same sync, marked on the phone only.
describe('syncPassages with arrivals', () => {
  const arrival = (port: MemoryPassages, id: string) =>
    port.records.set(id, {
      id,
      state: 'pending',
      created_at: AT.toISOString(),
      record: { kind: 'arrival', id, at: AT.toISOString(), place: 'gate 2', certificate: 'cert-' + id },
      attempts: 0,
    });

  it('keeps a 409 double use as sent, with the first use it names', async () => {
    const port = new MemoryPassages();
    arrival(port, 'a1');
    const send: SendPassage = async () => {
      throw new ApiError(409, {
        type: 'https://herdpass.example/problems/already-exists',
        first_consumed: { at: '2026-12-06T08:00:00Z', place: 'Abay meat plant', by: 'demo-inspector' },
        first_use: { id: 'x' },
        double_use: { id: 'a1' },
      });
    };
    const report = await syncPassages(port, send);
    expect(report.outcome).toBe('done');
    expect(report.rejected).toBe(0);
    expect(port.records.get('a1')).toMatchObject({
      state: 'sent',
      answer: { status: 'double_use', first: { at: '2026-12-06T08:00:00Z', place: 'Abay meat plant', by: 'demo-inspector' } },
    });
  });

  it('refuses a 409 without a double use (revoked, expired) with its code', async () => {
    const port = new MemoryPassages();
    arrival(port, 'a1');
    const send: SendPassage = async () => {
      throw new ApiError(409, { type: 'https://herdpass.example/problems/failed-precondition', detail: 'revoked' });
    };
    await syncPassages(port, send);
    expect(port.records.get('a1')).toMatchObject({ state: 'rejected', error: { code: 'failed-precondition' } });
  });

  it('marks an arrival the server had already as a duplicate, and keeps it waiting with no network', async () => {
    const port = new MemoryPassages();
    arrival(port, 'a1');
    arrival(port, 'a2');
    const bodies: unknown[] = [];
    let calls = 0;
    const send: SendPassage = async (_c, body) => {
      bodies.push(body);
      if (calls++ === 0) return { id: 'cert', use: { duplicate: true } };
      throw new OfflineError();
    };
    const report = await syncPassages(port, send);
    expect(report.outcome).toBe('retry');
    expect(port.records.get('a1')).toMatchObject({ state: 'sent', answer: { status: 'duplicate' } });
    expect(port.records.get('a2')?.state).toBe('pending');
    expect(bodies[0]).toEqual({ kind: 'arrival', id: 'a1', at: AT.toISOString(), place: 'gate 2' });
  });
});
