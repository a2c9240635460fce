// What the outbreak map (W14, issue 13 item 5) knows and decides, without a browser: the data it
// loads (holdings, outbreaks, zones, and a trace asked from a holding), the copy kept on the phone
// for when there is no network, the shapes to draw (zones as two circles, holdings and outbreaks as
// points, traced movements as lines with an arrowhead), the rows of the table beside the map, and
// which feature is selected. Its ports (API, key-value store, clock) are injected, so
// map_state.test.ts runs it in node with fakes; map.ts draws it with Leaflet.
import { ApiError, OfflineError } from '../api';

export interface MapHolding {
  id: number;
  code: string;
  kind: string;
  name: string;
  authority: string;
  lat: number;
  lon: number;
}

export type OutbreakStatus = 'reported' | 'confirmed' | 'ruled_out';

export interface MapOutbreak {
  id: string;
  holding: number;
  authority: string;
  disease: string;
  species: string;
  first_signs_on: string;
  head_sick: number;
  head_dead: number;
  lat?: number | null;
  lon?: number | null;
  status: OutbreakStatus;
}

export interface MapZone {
  id: number;
  disease: string;
  outbreak_id?: string;
  holding?: number;
  lat?: number;
  lon?: number;
  protection_km?: number;
  surveillance_km?: number;
  authorities?: string[];
  species: string[];
  starts_on: string;
  ends_on: string;
  lifted_at?: string;
}

export type TraceDirection = 'forward' | 'backward' | 'both';

// GET /trace's answer, as far as the map uses it (its `start` and the owners it names are not kept).
export interface TraceHolding extends MapHolding {
  hop: number;
  first_at?: string | null;
  last_at?: string | null;
}
export interface TraceMovement {
  certificate_id: string;
  number: string;
  kind: 'arrival' | 'sale' | 'passage';
  from_holding: number;
  to_holding: number;
  at: string;
  head: number;
  hop: number;
  direction: 'forward' | 'backward';
}
export interface TraceResult {
  from: string;
  to: string;
  depth: number;
  direction: TraceDirection;
  disease?: string | null;
  holdings: TraceHolding[];
  movements: TraceMovement[];
}

export interface TraceRequest {
  holding: number;
  direction: TraceDirection;
  depth: number;
  disease: string; // '' = none: the server's default window
}

// What was last loaded, kept in the key-value store under MAP_KEY for the next start with no
// network: only what the map shows (no owner's name or phone), and whose it is.
export interface SavedMap {
  user: string;
  saved_at: string;
  holdings: MapHolding[];
  outbreaks: MapOutbreak[];
  zones: MapZone[];
  zones_listed: boolean;
  trace: TraceResult | null;
  trace_request: TraceRequest | null;
}

export const MAP_KEY = 'map.last';
export const MAX_HOLDINGS = 5000; // pages of GET /holdings read at most (1,000 a page)
export const MAX_DEPTH = 5;

export type Layer = 'zones' | 'holdings' | 'outbreaks' | 'trace';
export const LAYERS: Layer[] = ['zones', 'holdings', 'outbreaks', 'trace'];

export type LatLon = [number, number];

// One thing drawn on the map, keyed like its table row.
export type Shape =
  | { key: string; layer: 'zones'; type: 'circle'; ring: 'protection' | 'surveillance'; center: LatLon; radius_m: number; selected: boolean }
  | { key: string; layer: 'holdings'; type: 'point'; kind: string; at: LatLon; hop: number | null; selected: boolean }
  | { key: string; layer: 'outbreaks'; type: 'point'; status: OutbreakStatus; at: LatLon; selected: boolean }
  | { key: string; layer: 'trace'; type: 'line'; points: [LatLon, LatLon]; arrow: [LatLon, LatLon, LatLon]; direction: 'forward' | 'backward'; selected: boolean };

// A row of the table: what the view writes in the user's language from these fields.
export type Row =
  | { key: string; layer: 'zones'; zone: MapZone; on_map: boolean }
  | { key: string; layer: 'holdings'; holding: MapHolding; hop: number | null }
  | { key: string; layer: 'outbreaks'; outbreak: MapOutbreak; holding: MapHolding | undefined }
  | { key: string; layer: 'trace'; movement: TraceMovement; from: MapHolding | undefined; to: MapHolding | undefined };

export type MapStatus = 'loading' | 'ready' | 'offline' | 'error';

export interface MapPorts {
  getJson<T>(path: string, signal?: AbortSignal): Promise<T>;
  kv: { get<T>(key: string): Promise<T | undefined>; set(key: string, value: unknown): Promise<void> };
  now(): Date;
}

