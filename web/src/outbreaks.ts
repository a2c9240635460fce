// Outbreak reports (W14, issue 13 item 1) on the phone: a vaccinator or vet reports a suspected
// outbreak at a holding (disease, species, date of first signs, head sick and dead, where they
// stand, a note). The report is checked here (reportFrom), saved at once in IndexedDB (db.ts
// `outbreaks`) with an id made on the phone (UUIDv7), and sent by sync.ts with the W1 records, one
// per POST /outbreaks. The server stores an id once: 201 the first time, 200 with `duplicate` after;
// both mark it sent. A 4xx keeps it refused with the problem's field. Like W1 records, a report goes
// only in its maker's session.
//
// The vet's side (OutbreakBoard): the reports of the jurisdiction, new ones marked, and the decision
// on one (confirm with a lab reference, or rule out).
import { ApiError, sendFailure } from './api';
import type { OutboxRecord } from './db';
import { problemOf } from './passages';
import type { CatalogueDisease } from './wire';

export const NOTE_MAX = 1000; // service/outbreaks.cpp kMaxNote
export const LAB_REFERENCE_MAX = 100; // service/outbreaks.cpp kMaxLabReference
export const HEAD_MAX = 1_000_000;

// The report as POST /outbreaks takes it.
export interface OutbreakBody {
  id: string;
  holding: number;
  disease: string;
  species: string;
  first_signs_on: string; // YYYY-MM-DD
  head_sick: number;
  head_dead: number;
  lat: number;
  lon: number;
  note?: string;
}

export type OutbreakRecord = OutboxRecord & { record: OutbreakBody & { holding_name?: string }; answer?: 'created' | 'duplicate' };

// What the reporter typed (or the position the phone gave when they asked for it), as typed; a new
// form starts empty: nothing is carried from one report to the next.
export interface ReportForm {
  holding: string;
  disease: string;
  species: string;
  first_signs_on: string;
  head_sick: string;
  head_dead: string;
  lat: string;
  lon: string;
  note: string;
}

export const EMPTY_REPORT: ReportForm = {
  holding: '',
  disease: '',
  species: '',
  first_signs_on: '',
  head_sick: '',
  head_dead: '',
  lat: '',
  lon: '',
  note: '',
};

export type ReportErrors = Partial<Record<keyof ReportForm, string>>;

// The day `d` as YYYY-MM-DD in the phone's time zone.
export function localDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function count(text: string): number | null {
  const s = text.trim();
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return n <= HEAD_MAX ? n : null;
}

function coordinate(text: string, limit: number): number | null {
  const s = text.trim().replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) && Math.abs(n) <= limit ? n : null;
}

// The report the form makes (id made on the phone, `today` the phone's day), or the translation
// key of what is wrong per field. The same bounds as the server (service/outbreaks.cpp): the first
// signs at most one day ahead (a phone whose clock runs fast) and at most a year back.
export function reportFrom(
  form: ReportForm,
  id: string,
  today: string,
  diseases: CatalogueDisease[],
): { ok: true; body: OutbreakBody } | { ok: false; errors: ReportErrors } {
  const errors: ReportErrors = {};
  const holding = Number(form.holding);
  if (!form.holding || !Number.isInteger(holding) || holding <= 0) errors.holding = 'outbreak:error.holding';
  const disease = diseases.find((d) => d.code === form.disease);
  if (!disease) errors.disease = 'outbreak:error.disease';
  if (!form.species) errors.species = 'outbreak:error.species';
  else if (disease && !disease.species.includes(form.species)) errors.species = 'outbreak:error.species_disease';
  const day = form.first_signs_on.trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) errors.first_signs_on = 'outbreak:error.first_signs';
  else if (day > addDays(today, 1)) errors.first_signs_on = 'outbreak:error.first_signs_future';
  else if (day < addDays(today, -366)) errors.first_signs_on = 'outbreak:error.first_signs_old';
  const sick = count(form.head_sick);
  if (sick === null) errors.head_sick = 'outbreak:error.head';
  const dead = count(form.head_dead);
  if (dead === null) errors.head_dead = 'outbreak:error.head';
  const lat = coordinate(form.lat, 90);
  if (lat === null) errors.lat = 'outbreak:error.lat';
  const lon = coordinate(form.lon, 180);
  if (lon === null) errors.lon = 'outbreak:error.lon';
  const note = form.note.trim();
  if ([...note].length > NOTE_MAX) errors.note = 'outbreak:error.note_long';
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    body: {
      id,
      holding,
      disease: disease!.code,
      species: form.species,
      first_signs_on: day,
      head_sick: sick!,
      head_dead: dead!,
      lat: lat!,
      lon: lon!,
      ...(note ? { note } : {}),
    },
  };
}

