// The tag-life form of the vaccinator's screen (W12), without a browser: the animal (its tag typed
// or picked from the owner's animals), what happened, when and why, or the new tag; its checks
// (tag_life.ts tagEventFrom); Save puts the event in the phone's outbox (sync.ts addEvent) and
// empties the form, so the next event starts from nothing. Messages are translation keys.
import { EMPTY_FORM, tagEventFrom, type EventRecord, type FormErrors, type TagEventBody, type TagEventForm } from '../tag_life';
import { withoutError } from './form_errors';
import { localDate } from './vaccinator_state';

export interface TagLifePorts {
  list(): Promise<EventRecord[]>;
  add(tag: string, body: TagEventBody): Promise<void>;
  discard(id: string): Promise<void>;
  resend(id: string): Promise<void>;
  now(): Date;
  newId(): string;
}

export class TagLifeState {
  onChange: () => void = () => {};
  form: TagEventForm = { ...EMPTY_FORM };
  errors: FormErrors = {};
  saving = false;
  // The last event saved: its kind and tag, for the line that says so.
  saved: { kind: string; tag: string } | null = null;
  events: EventRecord[] = [];
  confirmDiscard = '';

  constructor(private readonly ports: TagLifePorts) {}

  tomorrow(): string {
    return localDate(new Date(this.ports.now().getTime() + 86_400_000));
  }

  set(field: keyof TagEventForm, value: string): void {
    this.form = { ...this.form, [field]: value };
    this.errors = withoutError(this.errors, field);
    this.saved = null;
    this.onChange();
  }

  async load(): Promise<void> {
    this.events = await this.ports.list();
    this.onChange();
  }

  // Saves the event when the form is complete; returns whether it did.
  async save(): Promise<boolean> {
    if (this.saving) return false;
    const made = tagEventFrom(this.form, this.ports.newId(), this.tomorrow());
    if (!made.ok) {
      this.errors = made.errors;
      this.saved = null;
      this.onChange();
      return false;
    }
    this.saving = true;
    this.onChange();
    try {
      await this.ports.add(made.tag, made.body);
      this.form = { ...EMPTY_FORM };
      this.errors = {};
      this.saved = { kind: made.body.kind, tag: made.tag };
    } finally {
      this.saving = false;
    }
    await this.load();
    return true;
  }

  async discard(id: string): Promise<void> {
    if (this.confirmDiscard !== id) {
      this.confirmDiscard = id;
      this.onChange();
      return;
    }
    this.confirmDiscard = '';
    await this.ports.discard(id);
    await this.load();
  }

  async resend(id: string): Promise<void> {
    await this.ports.resend(id);
    await this.load();
  }
}