export const holdingKey = (id: number) => `h:${id}`;
export const outbreakKey = (id: string) => `o:${id}`;
export const zoneKey = (id: number) => `z:${id}`;
export const movementKey = (m: TraceMovement, i: number) => `m:${i}:${m.certificate_id}`;

// The head of an arrow on the segment a→b: a triangle whose tip is at 60% of the way (so that it
// shows even where the destination's point covers the line's end), a sixth of the segment long
// (capped at 3 km), measured in a local flat projection (longitude shrunk by cos(latitude)), so that
// it keeps its shape away from the equator. Hand-written: Leaflet has no arrowheads, and a plugin
// for one triangle is more than the triangle.
export function arrowHead(a: LatLon, b: LatLon): [LatLon, LatLon, LatLon] {
  const k = Math.cos(((a[0] + b[0]) / 2) * (Math.PI / 180)) || 1e-9;
  const dx = (b[1] - a[1]) * k;
  const dy = b[0] - a[0];
  const len = Math.hypot(dx, dy);
  const tip: LatLon = [a[0] + dy * 0.6, a[1] + ((b[1] - a[1]) * 0.6)];
  if (len === 0) return [tip, tip, tip];
  const size = Math.min(len / 6, 3 / 111.32); // degrees of latitude; 3 km
  const ux = dx / len;
  const uy = dy / len;
  const bx = -ux * size;
  const by = -uy * size;
  const wing = (sign: number): LatLon => {
    const x = bx + sign * -uy * size * 0.5;
    const y = by + sign * ux * size * 0.5;
    return [tip[0] + y, tip[1] + x / k];
  };
  return [wing(1), tip, wing(-1)];
}

export function isActiveZone(z: MapZone, today: string): boolean {
  return !z.lifted_at && z.starts_on <= today && today <= z.ends_on;
}

export class MapState {
  onChange: () => void = () => {};
  status: MapStatus = 'loading';
  error: unknown = null;
  saved_at: string | null = null; // when what is shown was loaded, if it came from the phone's copy
  holdings: MapHolding[] = [];
  outbreaks: MapOutbreak[] = [];
  zones: MapZone[] = [];
  zones_listed = false; // false when the server has no zone list (GET /zones answered 404)
  trace: TraceResult | null = null;
  traceRequest: TraceRequest | null = null;
  tracing = false;
  traceError: unknown = null;
  selected: string | null = null;
  readonly shown = new Set<Layer>(LAYERS);
  private closed = false;
  private loadedAt: string | null = null;

  constructor(
    private readonly ports: MapPorts,
    private readonly user: string,
  ) {}

  close(): void {
    this.closed = true;
  }

  private changed(): void {
    if (!this.closed) this.onChange();
  }

