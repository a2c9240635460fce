// What the inspector's screen (W2 phone check, W4/W5 certificate check and consume) knows and
// decides, without a browser: the lookup and what is said when the server does not answer (what
// the phone knows, or why there is nothing), the certificate checked online or offline, and
// consuming it once, and the server's movement rules the summary reads (from the catalogue, kept on
// the phone as the vaccinator keeps it: catalogue.ts). Its ports (API, the phone's key-value store,
// the phone's cached lookups, the offline verifier, the network state, the clock) are injected, so inspector_state.test.ts runs it in node with fakes;
// inspector.ts renders it.
import { ApiError, OfflineError, TimeoutError } from '../api';
import { loadCatalogue, type CataloguePorts } from '../catalogue';
import type { VerifyResult } from '../hp1/index';
import { lookupPhone, type LookupProblem } from '../lookup';
import type { LocalKnowledge } from '../phone_check';
import type { CopyAnswer } from '../fieldcopy';
import { arrivalProblem, arrivalScan, scanBody, unsent, type MovementInfo } from '../movements';
import type { ArrivalScan } from '../passages';
import { uuidv7 } from '../uuid';
import type { CertClaims, ConsumeAnswer, ConsumedFields, FirstUse, LookupResult, MovementRule } from '../wire';
import type { Message } from './message';

export interface Checked {
  result: VerifyResult & ConsumedFields;
  offline: boolean;
  at: Date;
}

// What went wrong, in the user's words (message.ts): a key, or an error errors.ts words by its code.
// The verifier's, camera's or server's own words are not shown: they are English (issue 11 item 7);
// the console keeps them for whoever debugs.
export type CheckProblem = Message;

export interface InspectorPorts {
  api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  // Where the catalogue is kept (IndexedDB key-value).
  kv: CataloguePorts['kv'];
  // The lookups this phone kept, for when the server does not answer (phone_check.ts).
  rememberLookup(phone: string, result: LookupResult): Promise<void>;
  knownOnPhone(phone: string): Promise<LocalKnowledge<LookupResult> | null>;
  // W10: the answer from this user's field copy (fieldcopy.ts lookupFromCopy), null when none; and
  // keeping on the phone that it was read (no server route takes such reads).
  lookupFromCopy?(phone: string): Promise<CopyAnswer | null>;
  rememberCopyRead?(answer: CopyAnswer, phone: string): Promise<void>;
  verifyOffline(hp1: string): Promise<VerifyResult>;
  online(): boolean;
  now(): Date;
  // Issue 14 item 5: keeps an arrival that could not be sent in the phone's outbox, to go out when
  // the network is back (sync.ts addArrival).
  queueArrival?(certificate: string, scan: ArrivalScan): Promise<void>;
}

const aborted = (err: unknown) => (err as Error)?.name === 'AbortError';

// How old a list is: minutes under an hour, else hours; null when its time is not known.
export function listAge(iso: string | undefined, now: Date): { minutes: number } | { hours: number } | null {
  if (!iso) return null;
  const hours = Math.max(0, (now.getTime() - new Date(iso).getTime()) / 3600000);
  return hours < 1 ? { minutes: Math.floor(hours * 60) } : { hours };
}

export class InspectorState {
  onChange: () => void = () => {};
  private closed = false;

  // W2. When the server does not answer (no network, or not in time), what this phone knows.
  lookupBusy = false;
  lookup: LookupResult | null = null;
  lookupError: LookupProblem | null = null;
  lookupPhone = '';
  local: { knows: LocalKnowledge<LookupResult>; timeout: boolean } | null = null;
  // W10: the server did not answer and the field copy did (said so on the screen, with its age).
  fromCopy: (CopyAnswer & { timeout: boolean }) | null = null;

  // The server's movement rules (GET /catalogue, or the phone's copy of it): null until known, and
  // when neither the server nor the phone has them (`rulesLoading` false then).
  rules: MovementRule[] | null = null;
  rulesLoading = false;

  // W4/W5
  certText = '';
  checkBusy = false;
  checked: Checked | null = null;
  checkError: CheckProblem | null = null;
  consumeOpen = false;
  consumeBusy = false;
  consumeDone: FirstUse | null = null;
  consumeConflict: FirstUse | null = null;
  consumeError: CheckProblem | null = null;
  // The consume waits in the outbox (no network): its answer shows in the list of arrivals.
  consumeQueued = false;
  // The server kept this scan as a double use (consumeConflict names the first use).
  consumeDoubleUse = false;
  // W13: the arrival typed in the consume form (holding picked, tags seen; '' none), and the
  // movement the server answered with.
  arrivalHolding = '';
  arrivalTags = '';
  consumeArrival: MovementInfo | null = null;

  // `canConsume`: the user is an inspector (a vet checks but does not consume).
  constructor(
    private readonly ports: InspectorPorts,
    readonly mayConsume: boolean,
  ) {}

  close(): void {
    this.closed = true;
  }

  private changed(): void {
    if (!this.closed) this.onChange();
  }

  // The phone's copy of the rules at once, then the server's (kept for next time).
  async loadRules(): Promise<void> {
    this.rulesLoading = true;
    this.changed();
    const { catalogue } = await loadCatalogue({ getJson: (path) => this.ports.api('GET', path), kv: this.ports.kv }, (cached) => {
      if (cached.movement_rules) this.rules = cached.movement_rules;
      this.changed();
    });
    this.rules = catalogue?.movement_rules ?? this.rules;
    this.rulesLoading = false;
    this.changed();
  }

