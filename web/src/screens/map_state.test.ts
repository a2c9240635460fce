// The outbreak map's state with fake ports: what is loaded and kept, what is drawn, the table's
// rows, selection, layers, and a trace's lines and arrowheads.
import { describe, expect, it } from 'vitest';
import { ApiError, OfflineError } from '../api';
import { arrowHead, boundsOf, MAP_KEY, MapState, type MapPorts, type SavedMap, type TraceResult } from './map_state';

const FARM = { id: 1, code: 'FARM-OB-01', kind: 'farm', name: 'Remote farm', authority: 'KZ-ABY', lat: 48.53, lon: 80.54, owner_id: 7, owner_masked_name: 'A*** B***' };
const MARKET = { id: 2, code: 'MKT-1', kind: 'market', name: 'Market', authority: 'KZ-ABY', lat: 47.95, lon: 80.44, owner_id: null, owner_masked_name: null };
const PLANT = { id: 3, code: 'SH-1', kind: 'slaughterhouse', name: 'Plant', authority: 'KZ-ABY', lat: 47.9, lon: 80.5, owner_id: null, owner_masked_name: null };
const OUTBREAK = { id: 'b1c0', holding: 1, authority: 'KZ-ABY', disease: 'FMD-O', species: 'cattle', first_signs_on: '2026-12-01', head_sick: 3, head_dead: 0, lat: 48.531, lon: 80.541, status: 'confirmed' as const };
const OLDER = { ...OUTBREAK, id: 'a000', first_signs_on: '2026-11-01', status: 'ruled_out' as const, lat: null, lon: null };
const ZONE = { id: 5, disease: 'FMD-O', outbreak_id: 'b1c0', holding: 1, lat: 48.53, lon: 80.54, protection_km: 3, surveillance_km: 10, species: ['cattle'], starts_on: '2026-12-02', ends_on: '2026-12-23' };
const AUTH_ZONE = { id: 6, disease: 'PPR', authorities: ['KZ-ABY-02'], species: ['sheep'], starts_on: '2026-12-02', ends_on: '2026-12-23' };
const FAR = { id: 9, code: 'FAR-9', kind: 'farm', name: 'Far', authority: 'KZ-ALM', lat: 43.2, lon: 76.9, hop: 2, first_at: null, last_at: null };
const TRACE: TraceResult & { owners: unknown[]; start: unknown } = {
  start: { holding: { ...FARM, owner_masked_name: 'Q*** Z***' } },
  from: '2026-11-10',
  to: '2026-12-01',
  depth: 2,
  direction: 'forward',
  disease: 'FMD-O',
  holdings: [
    { ...FARM, hop: 0 },
    { ...MARKET, hop: 1 },
    FAR,
  ],
  movements: [
    { certificate_id: 'c2', number: 'KZ-2', kind: 'sale', from_holding: 2, to_holding: 9, at: '2026-11-20T10:00:00Z', head: 4, hop: 2, direction: 'forward' },
    { certificate_id: 'c1', number: 'KZ-1', kind: 'arrival', from_holding: 1, to_holding: 2, at: '2026-11-15T10:00:00Z', head: 5, hop: 1, direction: 'forward' },
  ],
  owners: [{ id: 7, name: 'Full Name', phone: '+77010000000' }],
};

function fakes(answers: Record<string, unknown | Error>, kept: Map<string, unknown> = new Map()) {
  const asked: string[] = [];
  const ports: MapPorts = {
    async getJson<T>(path: string): Promise<T> {
      asked.push(path);
      // The longest route that is the path, or a prefix of it up to its query or within it.
      const route = Object.keys(answers)
        .filter((p) => path === p || path.startsWith(p + '?') || (p.includes('?') && path.startsWith(p)))
        .sort((a, b) => b.length - a.length)[0];
      if (route === undefined) throw new ApiError(404, { type: 'not-found' });
      const a = answers[route];
      if (a instanceof Error) throw a;
      return structuredClone(a) as T;
    },
    kv: {
      async get<T>(key: string) {
        return kept.get(key) as T | undefined;
      },
      async set(key: string, value: unknown) {
        kept.set(key, structuredClone(value));
      },
    },
    now: () => new Date('2026-12-07T06:00:00Z'),
  };
  return { ports, asked, kept };
}

const SERVER = {
  '/holdings': { items: [FARM, MARKET, PLANT], next_cursor: null },
  '/outbreaks': { items: [OLDER, OUTBREAK] },
  '/zones': { items: [ZONE, AUTH_ZONE] },
};

