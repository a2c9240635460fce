// W15, the admin's list of SMS to owners (GET /sms/messages): newest first, a page at a time, of one
// status or all, with how many of the jurisdiction's wait and whether the server has a gateway to
// hand them to. The list names owners' phones: it is never kept on the phone (the server audits
// each read), only held while the screen is open.
//
// The decisions run against SmsPorts, so sms.test.ts runs them in node with a fake; the screen is
// screens/sms.ts.
export const SMS_STATUSES = ['queued', 'sent', 'delivered', 'failed'] as const;
export type SmsStatus = (typeof SMS_STATUSES)[number];
// The kinds of message the server writes; another shows as the server names it.
export const SMS_KINDS = ['receipt', 'certificate', 'reminder', 'reply', 'otp'] as const;

export interface SmsItem {
  id: number;
  owner_id: number;
  phone: string;
  authority: string;
  kind: string;
  text: string;
  coding: 'gsm7' | 'ucs2';
  segments: number;
  status: SmsStatus;
  attempts: number;
  requested: boolean;
  created_at: string;
  next_attempt_at: string;
  sent_at: string | null;
  dlr: number;
  last_error: string;
}

export interface SmsPage {
  items: SmsItem[];
  next_before?: number;
  queued: number;
  gateway: boolean;
}

export interface SmsPorts {
  getJson<T>(path: string, signal?: AbortSignal): Promise<T>;
}

export const PAGE_SIZE = 50;

// The API path of a page: `filter` '' for every status, `before` the previous page's next_before.
export function smsPath(filter: SmsStatus | '', before?: number): string {
  const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (filter) q.set('status', filter);
  if (before) q.set('before', String(before));
  return `/sms/messages?${q}`;
}

export type SmsLoad = 'idle' | 'loading' | 'ready' | 'error';

export class SmsState {
  status: SmsLoad = 'idle';
  filter: SmsStatus | '' = '';
  items: SmsItem[] = [];
  // The next page's `before`; undefined when the last page came short.
  nextBefore: number | undefined;
  queued = 0;
  gateway = true;
  loadingMore = false;
  error: unknown = null;
  onChange: () => void = () => {};
  private ctl: AbortController | null = null;

  constructor(private readonly ports: SmsPorts) {}

  // Messages wait and nothing will send them: the screen says so above the list.
  get noGateway(): boolean {
    return this.status === 'ready' && !this.gateway && this.queued > 0;
  }

  // The first page of `filter`; what was shown goes (a list of another filter is not this one).
  async load(filter: SmsStatus | '' = this.filter): Promise<void> {
    this.ctl?.abort();
    const ctl = (this.ctl = new AbortController());
    this.filter = filter;
    this.status = 'loading';
    this.items = [];
    this.nextBefore = undefined;
    this.error = null;
    this.onChange();
    try {
      const page = await this.ports.getJson<SmsPage>(smsPath(filter), ctl.signal);
      if (ctl.signal.aborted) return;
      this.take(page, false);
      this.status = 'ready';
    } catch (e) {
      if (ctl.signal.aborted) return;
      this.error = e;
      this.status = 'error';
    }
    this.onChange();
  }

  // The next page, added below; an error keeps what is shown and says why.
  async more(): Promise<void> {
    if (this.status !== 'ready' || this.nextBefore === undefined || this.loadingMore) return;
    const ctl = this.ctl ?? new AbortController();
    this.loadingMore = true;
    this.error = null;
    this.onChange();
    try {
      const page = await this.ports.getJson<SmsPage>(smsPath(this.filter, this.nextBefore), ctl.signal);
      if (ctl.signal.aborted) return;
      this.take(page, true);
    } catch (e) {
      if (ctl.signal.aborted) return;
      this.error = e;
    } finally {
      this.loadingMore = false;
    }
    this.onChange();
  }

  close(): void {
    this.ctl?.abort();
    this.ctl = null;
  }

  private take(page: SmsPage, append: boolean): void {
    this.items = append ? [...this.items, ...page.items] : page.items;
    this.nextBefore = page.items.length === PAGE_SIZE ? page.next_before : undefined;
    this.queued = page.queued;
    this.gateway = page.gateway;
  }
}
