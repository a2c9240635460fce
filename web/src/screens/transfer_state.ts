// W8, a sale at the farm without a movement (POST /transfers, vet only): what the vet's form knows
// and decides, without a browser. The id is made on the phone once per sale, so a send that is
// repeated (no answer, then again) is stored once; after a sale the form starts empty with a new
// id. A refusal naming a field is said at that field. The API and the id maker are ports, so
// transfer_state.test.ts runs it in node with fakes; vet.ts renders it.
import { ApiError, OfflineError, TimeoutError } from '../api';
import type { Message } from './message';

export interface TransferPorts {
  api<T>(method: 'POST', path: string, body?: unknown): Promise<T>;
  newId(): string;
}

export type TransferField = 'seller_phone' | 'buyer_phone' | 'buyer_name' | 'tags' | 'date';

export interface TransferAnswer {
  status: 'created' | 'duplicate';
  buyer_created?: boolean;
  changes?: { tag: string | null; head: number }[];
}

// The field a problem names, as the form has it: "tags[1]" is the tags field.
export function formField(field: unknown): TransferField | null {
  if (typeof field !== 'string') return null;
  const base = field.replace(/\[\d+\]$/, '');
  return (['seller_phone', 'buyer_phone', 'buyer_name', 'tags', 'date'] as const).find((f) => f === base) ?? null;
}

// Ear tags as typed: split on spaces, commas or new lines, each once, in the order typed.
export function parseTags(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).filter(Boolean))];
}

export class TransferState {
  onChange: () => void = () => {};
  fields: Record<TransferField, string> = { seller_phone: '', buyer_phone: '', buyer_name: '', tags: '', date: '' };
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
    // Anything typed is a new sale (or the same one corrected): the last result is no longer shown.
    this.done = null;
  }

  body(): Record<string, unknown> {
    const f = (k: TransferField) => this.fields[k].trim();
    const body: Record<string, unknown> = { id: this.id, seller_phone: f('seller_phone'), buyer_phone: f('buyer_phone'), tags: parseTags(this.fields.tags), date: f('date') };
    if (f('buyer_name')) body.buyer_name = f('buyer_name');
    return body;
  }

  async submit(): Promise<void> {
    this.fieldError = null;
    this.error = null;
    this.done = null;
    const body = this.body();
    const missing = (['seller_phone', 'buyer_phone', 'date'] as const).find((k) => !body[k]) ?? (!(body.tags as string[]).length ? 'tags' : null);
    if (missing) {
      this.fieldError = { field: missing, message: { key: 'vet:transfer_required' } };
      this.onChange();
      return;
    }
    this.busy = true;
    this.onChange();
    try {
      this.done = await this.ports.api<TransferAnswer>('POST', '/transfers', body);
      this.fields = { seller_phone: '', buyer_phone: '', buyer_name: '', tags: '', date: '' };
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
