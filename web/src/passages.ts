// Checkpoint passages (issue 12 item 4) on the phone: the inspector at a checkpoint, border post,
// market or quarantine station scans (or types) a certificate and records that the animals passed,
// with the head seen and a note. A passage is checked here (passageFrom), saved at once in
// IndexedDB (db.ts `passages`) with an id made on the phone (UUIDv7) and the time of the scan, and
// sent by sync.ts, one per POST /certificates/{id}/passages. The server stores an id once: 201 the
// first time, 200 "duplicate" after; both mark it sent and keep the server's answer, which says
// whether the passage is flagged (the certificate was revoked, used or expired when scanned) and
// why: the screen shows it. A 4xx (unknown certificate, head seen above the certificate's) keeps it
// refused with the problem's code and field. Like W1 records, it goes only in its maker's session.
import { ApiError, sendFailure, type Problem } from './api';
import type { OutboxRecord } from './db';

export const NOTE_MAX = 500;

// The passage as POST /certificates/{id}/passages takes it.
export interface PassageBody {
  id: string;
  holding: number;
  at: string; // RFC 3339: when it was scanned
  head_seen: number;
  note?: string;
}

// Issue 14 item 5: an arrival (POST /certificates/{id}/consume) scanned on this phone waits in the
// same store and goes out by the same sync as a passage, marked `kind: 'arrival'` (the mark stays on
// the phone). Its id is made on the phone and `at` is when it was scanned: the server keeps one use
// per id, so sending it again changes nothing.
export interface ArrivalScan {
  kind: 'arrival';
  id: string;
  at: string;
  place: string;
  holding?: number;
  head_count?: number;
  tags?: string[];
}

// Who used a certificate first, as the server names it when a later scan is a double use.
export interface FirstUseNamed {
  at?: string;
  place?: string;
  by?: string;
}

// What the server answered (the stored passage's flag), once sent. An arrival is 'created' (it
// consumed the certificate), 'duplicate' (sent before), or 'double_use': the certificate was used
// before (`first` names that use) and this scan is kept as a double use.
export interface PassageAnswer {
  status: 'created' | 'duplicate' | 'double_use';
  flag: string | null;
  flag_reason: string | null;
  certificate_number?: string;
  first?: FirstUseNamed;
}

// A passage or an arrival on the phone: `record` is the body with the certificate (id or number) it
// goes to.
export type PassageRecord = OutboxRecord & { record: (PassageBody | ArrivalScan) & { certificate: string }; answer?: PassageAnswer };

export const isArrival = (r: PassageRecord): r is PassageRecord & { record: ArrivalScan & { certificate: string } } =>
  (r.record as { kind?: string }).kind === 'arrival';

// What the inspector typed, as typed; starts empty and is emptied after a save.
export interface PassageForm {
  certificate: string;
  holding: string;
  head_seen: string;
  note: string;
}

export const EMPTY_PASSAGE: PassageForm = { certificate: '', holding: '', head_seen: '', note: '' };

export type PassageErrors = Partial<Record<keyof PassageForm, string>>;

// The passage the form makes, scanned at `at`, or the translation key of what is wrong per field.
// `maxHead` is the certificate's head count when the phone knows it (from the scanned code).
export function passageFrom(
  form: PassageForm,
  id: string,
  at: Date,
  maxHead?: number,
): { ok: true; certificate: string; body: PassageBody } | { ok: false; errors: PassageErrors } {
  const errors: PassageErrors = {};
  const certificate = form.certificate.trim();
  if (!certificate) errors.certificate = 'inspector:passage.certificate_required';
  const holding = Number(form.holding);
  if (!form.holding || !Number.isInteger(holding) || holding <= 0) errors.holding = 'inspector:passage.holding_required';
  const headText = form.head_seen.trim();
  const head = Number(headText);
  if (!/^\d+$/.test(headText)) errors.head_seen = 'inspector:passage.head_required';
  else if (maxHead !== undefined && head > maxHead) errors.head_seen = 'inspector:passage.head_above';
  const note = form.note.trim();
  if ([...note].length > NOTE_MAX) errors.note = 'inspector:passage.note_long';
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, certificate, body: { id, holding, at: at.toISOString(), head_seen: head, ...(note ? { note } : {}) } };
}

// The store of passages, as syncPassages needs it.
export interface PassagePort {
  pending(): Promise<PassageRecord[]>; // oldest first
  sent(id: string, answer: PassageAnswer): Promise<void>;
  reject(id: string, error: { code?: string; message: string; field?: string }): Promise<void>;
}

export type SendPassage = (
  certificate: string,
  body: PassageBody | ArrivalScan,
) => Promise<{ status?: string; use?: { duplicate?: boolean }; passage?: { flag?: string | null; flag_reason?: string | null; certificate_number?: string } } | null>;

export interface PassageSyncReport {
  outcome: 'done' | 'retry' | 'unauthorized' | 'forbidden';
  created: number;
  duplicate: number;
  rejected: number;
  error?: unknown;
}

// The refusal as an outbox item keeps it: the problem's code (its type's last part), words, field.
export function problemOf(p: Problem | undefined): { code?: string; message: string; field?: string } {
  const code = typeof p?.type === 'string' ? p.type.split('/').pop() : undefined;
  const field = typeof p?.field === 'string' && p.field ? p.field : undefined;
  return { ...(code ? { code } : {}), message: String(p?.detail || p?.title || 'rejected'), ...(field ? { field } : {}) };
}

// The first use a 409 names when the server kept the scan as a double use (issue 14 item 5), else
// null (another refusal).
export function doubleUseOf(e: unknown): FirstUseNamed | null {
  if (!(e instanceof ApiError) || e.status !== 409 || !e.problem?.double_use) return null;
  const f = (e.problem.first_consumed ?? {}) as FirstUseNamed;
  return { ...(f.at ? { at: f.at } : {}), ...(f.place ? { place: f.place } : {}), ...(f.by ? { by: f.by } : {}) };
}

// Sends the waiting passages of `user` (all when a passage has no maker), oldest first, one by one.
// Created and duplicate are marked sent with the answer; a 4xx refuses the passage (kept with its
// reason); 401 and 403 stop with everything kept; no answer, 408, 429 and 5xx stop for a retry.
export async function syncPassages(port: PassagePort, send: SendPassage, options: { user?: string } = {}): Promise<PassageSyncReport> {
  const report: PassageSyncReport = { outcome: 'done', created: 0, duplicate: 0, rejected: 0 };
  const pending = (await port.pending()).filter((r) => !r.user || (options.user !== undefined && r.user.id === options.user));
  for (const r of pending) {
    const { certificate, ...body } = r.record;
    try {
      const answer = await send(certificate, body);
      const duplicate = answer?.status === 'duplicate' || answer?.use?.duplicate === true;
      await port.sent(r.id, {
        status: duplicate ? 'duplicate' : 'created',
        flag: answer?.passage?.flag ?? null,
        flag_reason: answer?.passage?.flag_reason ?? null,
        ...(answer?.passage?.certificate_number ? { certificate_number: answer.passage.certificate_number } : {}),
      });
      if (duplicate) report.duplicate++;
      else report.created++;
    } catch (e) {
      const first = doubleUseOf(e);
      if (first) {
        // Kept by the server as a double use: sent, with the first use it names.
        await port.sent(r.id, { status: 'double_use', flag: null, flag_reason: null, first });
        report.created++;
        continue;
      }
      const failure = sendFailure(e);
      if (failure !== 'refused') return { ...report, outcome: failure, error: e };
      await port.reject(r.id, problemOf((e as ApiError).problem));
      report.rejected++;
    }
  }
  return report;
}