  // Loads the holdings, outbreaks and zones of the user's jurisdiction and keeps them; with no
  // answer, shows the phone's copy of the last load (this user's only).
  async load(): Promise<void> {
    this.status = 'loading';
    this.error = null;
    this.changed();
    try {
      const holdings: MapHolding[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: MapHolding[]; next_cursor: string | null } = await this.ports.getJson(
          `/holdings?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        holdings.push(...page.items.map(slimHolding));
        cursor = page.next_cursor;
      } while (cursor && holdings.length < MAX_HOLDINGS);
      const outbreaks = (await this.ports.getJson<{ items: MapOutbreak[] }>('/outbreaks?limit=1000')).items;
      let zones: MapZone[] = [];
      let listed = true;
      try {
        zones = (await this.ports.getJson<{ items: MapZone[] }>('/zones')).items;
      } catch (e) {
        // A server without the zone list (older than tracing) shows the rest.
        if (!(e instanceof ApiError && (e.status === 404 || e.status === 405))) throw e;
        listed = false;
      }
      if (this.closed) return;
      this.holdings = holdings;
      this.outbreaks = outbreaks;
      this.zones = zones;
      this.zones_listed = listed;
      this.status = 'ready';
      this.saved_at = null;
      this.loadedAt = this.ports.now().toISOString();
      await this.keep();
    } catch (e) {
      if (this.closed) return;
      const copy = e instanceof OfflineError ? await this.ports.kv.get<SavedMap>(MAP_KEY).catch(() => undefined) : undefined;
      if (copy && copy.user === this.user) {
        this.holdings = copy.holdings;
        this.outbreaks = copy.outbreaks;
        this.zones = copy.zones;
        this.zones_listed = copy.zones_listed;
        this.trace = copy.trace;
        this.traceRequest = copy.trace_request;
        this.saved_at = copy.saved_at;
        this.loadedAt = copy.saved_at;
        this.status = 'offline';
      } else {
        this.status = e instanceof OfflineError ? 'offline' : 'error';
        this.error = e;
      }
    }
    this.changed();
  }

  // Follows movements from `req.holding` (GET /trace) and draws what it finds.
  async runTrace(req: TraceRequest): Promise<void> {
    const depth = Math.max(1, Math.min(MAX_DEPTH, Math.trunc(req.depth) || 1));
    const q = new URLSearchParams({ holding: String(req.holding), direction: req.direction, depth: String(depth) });
    if (req.disease) q.set('disease', req.disease);
    this.tracing = true;
    this.traceError = null;
    this.changed();
    try {
      const answer = await this.ports.getJson<TraceResult & { owners?: unknown; start?: unknown }>(`/trace?${q}`);
      if (this.closed) return;
      // The owners the trace names (and the start holding's owner) stay on the server: the map
      // shows places.
      const { owners: _owners, start: _start, ...trace } = answer;
      this.trace = { ...trace, holdings: trace.holdings.map((h) => ({ ...slimHolding(h), hop: h.hop, first_at: h.first_at, last_at: h.last_at })) };
      this.traceRequest = { ...req, depth };
      this.shown.add('trace');
      await this.keep();
    } catch (e) {
      if (this.closed) return;
      this.traceError = e;
    } finally {
      this.tracing = false;
    }
    this.changed();
  }

  clearTrace(): void {
    this.trace = null;
    this.traceRequest = null;
    if (this.selected?.startsWith('m:')) this.selected = null;
    void this.keep();
    this.changed();
  }

  private async keep(): Promise<void> {
    if (this.status !== 'ready' || !this.loadedAt) return;
    const copy: SavedMap = {
      user: this.user,
      saved_at: this.loadedAt,
      holdings: this.holdings,
      outbreaks: this.outbreaks,
      zones: this.zones,
      zones_listed: this.zones_listed,
      trace: this.trace,
      trace_request: this.traceRequest,
    };
    // A copy the phone could not keep costs only the next offline start.
    await this.ports.kv.set(MAP_KEY, copy).catch(() => {});
  }

  toggle(layer: Layer, on: boolean): void {
    if (on) this.shown.add(layer);
    else this.shown.delete(layer);
    if (this.selected && !this.keys().has(this.selected)) this.selected = null;
    this.changed();
  }

  // Selects a feature (a table row or a shape on the map); selecting it again clears it.
  select(key: string | null): void {
    this.selected = key !== null && key === this.selected ? null : key;
    this.changed();
  }

  private keys(): Set<string> {
    return new Set(this.rows().map((r) => r.key));
  }

  // Every holding the map knows: the jurisdiction's, and those a trace reached beyond it.
  holdingById(): Map<number, MapHolding> {
    const m = new Map<number, MapHolding>();
    for (const h of this.holdings) m.set(h.id, h);
    for (const h of this.trace?.holdings ?? []) if (!m.has(h.id)) m.set(h.id, h);
    return m;
  }

  private hops(): Map<number, number> {
    const m = new Map<number, number>();
    for (const h of this.trace?.holdings ?? []) m.set(h.id, h.hop);
    return m;
  }

  // The holding selected, when a holding is (the trace starts from it).
  selectedHolding(): MapHolding | undefined {
    if (!this.selected?.startsWith('h:')) return undefined;
    return this.holdingById().get(Number(this.selected.slice(2)));
  }

  // The table: zones (active first), outbreaks (newest first), holdings (by code), then the traced
  // movements in time order, each only when its layer is shown.
  rows(): Row[] {
    const out: Row[] = [];
    const byId = this.holdingById();
    const hops = this.hops();
    if (this.shown.has('zones')) {
      for (const z of this.zones) out.push({ key: zoneKey(z.id), layer: 'zones', zone: z, on_map: zoneCentre(z, byId) !== null && !!z.surveillance_km });
    }
    if (this.shown.has('outbreaks')) {
      const sorted = [...this.outbreaks].sort((a, b) => b.first_signs_on.localeCompare(a.first_signs_on) || a.id.localeCompare(b.id));
      for (const o of sorted) out.push({ key: outbreakKey(o.id), layer: 'outbreaks', outbreak: o, holding: byId.get(o.holding) });
    }
    if (this.shown.has('holdings')) {
      const sorted = [...byId.values()].sort((a, b) => a.code.localeCompare(b.code) || a.id - b.id);
      for (const h of sorted) out.push({ key: holdingKey(h.id), layer: 'holdings', holding: h, hop: hops.get(h.id) ?? null });
    }
    if (this.shown.has('trace') && this.trace) {
      const moves = this.trace.movements.map((m, i) => ({ m, i })).sort((a, b) => a.m.at.localeCompare(b.m.at) || a.i - b.i);
      for (const { m, i } of moves) out.push({ key: movementKey(m, i), layer: 'trace', movement: m, from: byId.get(m.from_holding), to: byId.get(m.to_holding) });
    }
    return out;
  }

  // What to draw, in drawing order (zones under lines under points; the selected shape last).
  shapes(): Shape[] {
    const out: Shape[] = [];
    const byId = this.holdingById();
    const hops = this.hops();
    const sel = (key: string) => key === this.selected;
    if (this.shown.has('zones')) {
      for (const z of this.zones) {
        const c = zoneCentre(z, byId);
        if (!c) continue;
        const key = zoneKey(z.id);
        if (z.surveillance_km) out.push({ key, layer: 'zones', type: 'circle', ring: 'surveillance', center: c, radius_m: z.surveillance_km * 1000, selected: sel(key) });
        if (z.protection_km) out.push({ key, layer: 'zones', type: 'circle', ring: 'protection', center: c, radius_m: z.protection_km * 1000, selected: sel(key) });
      }
    }
    if (this.shown.has('trace') && this.trace) {
      this.trace.movements.forEach((m, i) => {
        const a = byId.get(m.from_holding);
        const b = byId.get(m.to_holding);
        if (!a || !b) return;
        const key = movementKey(m, i);
        const from: LatLon = [a.lat, a.lon];
        const to: LatLon = [b.lat, b.lon];
        out.push({ key, layer: 'trace', type: 'line', points: [from, to], arrow: arrowHead(from, to), direction: m.direction, selected: sel(key) });
      });
    }
    if (this.shown.has('holdings')) {
      for (const h of byId.values()) {
        const key = holdingKey(h.id);
        out.push({ key, layer: 'holdings', type: 'point', kind: h.kind, at: [h.lat, h.lon], hop: hops.get(h.id) ?? null, selected: sel(key) });
      }
    }
    if (this.shown.has('outbreaks')) {
      for (const o of this.outbreaks) {
        const at = outbreakPoint(o, byId);
        if (!at) continue;
        const key = outbreakKey(o.id);
        out.push({ key, layer: 'outbreaks', type: 'point', status: o.status, at, selected: sel(key) });
      }
    }
    // The selected feature on top of the rest.
    return [...out.filter((s) => !s.selected), ...out.filter((s) => s.selected)];
  }

  // The south-west and north-east corners of everything drawn (circles whole), or null.
  bounds(): [LatLon, LatLon] | null {
    return boundsOf(this.shapes());
  }
}

export function boundsOf(shapes: Shape[]): [LatLon, LatLon] | null {
  let s = Infinity;
  let w = Infinity;
  let n = -Infinity;
  let e = -Infinity;
  const add = (lat: number, lon: number) => {
    s = Math.min(s, lat);
    n = Math.max(n, lat);
    w = Math.min(w, lon);
    e = Math.max(e, lon);
  };
  for (const sh of shapes) {
    if (sh.type === 'circle') {
      const dLat = sh.radius_m / 111_320;
      const dLon = dLat / (Math.cos((sh.center[0] * Math.PI) / 180) || 1e-9);
      add(sh.center[0] - dLat, sh.center[1] - dLon);
      add(sh.center[0] + dLat, sh.center[1] + dLon);
    } else if (sh.type === 'line') {
      for (const p of sh.points) add(p[0], p[1]);
    } else add(sh.at[0], sh.at[1]);
  }
  return s === Infinity ? null : [[s, w], [n, e]];
}

// A zone of radii is drawn around its own point, else its holding's; a zone of authority codes
// has no circle.
function zoneCentre(z: MapZone, byId: Map<number, MapHolding>): LatLon | null {
  if (typeof z.lat === 'number' && typeof z.lon === 'number') return [z.lat, z.lon];
  const h = z.holding !== undefined ? byId.get(z.holding) : undefined;
  return h ? [h.lat, h.lon] : null;
}

// A report's own GPS point, else its holding's.
function outbreakPoint(o: MapOutbreak, byId: Map<number, MapHolding>): LatLon | null {
  if (typeof o.lat === 'number' && typeof o.lon === 'number') return [o.lat, o.lon];
  const h = byId.get(o.holding);
  return h ? [h.lat, h.lon] : null;
}

// A holding as the map keeps it: no owner (the list names them masked; the map does not show them).
function slimHolding(h: MapHolding): MapHolding {
  return { id: h.id, code: h.code, kind: h.kind, name: h.name, authority: h.authority, lat: h.lat, lon: h.lon };
}
