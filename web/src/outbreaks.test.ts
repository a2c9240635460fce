// Outbreak reports on the phone (outbreaks.ts): the form's checks, the sync of waiting reports (sent
// once, a resend answered "duplicate", refusals kept), and the vet's board marking new reports.
import { describe, expect, it } from 'vitest';
import { ApiError, OfflineError } from './api';
import { EMPTY_REPORT, OutbreakBoard, reportFrom, syncOutbreaks, type OutbreakBody, type OutbreakItem, type OutbreakPort, type OutbreakRecord, type ReportForm } from './outbreaks';
import type { CatalogueDisease } from './wire';

const DISEASES: CatalogueDisease[] = [
  { code: 'FMD-O', name: 'FMD O', immunity_days: 180, species: ['cattle', 'sheep', 'goat'] },
  { code: 'ANTHRAX', name: 'Anthrax', immunity_days: 365, species: ['cattle', 'horse'] },
];
const ID = '0190a3c4-1b2c-7d3e-8f40-123456789abc';
const TODAY = '2026-12-07';

const filled: ReportForm = {
  holding: '12',
  disease: 'FMD-O',
  species: 'cattle',
  first_signs_on: '2026-12-05',
  head_sick: '4',
  head_dead: '0',
  lat: '49.95',
  lon: '82.61',
  note: '  drooling, lame  ',
};

describe('reportFrom', () => {
  it('makes the body the API takes from what was typed', () => {
    expect(reportFrom(filled, ID, TODAY, DISEASES)).toEqual({
      ok: true,
      body: { id: ID, holding: 12, disease: 'FMD-O', species: 'cattle', first_signs_on: '2026-12-05', head_sick: 4, head_dead: 0, lat: 49.95, lon: 82.61, note: 'drooling, lame' },
    });
  });

  it('an empty form names every required field and makes no position up', () => {
    const r = reportFrom(EMPTY_REPORT, ID, TODAY, DISEASES);
    expect(r).toEqual({
      ok: false,
      errors: {
        holding: 'outbreak:error.holding',
        disease: 'outbreak:error.disease',
        species: 'outbreak:error.species',
        first_signs_on: 'outbreak:error.first_signs',
        head_sick: 'outbreak:error.head',
        head_dead: 'outbreak:error.head',
        lat: 'outbreak:error.lat',
        lon: 'outbreak:error.lon',
      },
    });
  });

  it('refuses a species the disease does not affect, a date out of bounds, bad counts and coordinates', () => {
    const r = reportFrom({ ...filled, disease: 'ANTHRAX', species: 'sheep', first_signs_on: '2026-12-09', head_sick: '-1', head_dead: '2.5', lat: '91', lon: 'east' }, ID, TODAY, DISEASES);
    expect(r).toEqual({
      ok: false,
      errors: {
        species: 'outbreak:error.species_disease',
        first_signs_on: 'outbreak:error.first_signs_future',
        head_sick: 'outbreak:error.head',
        head_dead: 'outbreak:error.head',
        lat: 'outbreak:error.lat',
        lon: 'outbreak:error.lon',
      },
    });
    expect(reportFrom({ ...filled, first_signs_on: '2025-12-05' }, ID, TODAY, DISEASES)).toEqual({ ok: false, errors: { first_signs_on: 'outbreak:error.first_signs_old' } });
  });

  it('takes tomorrow (a phone clock running fast) and a comma as decimal mark; leaves an empty note out', () => {
    const r = reportFrom({ ...filled, first_signs_on: '2026-12-08', lat: '-12,5', note: ' ' }, ID, TODAY, DISEASES);
    expect(r.ok && r.body).toMatchObject({ first_signs_on: '2026-12-08', lat: -12.5 });
    expect(r.ok && 'note' in r.body).toBe(false);
  });
});

class MemoryReports implements OutbreakPort {
  readonly records = new Map<string, OutbreakRecord>();
  constructor(list: OutbreakRecord[]) {
    for (const r of list) this.records.set(r.id, structuredClone(r));
  }
  async pending() {
    return [...this.records.values()].filter((r) => r.state === 'pending').sort((a, b) => (a.id < b.id ? -1 : 1));
  }
  async sent(id: string, answer: 'created' | 'duplicate') {
    const r = this.records.get(id)!;
    this.records.set(id, { ...r, state: 'sent', answer, attempts: r.attempts + 1 });
  }
  async reject(id: string, error: { code?: string; message: string; field?: string }) {
    const r = this.records.get(id)!;
    this.records.set(id, { ...r, state: 'rejected', error, attempts: r.attempts + 1 });
  }
}

const body = (id: string): OutbreakBody => ({ id, holding: 12, disease: 'FMD-O', species: 'cattle', first_signs_on: '2026-12-05', head_sick: 4, head_dead: 0, lat: 49.95, lon: 82.61 });
const rec = (id: string, user = 'u1'): OutbreakRecord => ({
  id,
  user: { id: user, username: user },
  state: 'pending',
  created_at: '2026-12-07T06:00:00Z',
  record: { ...body(id), holding_name: 'Farm (F-1)' },
  attempts: 0,
});