async function loaded(answers: Record<string, unknown | Error> = SERVER) {
  const f = fakes(answers);
  const st = new MapState(f.ports, '42');
  await st.load();
  return { st, ...f };
}

describe('MapState.load', () => {
  it('reads every page of holdings, the outbreaks and the zones', async () => {
    const page2 = { items: [PLANT], next_cursor: null };
    const f = fakes({ '/holdings?limit=1000&cursor=': page2, '/holdings': { items: [FARM, MARKET], next_cursor: 'n 1' }, '/outbreaks': SERVER['/outbreaks'], '/zones': SERVER['/zones'] });
    const st = new MapState(f.ports, '42');
    await st.load();
    expect(f.asked).toEqual(['/holdings?limit=1000', '/holdings?limit=1000&cursor=n%201', '/outbreaks?limit=1000', '/zones']);
    expect(st.status).toBe('ready');
    expect(st.holdings.map((h) => h.id)).toEqual([1, 2, 3]);
    expect(st.zones_listed).toBe(true);
  });

  it('keeps what it loaded for this user, without owners', async () => {
    const { kept } = await loaded();
    const copy = kept.get(MAP_KEY) as SavedMap;
    expect(copy.user).toBe('42');
    expect(copy.saved_at).toBe('2026-12-07T06:00:00.000Z');
    expect(copy.holdings[0]).toEqual({ id: 1, code: 'FARM-OB-01', kind: 'farm', name: 'Remote farm', authority: 'KZ-ABY', lat: 48.53, lon: 80.54 });
    expect(JSON.stringify(copy)).not.toContain('A*** B***');
  });

  it('shows the kept copy with no network, and says when it was loaded', async () => {
    const { kept } = await loaded();
    const f = fakes({ '/holdings': new OfflineError() }, kept);
    const st = new MapState(f.ports, '42');
    await st.load();
    expect(st.status).toBe('offline');
    expect(st.saved_at).toBe('2026-12-07T06:00:00.000Z');
    expect(st.rows().map((r) => r.key)).toEqual(['z:5', 'z:6', 'o:b1c0', 'o:a000', 'h:1', 'h:2', 'h:3']);
  });

  it('does not show another user’s copy', async () => {
    const { kept } = await loaded();
    const f = fakes({ '/holdings': new OfflineError() }, kept);
    const st = new MapState(f.ports, '43');
    await st.load();
    expect(st.status).toBe('offline');
    expect(st.saved_at).toBeNull();
    expect(st.rows()).toEqual([]);
  });

  it('an error that is not the network is shown, not hidden behind the copy', async () => {
    const { kept } = await loaded();
    const f = fakes({ '/holdings': new ApiError(403, { type: 'forbidden' }) }, kept);
    const st = new MapState(f.ports, '42');
    await st.load();
    expect(st.status).toBe('error');
    expect(st.error).toBeInstanceOf(ApiError);
    expect(st.rows()).toEqual([]);
  });

  it('a server with no zone list shows the rest', async () => {
    const { st } = await loaded({ '/holdings': SERVER['/holdings'], '/outbreaks': SERVER['/outbreaks'] });
    expect(st.status).toBe('ready');
    expect(st.zones_listed).toBe(false);
    expect(st.shapes().filter((s) => s.layer === 'zones')).toEqual([]);
  });
});