  async runLookup(phone: string): Promise<void> {
    if (!phone) return;
    this.lookupPhone = phone;
    this.lookupBusy = true;
    this.lookupError = null;
    this.lookup = null;
    this.local = null;
    this.fromCopy = null;
    this.changed();
    const answer = await lookupPhone(this.ports, phone);
    if (!answer) return;
    if ('result' in answer) {
      this.lookup = answer.result;
      // Kept on the phone for the next time the server does not answer.
      void this.ports.rememberLookup(answer.result.owner.phone, answer.result).catch(() => {});
    } else {
      const { problem } = answer;
      const noAnswer = problem.kind === 'offline' || problem.kind === 'timeout';
      const copy = noAnswer && this.ports.lookupFromCopy ? await this.ports.lookupFromCopy(phone).catch(() => null) : null;
      if (copy) {
        this.fromCopy = { ...copy, timeout: problem.kind === 'timeout' };
        void this.ports.rememberCopyRead?.(copy, phone).catch(() => {});
        this.lookupBusy = false;
        this.changed();
        return;
      }
      const knows = noAnswer ? await this.ports.knownOnPhone(phone).catch(() => null) : null;
      if (knows) this.local = { knows, timeout: problem.kind === 'timeout' };
      else this.lookupError = problem;
    }
    this.lookupBusy = false;
    this.changed();
  }

  retryLookup(): void {
    void this.runLookup(this.lookupPhone);
  }

  // The claims of the certificate checked, when it could be read.
  claims(): CertClaims | null {
    return (this.checked?.result.certificate ?? null) as CertClaims | null;
  }

  // Only an inspector consumes, a certificate that names itself, valid (or already used: then the
  // server says where and when first).
  canConsume(): boolean {
    const c = this.claims();
    const status = this.checked?.result.status;
    return this.mayConsume && !!c && !!(c.id || c.number) && (status === 'valid' || status === 'consumed');
  }

  // Online through POST /verify; with no network (or none in time), the verifier on the phone.
  async check(text?: string): Promise<void> {
    const hp1 = (text ?? this.certText).trim();
    this.certText = hp1;
    if (!hp1) return;
    this.checkBusy = true;
    this.checkError = null;
    this.checked = null;
    this.consumeOpen = false;
    this.consumeDone = null;
    this.consumeConflict = null;
    this.consumeError = null;
    this.consumeArrival = null;
    this.consumeQueued = false;
    this.consumeDoubleUse = false;
    this.arrivalHolding = '';
    this.arrivalTags = '';
    this.changed();
    try {
      if (!this.ports.online()) throw new OfflineError();
      const result = await this.ports.api<Checked['result']>('POST', '/verify', { hp1 });
      this.checked = { result, offline: false, at: this.ports.now() };
    } catch (err) {
      if (aborted(err)) return;
      if (err instanceof OfflineError) {
        try {
          this.checked = { result: await this.ports.verifyOffline(hp1), offline: true, at: this.ports.now() };
        } catch (e2) {
          console.warn('offline check failed:', e2);
          this.checkError = { key: 'inspector:offline_check_failed' };
        }
      } else {
        this.checkError = { error: err };
      }
    }
    this.checkBusy = false;
    this.changed();
  }

  scanFailed(err: unknown): void {
    console.warn('scan failed:', err);
    this.checkError = { key: 'inspector:scan_failed' };
    this.changed();
  }

  openConsume(open: boolean): void {
    this.consumeOpen = open;
    this.arrivalHolding = '';
    this.arrivalTags = '';
    this.changed();
  }

  private markConsumed(at: string | undefined, place: string | undefined): void {
    if (!this.checked) return;
    this.checked.result = { ...this.checked.result, valid: false, status: 'consumed', consumed_at: at, consumed_place: place };
  }

  // `head`: the head counted as typed ('' not counted); the holding and tags are the form's.
  async consume(place: string, head = ''): Promise<void> {
    const claims = this.claims();
    const ref = claims?.id || claims?.number;
    if (!ref || !this.checked) return;
    if (!place) return;
    this.consumeBusy = true;
    this.consumeError = null;
    this.consumeConflict = null;
    this.changed();
    // Made once: the same scan, sent now or later from the outbox, is one use on the server.
    const scan = arrivalScan({ holding: this.arrivalHolding, head, tags: this.arrivalTags }, place, uuidv7(), this.ports.now());
    try {
      if (!this.ports.online()) throw new OfflineError();
      const cert = await this.ports.api<ConsumeAnswer>('POST', `/certificates/${encodeURIComponent(ref)}/consume`, scanBody(scan));
      this.consumeDone = cert.consumed ?? { place };
      this.consumeArrival = cert.movement ?? null;
      this.consumeOpen = false;
      this.markConsumed(cert.consumed?.at, cert.consumed?.place ?? place);
    } catch (err) {
      if (aborted(err)) return;
      if (err instanceof ApiError && err.status === 409 && err.problem.first_consumed) {
        const first = err.problem.first_consumed as FirstUse;
        this.consumeConflict = first;
        const problem = arrivalProblem(err);
        this.consumeDoubleUse = problem.kind === 'conflict' && !!problem.recorded;
        this.consumeOpen = false;
        this.markConsumed(first.at, first.place);
      } else if (unsent(err) && this.ports.queueArrival) {
        await this.ports.queueArrival(ref, scan);
        this.consumeQueued = true;
        this.consumeOpen = false;
      } else if (err instanceof OfflineError && !(err instanceof TimeoutError)) {
        this.consumeError = { key: 'inspector:consume_offline' };
      } else if (err instanceof ApiError && err.status === 409) {
        this.consumeError = { key: 'inspector:consume_refused' };
      } else {
        this.consumeError = { error: err };
      }
    }
    this.consumeBusy = false;
    this.changed();
  }
}
