// W8, a sale at the farm without a movement (POST /transfers, vet only): what the vet's form knows
// and decides, without a browser. The id is made on the phone once per sale, so a send that is
// repeated (no answer, then again) is stored once; after a sale the form starts empty with a new
// id. A refusal naming a field is said at that field. The API and the id maker are ports, so
// transfer_state.test.ts runs it in node with fakes; vet.ts renders it.
import { ApiError, OfflineError, TimeoutError } from '../api';
import { lookupPath } from '../lookup';
import type { LookupAnimal, LookupResult } from '../wire';
import type { Message } from './message';

export interface TransferPorts {
  api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  newId(): string;
}

// `flock` (the id of the seller's flock chosen) and `head` (its head sold): a flock has no ear tags.
export type TransferField = 'seller_phone' | 'buyer_phone' | 'buyer_name' | 'tags' | 'flock' | 'head' | 'date';

const EMPTY: Record<TransferField, string> = { seller_phone: '', buyer_phone: '', buyer_name: '', tags: '', flock: '', head: '', date: '' };

export interface TransferAnswer {
  status: 'created' | 'duplicate';
  buyer_created?: boolean;
  changes?: { tag: string | null; head: number }[];
}

// The field a problem names, as the form has it: "tags[1]" is the tags field, "flock_id" the flock.
export function formField(field: unknown): TransferField | null {
  if (typeof field !== 'string') return null;
  const base = field.replace(/\[\d+\]$/, '');
  if (base === 'flock_id') return 'flock';
  return (['seller_phone', 'buyer_phone', 'buyer_name', 'tags', 'head', 'date'] as const).find((f) => f === base) ?? null;
}

// Ear tags as typed: split on spaces, commas or new lines, each once, in the order typed.
export function parseTags(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).filter(Boolean))];
}

export class TransferState {
  onChange: () => void = () => {};
  fields: Record<TransferField, string> = { ...EMPTY };
  // The flocks of the seller typed (GET /lookup), once asked for: null until then. They belong to
  // that phone: typing another seller forgets them and the flock chosen.
  flocks: LookupAnimal[] | null = null;
  flocksBusy = false;
  flocksError: Message | null = null;
  busy = false;
  // The field at fault and what is said of it, or a problem of the whole form.
  fieldError: { field: TransferField; message: Message } | null = null;
  error: Message | null = null;
  done: TransferAnswer | null = null;
  private id: string;

  constructor(private readonly ports: TransferPorts) {
    this.id = ports.newId();
  }

  type(field: TransferField, value: string): void {
    this.fields[field] = value;
    if (this.fieldError?.field === field) this.fieldError = null;
    if (field === 'seller_phone') {
      this.flocks = null;
      this.flocksError = null;
      this.fields.flock = '';
      this.fields.head = '';
    }
    // Anything typed is a new sale (or the same one corrected): the last result is no longer shown.
    this.done = null;
  }

  // The seller's flocks with head left, to choose the one sold from.
  async loadFlocks(): Promise<void> {
    const phone = this.fields.seller_phone.trim();
    if (!phone) {
      this.fieldError = { field: 'seller_phone', message: { key: 'vet:transfer_required' } };
      this.onChange();
      return;
    }
    this.flocksBusy = true;
    this.flocksError = null;
    this.onChange();
    try {
      const found = await this.ports.api<LookupResult>('GET', lookupPath(phone));
      // The phone may have changed while the answer came: those flocks are not this seller's.
      if (this.fields.seller_phone.trim() === phone) this.flocks = found.animals.filter((a) => a.kind === 'flock' && a.head_count > 0);
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') return;
      if (err instanceof ApiError && err.status === 404) this.fieldError = { field: 'seller_phone', message: { key: 'vet:transfer_seller_unknown' } };
      else if (err instanceof OfflineError && !(err instanceof TimeoutError)) this.flocksError = { key: 'vet:transfer_offline' };
      else this.flocksError = { error: err };
    }
    this.flocksBusy = false;
    this.onChange();
  }

  chosenFlock(): LookupAnimal | null {
    return this.flocks?.find((a) => String(a.id) === this.fields.flock) ?? null;
  }

  // Only what was entered for this sale: tags when typed, a flock and its head when chosen.
  body(): Record<string, unknown> {
    const f = (k: TransferField) => this.fields[k].trim();
    const body: Record<string, unknown> = { id: this.id, seller_phone: f('seller_phone'), buyer_phone: f('buyer_phone'), date: f('date') };
    const tags = parseTags(this.fields.tags);
    if (tags.length) body.tags = tags;
    const flock = this.chosenFlock();
    if (flock) {
      body.flock_id = flock.id;
      body.head = /^\d+$/.test(f('head')) ? Number(f('head')) : f('head');
    }
    if (f('buyer_name')) body.buyer_name = f('buyer_name');
    return body;
  }

  // What is wrong with the form before anything is sent, or null.
  private check(body: Record<string, unknown>): { field: TransferField; message: Message } | null {
    const required = { key: 'vet:transfer_required' };
    const missing = (['seller_phone', 'buyer_phone', 'date'] as const).find((k) => !body[k]);
    if (missing) return { field: missing, message: required };
    const flock = this.chosenFlock();
    if (!flock && this.fields.head.trim()) return { field: 'flock', message: required };
    if (!flock && !body.tags) return { field: 'tags', message: { key: 'vet:transfer_tags_or_flock' } };
    if (flock) {
      const head = this.fields.head.trim();
      if (!head) return { field: 'head', message: required };
      if (!/^\d+$/.test(head) || Number(head) < 1) return { field: 'head', message: { key: 'vet:transfer_head_bad' } };
      if (Number(head) > flock.head_count) return { field: 'head', message: { key: 'vet:transfer_head_above', values: { n: flock.head_count } } };
    }
    return null;
  }

  async submit(): Promise<void> {
    this.fieldError = null;
    this.error = null;
    this.done = null;
    const body = this.body();
    const wrong = this.check(body);
    if (wrong) {
      this.fieldError = wrong;
      this.onChange();
      return;
    }
    this.busy = true;
    this.onChange();
    try {
      this.done = await this.ports.api<TransferAnswer>('POST', '/transfers', body);
      this.fields = { ...EMPTY };
      this.flocks = null;
      this.id = this.ports.newId();
    } catch (err) {
      // The screen closed: nothing to say.
      if ((err as Error)?.name === 'AbortError') return;
      const field = err instanceof ApiError ? formField(err.problem.field) : null;
      if (err instanceof ApiError && field) {
        this.fieldError = {
          field,
          message:
            err.status === 409 && field === 'tags'
              ? { key: 'vet:transfer_not_sellers', values: { tag: this.tagAt(String(err.problem.field)) } }
              : err.status === 422 && field === 'buyer_phone'
                ? { key: 'vet:buyer_phone_bad' }
                : err.status === 409 && (field === 'head' || field === 'flock')
                  ? { key: 'vet:transfer_flock_changed' }
                  : { error: err },
        };
      } else if (err instanceof OfflineError && !(err instanceof TimeoutError)) {
        this.error = { key: 'vet:transfer_offline' };
      } else {
        this.error = { error: err };
      }
    }
    this.busy = false;
    this.onChange();
  }

  // The tag a field such as "tags[1]" names, as sent.
  private tagAt(field: string): string {
    const i = Number(/\[(\d+)\]$/.exec(field)?.[1] ?? -1);
    return parseTags(this.fields.tags)[i] ?? '';
  }
}