describe('MapState drawing', () => {
  it('draws a zone as its two circles, holdings by kind and outbreaks by status', async () => {
    const { st } = await loaded();
    const shapes = st.shapes();
    expect(shapes.filter((s) => s.type === 'circle').map((s) => s.type === 'circle' && [s.key, s.ring, s.radius_m])).toEqual([
      ['z:5', 'surveillance', 10000],
      ['z:5', 'protection', 3000],
    ]);
    expect(shapes.filter((s) => s.layer === 'holdings').map((s) => s.type === 'point' && s.layer === 'holdings' && [s.key, s.kind])).toEqual([
      ['h:1', 'farm'],
      ['h:2', 'market'],
      ['h:3', 'slaughterhouse'],
    ]);
    // The ruled-out report has no GPS point of its own: it sits at its holding.
    expect(shapes.filter((s) => s.layer === 'outbreaks').map((s) => s.type === 'point' && s.layer === 'outbreaks' && [s.key, s.status, s.at])).toEqual([
      ['o:a000', 'ruled_out', [48.53, 80.54]],
      ['o:b1c0', 'confirmed', [48.531, 80.541]],
    ]);
  });

  it('lists a zone of authority codes in the table but draws no circle for it', async () => {
    const { st } = await loaded();
    const row = st.rows().find((r) => r.key === 'z:6');
    expect(row).toMatchObject({ layer: 'zones', on_map: false });
    expect(st.shapes().some((s) => s.key === 'z:6')).toBe(false);
    expect(st.rows().find((r) => r.key === 'z:5')).toMatchObject({ on_map: true });
  });

  it('the table lists outbreaks newest first and holdings by code', async () => {
    const { st } = await loaded();
    expect(st.rows().map((r) => r.key)).toEqual(['z:5', 'z:6', 'o:b1c0', 'o:a000', 'h:1', 'h:2', 'h:3']);
  });

  it('a layer turned off leaves the map and the table', async () => {
    const { st } = await loaded();
    st.toggle('holdings', false);
    expect(st.rows().some((r) => r.layer === 'holdings')).toBe(false);
    expect(st.shapes().some((s) => s.layer === 'holdings')).toBe(false);
    expect(st.shapes().filter((s) => s.layer === 'zones')).toHaveLength(2);
    st.toggle('holdings', true);
    expect(st.rows().filter((r) => r.layer === 'holdings')).toHaveLength(3);
  });

  it('bounds hold every point and each circle whole', async () => {
    const { st } = await loaded();
    const [[s, w], [n, e]] = st.bounds()!;
    expect(s).toBeCloseTo(47.9, 5);
    expect(n).toBeCloseTo(48.53 + 10 / 111.32, 4);
    // The surveillance circle reaches further west than the market.
    expect(w).toBeCloseTo(80.54 - 10 / 111.32 / Math.cos((48.53 * Math.PI) / 180), 4);
    expect(w).toBeLessThan(80.44);
    expect(e).toBeCloseTo(80.54 + 10 / 111.32 / Math.cos((48.53 * Math.PI) / 180), 4);
    expect(boundsOf([])).toBeNull();
  });
});

describe('MapState selection', () => {
  it('marks the selected feature, draws it last, and clears on a second select', async () => {
    const { st } = await loaded();
    let changes = 0;
    st.onChange = () => changes++;
    st.select('h:2');
    expect(changes).toBe(1);
    const shapes = st.shapes();
    expect(shapes.at(-1)).toMatchObject({ key: 'h:2', selected: true });
    expect(shapes.filter((s) => s.selected).map((s) => s.key)).toEqual(['h:2']);
    expect(st.selectedHolding()?.code).toBe('MKT-1');
    st.select('h:2');
    expect(st.selected).toBeNull();
    expect(st.shapes().some((s) => s.selected)).toBe(false);
  });

  it('a zone selected marks both its circles', async () => {
    const { st } = await loaded();
    st.select('z:5');
    expect(st.shapes().filter((s) => s.selected).map((s) => s.type === 'circle' && s.ring)).toEqual(['surveillance', 'protection']);
    expect(st.selectedHolding()).toBeUndefined();
  });

  it('hiding the selected feature’s layer clears the selection', async () => {
    const { st } = await loaded();
    st.select('o:b1c0');
    st.toggle('outbreaks', false);
    expect(st.selected).toBeNull();
    st.select('h:1');
    st.toggle('outbreaks', true);
    expect(st.selected).toBe('h:1');
  });
});