// The store of reports, as syncOutbreaks needs it.
export interface OutbreakPort {
  pending(): Promise<OutbreakRecord[]>; // oldest first
  sent(id: string, answer: 'created' | 'duplicate'): Promise<void>;
  reject(id: string, error: { code?: string; message: string; field?: string }): Promise<void>;
}

export type SendOutbreak = (body: OutbreakBody) => Promise<{ duplicate?: boolean } | null>;

export interface OutbreakSyncReport {
  outcome: 'done' | 'retry' | 'unauthorized' | 'forbidden';
  created: number;
  duplicate: number;
  rejected: number;
  error?: unknown;
}

// Sends the waiting reports of `user` (all when a report has no maker), oldest first, one by one.
// Created and duplicate are marked sent; another 4xx refuses the report (kept with its reason); 401
// and 403 stop with everything kept; no answer, 408, 429 and 5xx stop for a retry.
export async function syncOutbreaks(port: OutbreakPort, send: SendOutbreak, options: { user?: string } = {}): Promise<OutbreakSyncReport> {
  const report: OutbreakSyncReport = { outcome: 'done', created: 0, duplicate: 0, rejected: 0 };
  const pending = (await port.pending()).filter((r) => !r.user || (options.user !== undefined && r.user.id === options.user));
  for (const r of pending) {
    // The holding's name is shown on the phone only.
    const { holding_name: _name, ...body } = r.record;
    try {
      const answer = await send(body);
      const duplicate = answer?.duplicate === true;
      await port.sent(r.id, duplicate ? 'duplicate' : 'created');
      if (duplicate) report.duplicate++;
      else report.created++;
    } catch (e) {
      const failure = sendFailure(e);
      if (failure !== 'refused') return { ...report, outcome: failure, error: e };
      await port.reject(r.id, problemOf((e as ApiError).problem));
      report.rejected++;
    }
  }
  return report;
}

// --- the vet's board ---

// A report as GET /outbreaks answers it (http/routes/json_mapping.cpp OutbreakObject).
export interface OutbreakItem {
  id: string;
  holding: number;
  authority: string;
  disease: string;
  species: string;
  first_signs_on: string;
  head_sick: number;
  head_dead: number;
  lat: number;
  lon: number;
  note: string;
  reported_at: string;
  status: 'reported' | 'confirmed' | 'ruled_out';
  decided_at?: string;
  lab_reference?: string;
  decision_note?: string;
}

export interface BoardPorts {
  list(): Promise<{ items: OutbreakItem[] }>;
  decide(id: string, action: 'confirm' | 'rule-out', body: { lab_reference?: string; note?: string }): Promise<OutbreakItem>;
}

// The reports of the vet's jurisdiction, newest first. After the first load, a report the board had
// not seen is `fresh` until the vet opens it or decides it: that is how a report arriving while the
// screen is open stands out.
export class OutbreakBoard {
  items: OutbreakItem[] | null = null;
  fresh = new Set<string>();
  error: unknown = null;
  private loaded = false;

  constructor(private readonly ports: BoardPorts) {}

  async refresh(): Promise<void> {
    try {
      const { items } = await this.ports.list();
      const known = new Set((this.items ?? []).map((i) => i.id));
      if (this.loaded) for (const i of items) if (!known.has(i.id)) this.fresh.add(i.id);
      this.items = [...items].sort((a, b) => (a.reported_at < b.reported_at ? 1 : a.reported_at > b.reported_at ? -1 : 0));
      this.loaded = true;
      this.error = null;
    } catch (e) {
      this.error = e;
    }
  }

  seen(id: string): void {
    this.fresh.delete(id);
  }

  // Confirms (a lab reference is required) or rules out the report; the answer replaces it.
  // Returns the translation key of what is wrong with the typed values, or null when sent.
  async decide(id: string, action: 'confirm' | 'rule-out', labReference: string, note: string): Promise<string | null> {
    const lab = labReference.trim();
    const n = note.trim();
    if (action === 'confirm' && !lab) return 'outbreak:error.lab_required';
    if ([...lab].length > LAB_REFERENCE_MAX) return 'outbreak:error.lab_long';
    if ([...n].length > NOTE_MAX) return 'outbreak:error.note_long';
    const body = action === 'confirm' ? { lab_reference: lab, ...(n ? { note: n } : {}) } : n ? { note: n } : {};
    const answer = await this.ports.decide(id, action, body);
    this.items = (this.items ?? []).map((i) => (i.id === id ? answer : i));
    this.fresh.delete(id);
    return null;
  }
}
