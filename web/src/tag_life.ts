// Tag life (W12) on the phone: the vaccinator records that an animal died (or was slaughtered,
// lost, stolen, culled) or that its ear tag was replaced. An event is checked here (tagEventFrom),
// saved at once in IndexedDB (db.ts `events`) with an id made on the phone (UUIDv7), and sent by
// sync.ts, one event per POST /animals/{tag}/events, after the W1 records (a record may register
// the animal the event is about). The server stores an id once: 201 the first time, 200 with
// status "duplicate" after; both take the event off the phone. A 4xx (the animal's life ended
// already, the new tag is worn by another animal, an unknown tag) keeps it, refused, with the
// problem's stable code. Like W1 records, an event goes only in the session of the user who made it.
import type { OutboxRecord } from './db';

export const END_KINDS = ['died', 'slaughtered', 'lost', 'stolen', 'culled'] as const;
export const EVENT_KINDS = ['tag_replaced', ...END_KINDS] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export const REASON_MAX = 500;

// The event as POST /animals/{tag}/events takes it, and the tag it goes to.
export interface TagEventBody {
  id: string;
  kind: EventKind;
  date: string;
  reason?: string;
  new_tag?: string;
}

// An event waiting on the phone: `record` is the body with the animal's `tag`.
export type EventRecord = OutboxRecord & { record: TagEventBody & { tag: string } };

// What the user typed, as typed. Every field starts empty and is emptied after a save: nothing
// saved is a value the user did not enter for this event.
export interface TagEventForm {
  tag: string;
  kind: string;
  date: string;
  reason: string;
  new_tag: string;
}

export const EMPTY_FORM: TagEventForm = { tag: '', kind: '', date: '', reason: '', new_tag: '' };

// An ear tag as the server stores it: its 15 digits (spaces, '-' and '.' between groups allowed).
export function normaliseTag(text: string): string | null {
  if (!/^[\d\s.-]+$/.test(text.trim())) return null;
  const digits = text.replace(/\D/g, '');
  return digits.length === 15 ? digits : null;
}

export type FormErrors = Partial<Record<keyof TagEventForm, string>>;

// The event the form makes, or the translation key of what is wrong per field. `latest` is the last
// date allowed (tomorrow on the phone: the server takes at most one day ahead). The new tag is
// read only for a tag replacement (a field left from another kind is not sent).
export function tagEventFrom(
  form: TagEventForm,
  id: string,
  latest: string,
): { ok: true; tag: string; body: TagEventBody } | { ok: false; errors: FormErrors } {
  const errors: FormErrors = {};
  const tag = normaliseTag(form.tag);
  if (!tag) errors.tag = form.tag.trim() ? 'vaccinator:life.tag_invalid' : 'vaccinator:life.tag_required';
  const kind = (EVENT_KINDS as readonly string[]).includes(form.kind) ? (form.kind as EventKind) : null;
  if (!kind) errors.kind = 'vaccinator:life.kind_required';
  const date = form.date.trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) errors.date = 'vaccinator:life.date_required';
  else if (date > latest) errors.date = 'vaccinator:life.date_future';
  const reason = form.reason.trim();
  if ([...reason].length > REASON_MAX) errors.reason = 'vaccinator:life.reason_long';
  let newTag: string | null = null;
  if (kind === 'tag_replaced') {
    newTag = normaliseTag(form.new_tag);
    if (!newTag) errors.new_tag = form.new_tag.trim() ? 'vaccinator:life.tag_invalid' : 'vaccinator:life.new_tag_required';
    else if (newTag === tag) errors.new_tag = 'vaccinator:life.new_tag_same';
  }
  if (Object.keys(errors).length || !tag || !kind) return { ok: false, errors };
  return {
    ok: true,
    tag,
    body: { id, kind, date, ...(reason ? { reason } : {}), ...(newTag ? { new_tag: newTag } : {}) },
  };
}