describe('MapState trace', () => {
  it('asks for the trace from the selected holding with its parameters', async () => {
    const { st, asked } = await loaded({ ...SERVER, '/trace': TRACE });
    await st.runTrace({ holding: 1, direction: 'forward', depth: 9, disease: 'FMD-O' });
    expect(asked.at(-1)).toBe('/trace?holding=1&direction=forward&depth=5&disease=FMD-O');
    await st.runTrace({ holding: 1, direction: 'both', depth: 2, disease: '' });
    expect(asked.at(-1)).toBe('/trace?holding=1&direction=both&depth=2');
    expect(st.traceRequest).toEqual({ holding: 1, direction: 'both', depth: 2, disease: '' });
  });

  it('draws each movement as a line from its origin to its destination with an arrowhead', async () => {
    const { st } = await loaded({ ...SERVER, '/trace': TRACE });
    await st.runTrace({ holding: 1, direction: 'forward', depth: 2, disease: 'FMD-O' });
    const lines = st.shapes().filter((s) => s.type === 'line');
    expect(lines.map((l) => l.type === 'line' && [l.key, l.points, l.direction])).toEqual([
      ['m:0:c2', [[47.95, 80.44], [43.2, 76.9]], 'forward'],
      ['m:1:c1', [[48.53, 80.54], [47.95, 80.44]], 'forward'],
    ]);
    // A holding the trace reached outside the jurisdiction is drawn, with its hop.
    expect(st.shapes().find((s) => s.key === 'h:9')).toMatchObject({ layer: 'holdings', hop: 2, at: [43.2, 76.9] });
    expect(st.shapes().find((s) => s.key === 'h:3')).toMatchObject({ hop: null });
  });

  it('the table lists the movements in time order after the places', async () => {
    const { st } = await loaded({ ...SERVER, '/trace': TRACE });
    await st.runTrace({ holding: 1, direction: 'forward', depth: 2, disease: 'FMD-O' });
    const moves = st.rows().filter((r) => r.layer === 'trace');
    expect(moves.map((r) => r.layer === 'trace' && [r.key, r.from?.code, r.to?.code, r.movement.number])).toEqual([
      ['m:1:c1', 'FARM-OB-01', 'MKT-1', 'KZ-1'],
      ['m:0:c2', 'MKT-1', 'FAR-9', 'KZ-2'],
    ]);
    expect(st.rows().find((r) => r.key === 'h:2')).toMatchObject({ hop: 1 });
  });

  it('keeps the trace with the copy, without the owners it names', async () => {
    const { st, kept } = await loaded({ ...SERVER, '/trace': TRACE });
    await st.runTrace({ holding: 1, direction: 'forward', depth: 2, disease: 'FMD-O' });
    const copy = kept.get(MAP_KEY) as SavedMap;
    expect(copy.trace?.movements).toHaveLength(2);
    expect(copy.trace_request).toEqual({ holding: 1, direction: 'forward', depth: 2, disease: 'FMD-O' });
    expect(JSON.stringify(copy)).not.toContain('+77010000000');
    expect(JSON.stringify(copy)).not.toContain('Full Name');
    expect(JSON.stringify(copy)).not.toContain('Q*** Z***');
  });

  it('a refused trace is shown and draws nothing', async () => {
    const { st } = await loaded({ ...SERVER, '/trace': new ApiError(400, { type: 'invalid', field: 'depth' }) });
    await st.runTrace({ holding: 1, direction: 'forward', depth: 2, disease: '' });
    expect(st.traceError).toBeInstanceOf(ApiError);
    expect(st.tracing).toBe(false);
    expect(st.shapes().some((s) => s.type === 'line')).toBe(false);
  });

  it('clearing the trace removes its lines and rows and a selected movement', async () => {
    const { st } = await loaded({ ...SERVER, '/trace': TRACE });
    await st.runTrace({ holding: 1, direction: 'forward', depth: 2, disease: 'FMD-O' });
    st.select('m:1:c1');
    expect(st.shapes().at(-1)).toMatchObject({ key: 'm:1:c1', selected: true });
    st.clearTrace();
    expect(st.selected).toBeNull();
    expect(st.rows().some((r) => r.layer === 'trace')).toBe(false);
    expect(st.shapes().some((s) => s.key === 'h:9')).toBe(false);
  });
});

describe('arrowHead', () => {
  it('points along the movement, its tip 60% of the way', () => {
    const a: [number, number] = [48, 80];
    const b: [number, number] = [48, 80.1]; // due east
    const [left, tip, right] = arrowHead(a, b);
    expect(tip[0]).toBeCloseTo(48, 9);
    expect(tip[1]).toBeCloseTo(80.06, 9);
    // Both wings lie behind the tip (west of it), one on each side of the line.
    expect(left[1]).toBeLessThan(tip[1]);
    expect(right[1]).toBeLessThan(tip[1]);
    expect(Math.sign(left[0] - 48)).toBe(-Math.sign(right[0] - 48));
    const [, tipBack] = arrowHead(b, a);
    expect(tipBack[1]).toBeCloseTo(80.04, 9);
    const [l2] = arrowHead(b, a);
    expect(l2[1]).toBeGreaterThan(tipBack[1]);
  });

  it('is at most 3 km long on a long line', () => {
    const [left, tip] = arrowHead([40, 70], [48, 80]);
    const km = Math.hypot((tip[0] - left[0]) * 111.32, (tip[1] - left[1]) * 111.32 * Math.cos((44 * Math.PI) / 180));
    expect(km).toBeLessThan(3.4);
    expect(km).toBeGreaterThan(2.9);
  });
});
