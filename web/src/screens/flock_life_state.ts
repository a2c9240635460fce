// The flock-events form of the vaccinator's screen (W12), without a browser: the owner's flocks
// (found by the owner's phone, GET /flocks?phone=, and kept on the phone for offline use), the flock,
// what happened, how many head, when and why; its checks (flock_life.ts flockEventFrom); Save puts
// the event in the phone's outbox (sync.ts addFlockEvent) and empties the form. Messages are
// translation keys.
import { EMPTY_FLOCK_FORM, flockEventFrom, type FlockChoice, type FlockEventBody, type FlockEventForm, type FlockFormErrors } from '../flock_life';
import { withoutError } from './form_errors';
import { localDate } from './vaccinator_state';

export interface FlockLifePorts {
  // The owner's flocks from the server; throws when there is no answer.
  fetchFlocks(phone: string): Promise<FlockChoice[]>;
  kept(phone: string): Promise<FlockChoice[] | undefined>;
  keep(phone: string, flocks: FlockChoice[]): Promise<void>;
  add(flock: FlockChoice, body: FlockEventBody): Promise<void>;
  now(): Date;
  newId(): string;
}

export class FlockLifeState {
  onChange: () => void = () => {};
  phone = '';
  // The flocks of `phone`, once found (null: not asked yet); `fromPhone`: as kept on this phone.
  flocks: FlockChoice[] | null = null;
  fromPhone = false;
  finding = false;
  findError = '';
  form: FlockEventForm = { ...EMPTY_FLOCK_FORM };
  errors: FlockFormErrors = {};
  saving = false;
  saved: { kind: string; head: number; species: string } | null = null;

  constructor(private readonly ports: FlockLifePorts) {}

  tomorrow(): string {
    return localDate(new Date(this.ports.now().getTime() + 86_400_000));
  }

  // Another phone typed: the flocks found and the flock chosen were the other owner's.
  typePhone(value: string): void {
    this.phone = value;
    this.flocks = null;
    this.findError = '';
    this.form = { ...this.form, flock: '' };
    this.onChange();
  }

  async find(): Promise<void> {
    const phone = this.phone.trim();
    if (!phone) {
      this.findError = 'vaccinator:flock_life.phone_required';
      this.onChange();
      return;
    }
    this.finding = true;
    this.findError = '';
    this.onChange();
    try {
      const found = await this.ports.fetchFlocks(phone);
      await this.ports.keep(phone, found);
      this.setFlocks(phone, found, false);
    } catch (err) {
      const kept = await this.ports.kept(phone);
      if (kept) this.setFlocks(phone, kept, true);
      else this.findError = (err as { status?: number })?.status === 404 ? 'vaccinator:flock_life.owner_unknown' : 'vaccinator:flock_life.find_offline';
    }
    this.finding = false;
    this.onChange();
  }

  private setFlocks(phone: string, flocks: FlockChoice[], fromPhone: boolean): void {
    if (this.phone.trim() !== phone) return;
    this.flocks = flocks;
    this.fromPhone = fromPhone;
    if (!flocks.length) this.findError = 'vaccinator:flock_life.no_flocks';
  }

  set(field: keyof FlockEventForm, value: string): void {
    this.form = { ...this.form, [field]: value };
    this.errors = withoutError(this.errors, field);
    this.saved = null;
    this.onChange();
  }

  async save(): Promise<boolean> {
    if (this.saving) return false;
    const made = flockEventFrom(this.form, this.flocks ?? [], this.ports.newId(), this.tomorrow());
    if (!made.ok) {
      this.errors = made.errors;
      this.saved = null;
      this.onChange();
      return false;
    }
    this.saving = true;
    this.onChange();
    try {
      await this.ports.add(made.flock, made.body);
      // The head count as this phone expects it after the event (the server says the truth on sync).
      const delta = made.body.kind === 'born' ? made.body.head : -made.body.head;
      this.flocks = (this.flocks ?? []).map((f) => (f.id === made.flock.id ? { ...f, head_count: f.head_count + delta } : f));
      await this.ports.keep(this.phone.trim(), this.flocks);
      this.form = { ...EMPTY_FLOCK_FORM };
      this.errors = {};
      this.saved = { kind: made.body.kind, head: made.body.head, species: made.flock.species };
    } finally {
      this.saving = false;
    }
    this.onChange();
    return true;
  }
}