describe('syncOutbreaks', () => {
  it('sends each waiting report of the user once, without the phone-only holding name, oldest first', async () => {
    const port = new MemoryReports([rec('b'), rec('a'), rec('c', 'u2')]);
    const sent: OutbreakBody[] = [];
    const r = await syncOutbreaks(port, async (b) => (sent.push(b), { duplicate: b.id === 'b' }), { user: 'u1' });
    expect(r).toEqual({ outcome: 'done', created: 1, duplicate: 1, rejected: 0 });
    expect(sent).toEqual([body('a'), body('b')]);
    expect(port.records.get('a')).toMatchObject({ state: 'sent', answer: 'created' });
    expect(port.records.get('b')).toMatchObject({ state: 'sent', answer: 'duplicate' });
    expect(port.records.get('c')!.state).toBe('pending');
    // Nothing waits: a second sync sends nothing.
    const again: OutbreakBody[] = [];
    await syncOutbreaks(port, async (b) => (again.push(b), {}), { user: 'u1' });
    expect(again).toEqual([]);
  });

  it('keeps a refused report with its field, stops on no network and on 401 with the rest waiting', async () => {
    const port = new MemoryReports([rec('a'), rec('b'), rec('c')]);
    const answers: Record<string, () => never> = {
      a: () => {
        throw new ApiError(400, { type: 'https://herdpass.example/problems/invalid-argument', detail: 'holding is not in your jurisdiction', field: 'holding' });
      },
      b: () => {
        throw new OfflineError();
      },
    };
    const r = await syncOutbreaks(port, async (b) => answers[b.id]?.() ?? {}, { user: 'u1' });
    expect(r.outcome).toBe('retry');
    expect(r.rejected).toBe(1);
    expect(port.records.get('a')).toMatchObject({ state: 'rejected', error: { code: 'invalid-argument', field: 'holding', message: 'holding is not in your jurisdiction' } });
    expect(port.records.get('b')!.state).toBe('pending');
    expect(port.records.get('c')!.state).toBe('pending');
    const u = await syncOutbreaks(port, async () => {
      throw new ApiError(401, {});
    }, { user: 'u1' });
    expect(u.outcome).toBe('unauthorized');
    expect(port.records.get('b')!.state).toBe('pending');
  });
});

const item = (id: string, reported_at: string, status: OutbreakItem['status'] = 'reported'): OutbreakItem => ({
  id,
  holding: 12,
  authority: 'KZ-ABY-01',
  disease: 'FMD-O',
  species: 'cattle',
  first_signs_on: '2026-12-05',
  head_sick: 4,
  head_dead: 0,
  lat: 49.95,
  lon: 82.61,
  note: '',
  reported_at,
  status,
});

describe('OutbreakBoard', () => {
  it('marks reports that arrive after the first load as new, newest first, until seen or decided', async () => {
    let server = [item('old', '2026-12-06T10:00:00Z', 'confirmed')];
    const decided: unknown[] = [];
    const board = new OutbreakBoard({
      list: async () => ({ items: server }),
      decide: async (id, action, b) => {
        decided.push([id, action, b]);
        return { ...server.find((i) => i.id === id)!, status: action === 'confirm' ? 'confirmed' : 'ruled_out', lab_reference: b.lab_reference };
      },
    });
    await board.refresh();
    expect(board.items!.map((i) => i.id)).toEqual(['old']);
    expect([...board.fresh]).toEqual([]);
    server = [...server, item('n1', '2026-12-07T06:00:00Z'), item('n2', '2026-12-07T06:01:00Z')];
    await board.refresh();
    expect(board.items!.map((i) => i.id)).toEqual(['n2', 'n1', 'old']);
    expect([...board.fresh].sort()).toEqual(['n1', 'n2']);
    board.seen('n1');
    expect([...board.fresh]).toEqual(['n2']);
    // A confirmation needs the lab reference; nothing is sent without it.
    expect(await board.decide('n2', 'confirm', '  ', '')).toBe('outbreak:error.lab_required');
    expect(decided).toEqual([]);
    expect(await board.decide('n2', 'confirm', ' NRL-42 ', '')).toBeNull();
    expect(decided).toEqual([['n2', 'confirm', { lab_reference: 'NRL-42' }]]);
    expect(board.items!.find((i) => i.id === 'n2')).toMatchObject({ status: 'confirmed', lab_reference: 'NRL-42' });
    expect([...board.fresh]).toEqual([]);
    expect(await board.decide('n1', 'rule-out', '', ' negative ')).toBeNull();
    expect(decided[1]).toEqual(['n1', 'rule-out', { note: 'negative' }]);
  });

  it('keeps what it showed when the list cannot be read', async () => {
    let fail = false;
    const board = new OutbreakBoard({
      list: async () => {
        if (fail) throw new OfflineError();
        return { items: [item('a', '2026-12-07T06:00:00Z')] };
      },
      decide: async () => {
        throw new Error('not called');
      },
    });
    await board.refresh();
    fail = true;
    await board.refresh();
    expect(board.error).toBeInstanceOf(OfflineError);
    expect(board.items!.map((i) => i.id)).toEqual(['a']);
  });
});
