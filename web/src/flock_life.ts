// Flock events (W12) on the phone: the vaccinator records that heads of a flock were born, died,
// were slaughtered, lost, stolen or culled. A flock has no ear tag: it is chosen among the owner's
// flocks (its server id, from GET /flocks?phone=, flocksPath). An event is checked here (flockEventFrom), saved at
// once in IndexedDB (db.ts `events`, next to the tag-life events) with an id made on the phone
// (UUIDv7), and sent by sync.ts, one event per POST /flocks/{id}/events. The server stores an id
// once (201, then 200 "duplicate"); a 4xx (the flock has fewer head, unknown flock) keeps it,
// refused, with the problem's code. Like W1 records, it goes only in its maker's session.
import type { OutboxRecord } from './db';
import { END_KINDS, REASON_MAX } from './tag_life';

export const FLOCK_KINDS = ['born', ...END_KINDS] as const;
export type FlockEventKind = (typeof FLOCK_KINDS)[number];

// The event as POST /flocks/{id}/events takes it.
export interface FlockEventBody {
  id: string;
  kind: FlockEventKind;
  date: string;
  head: number;
  reason?: string;
}

// An event waiting on the phone: the body with the flock's id and species (the species only for the
// list on the phone; not sent).
export type FlockEventRecord = OutboxRecord & { record: FlockEventBody & { flock: number; species: string } };

// A flock the event may be about: its server id, species and head count when last seen.
export interface FlockChoice {
  id: number;
  species: string;
  head_count: number;
}

// GET /flocks?phone=: the owner and their flocks (the server's Animal, the fields used here).
export interface OwnerFlocks {
  owner: { id: number; name: string; phone: string };
  flocks: { id: number; species: string; head_count: number }[];
}

export function flocksPath(phone: string): string {
  return `/flocks?phone=${encodeURIComponent(phone)}`;
}

// The flocks to choose among, as the server listed them (by id).
export function flockChoices(answer: OwnerFlocks): FlockChoice[] {
  return answer.flocks.map((f) => ({ id: f.id, species: f.species, head_count: f.head_count }));
}

// What the user typed, as typed. Every field starts empty and is emptied after a save.
export interface FlockEventForm {
  flock: string;
  kind: string;
  head: string;
  date: string;
  reason: string;
}

export const EMPTY_FLOCK_FORM: FlockEventForm = { flock: '', kind: '', head: '', date: '', reason: '' };

export type FlockFormErrors = Partial<Record<keyof FlockEventForm, string>>;

// The event the form makes for one of `flocks`, or the translation key of what is wrong per field.
// `latest`: the last date allowed (tomorrow on the phone). Heads that leave the flock are at most
// its head count as last seen; births have no bound here.
export function flockEventFrom(
  form: FlockEventForm,
  flocks: FlockChoice[],
  id: string,
  latest: string,
): { ok: true; flock: FlockChoice; body: FlockEventBody } | { ok: false; errors: FlockFormErrors } {
  const errors: FlockFormErrors = {};
  const flock = flocks.find((f) => String(f.id) === form.flock) ?? null;
  if (!flock) errors.flock = 'vaccinator:flock_life.flock_required';
  const kind = (FLOCK_KINDS as readonly string[]).includes(form.kind) ? (form.kind as FlockEventKind) : null;
  if (!kind) errors.kind = 'vaccinator:life.kind_required';
  const headText = form.head.trim();
  const head = Number(headText);
  if (!headText) errors.head = 'vaccinator:flock_life.head_required';
  else if (!/^\d+$/.test(headText) || head < 1) errors.head = 'vaccinator:flock_life.head_bad';
  else if (flock && kind && kind !== 'born' && head > flock.head_count) errors.head = 'vaccinator:flock_life.head_above';
  const date = form.date.trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) errors.date = 'vaccinator:life.date_required';
  else if (date > latest) errors.date = 'vaccinator:life.date_future';
  const reason = form.reason.trim();
  if ([...reason].length > REASON_MAX) errors.reason = 'vaccinator:life.reason_long';
  if (Object.keys(errors).length || !flock || !kind) return { ok: false, errors };
  return { ok: true, flock, body: { id, kind, date, head, ...(reason ? { reason } : {}) } };
}
