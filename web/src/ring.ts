// W14 ring list (issue 13 item 4): what the ring list screen knows and decides, without a browser.
// It loads GET /zones/{id}/ring, whose order is the server's (protection ring first, holdings with
// heads to vaccinate first, nearest first; on a holding the never vaccinated first) and is kept as
// it comes; here it becomes the table's rows, one per animal or flock (one for a holding with
// none). The CSV is the server's own (?format=csv), so that the file and the table never differ.
// Its port (the API) is injected, so ring.test.ts runs it in node with a fake.
import { ApiError, OfflineError } from './api';

export type Ring = 'protection' | 'surveillance' | 'authority';
export type CoverageStatus = 'covered' | 'overdue' | 'never';

// An owner as the server shows it to this user: in full, or masked (name masked, no phone).
export interface RingOwner {
  masked: boolean;
  id: number | null;
  name: string;
  phone: string | null;
  village: string | null;
  authority: string;
}

export interface RingUnit {
  animal_id: number;
  tag: string | null;
  species: string;
  head: number;
  owner: RingOwner | null;
  status: CoverageStatus;
  covered_until: string | null;
  last_dose: string | null;
  overdue_since: string | null;
}

export interface RingHolding {
  ring: Ring;
  distance_m: number | null;
  holding: { id: number; code: string; name: string; kind: string; authority: string; lat: number; lon: number };
  owner: RingOwner | null;
  head: number;
  head_uncovered: number;
  units: RingUnit[];
}

export interface RingList {
  zone: { id: number; disease: string; species: string[]; starts_on: string; ends_on: string; authority: string };
  disease: string;
  disease_name: string;
  today: string;
  truncated: boolean;
  head: number;
  head_uncovered: number;
  holdings: RingHolding[];
}

// One row of the table: a unit on its holding, or a holding with no unit (unit null). `first` marks
// the first row of a holding, which names it; `firstOfRing` the first of a ring, which heads it.
export interface RingRow {
  key: string;
  ring: Ring;
  holding: RingHolding;
  unit: RingUnit | null;
  owner: RingOwner | null;
  first: boolean;
  firstOfRing: boolean;
  uncovered: boolean;
}

export function ringRows(list: RingList): RingRow[] {
  const rows: RingRow[] = [];
  let ring: Ring | null = null;
  for (const h of list.holdings) {
    const units: (RingUnit | null)[] = h.units.length > 0 ? h.units : [null];
    units.forEach((u, i) => {
      rows.push({
        key: `${h.holding.id}:${u ? u.animal_id : '-'}`,
        ring: h.ring,
        holding: h,
        unit: u,
        owner: u ? u.owner : h.owner,
        first: i === 0,
        firstOfRing: i === 0 && h.ring !== ring,
        uncovered: u !== null && u.status !== 'covered',
      });
      if (i === 0) ring = h.ring;
    });
  }
  return rows;
}

// The holdings in each ring, in the list's order of rings.
export function ringCounts(list: RingList): { ring: Ring; holdings: number }[] {
  const out: { ring: Ring; holdings: number }[] = [];
  for (const h of list.holdings) {
    const last = out[out.length - 1];
    if (last && last.ring === h.ring) last.holdings++;
    else out.push({ ring: h.ring, holdings: 1 });
  }
  return out;
}

// The zone id of the page's ?zone=, or null when it is not a positive whole number.
export function parseZoneId(value: string | null): number | null {
  if (!value || !/^[1-9][0-9]{0,17}$/.test(value)) return null;
  return Number(value);
}

export function ringCsvName(list: RingList): string {
  return `ring-zone-${list.zone.id}-${list.today}.csv`;
}

export interface RingPorts {
  getJson<T>(path: string, signal?: AbortSignal): Promise<T>;
  getText(path: string, signal?: AbortSignal): Promise<string>;
}

export type RingStatus = 'idle' | 'loading' | 'ready' | 'offline' | 'error';

export class RingState {
  status: RingStatus = 'idle';
  list: RingList | null = null;
  error: unknown = null;
  onChange: () => void = () => {};
  private abort: AbortController | null = null;

  constructor(private readonly ports: RingPorts) {}

  async load(zone: number): Promise<void> {
    this.abort?.abort();
    const ctl = (this.abort = new AbortController());
    this.status = 'loading';
    this.error = null;
    this.onChange();
    try {
      const list = await this.ports.getJson<RingList>(`/zones/${zone}/ring`, ctl.signal);
      if (ctl.signal.aborted) return;
      this.list = list;
      this.status = 'ready';
    } catch (e) {
      if (ctl.signal.aborted) return;
      this.list = null;
      this.error = e;
      this.status = e instanceof OfflineError ? 'offline' : 'error';
    }
    this.onChange();
  }

  // The list as the server writes it in CSV (ApiError, OfflineError as any call).
  csv(): Promise<string> {
    if (!this.list) return Promise.reject(new ApiError(404, {}));
    return this.ports.getText(`/zones/${this.list.zone.id}/ring?format=csv`);
  }

  close(): void {
    this.abort?.abort();
  }
}
