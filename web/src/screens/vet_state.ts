// What the vet's screen (W3 issue, W6 revoke) knows and decides, without a browser: the owner looked
// up and the animals picked, the issue request and its failures (one line per movement rule that
// failed), the certificate shown and kept on the phone, the recent certificates (the server's list
// or the phone's copies) and revoking. Its ports (API, the phone's certificate store, QR images,
// the clock) are injected, so vet_state.test.ts runs it in node with fakes; vet.ts renders it.
import { ApiError, OfflineError, TimeoutError } from '../api';
import { loadCatalogue, type CataloguePorts } from '../catalogue';
import { lookupPhone, type LookupProblem } from '../lookup';
import { appendPage, loadHoldings, pagePath, type HoldingItem, type MovementItem, type Page, type Position } from '../movements';
import type { Certificate, CertificatePage, Coverage, LookupAnimal, LookupResult, MovementRule, RuleFailure } from '../wire';
import { purposeSummary } from './inspector_summary';
import type { Message } from './message';

// One line of the recent certificates: from GET /certificates?… or from this phone's IndexedDB.
export interface CertItem {
  id: string;
  number: string;
  status: string;
  purpose?: string;
  species?: string;
  head_count?: number;
  issued_at?: string;
  valid_until?: string;
  origin?: string;
  destination?: string;
  owner_masked_name?: string;
  hp1?: string;
  qr_svg?: string;
}

// What the certificate view shows: a fresh one, or one kept on the phone.
export interface Shown {
  id: string;
  number: string;
  status: string;
  hp1: string;
  valid_until?: string;
  qrUrl: string | null;
  qrError: Message | null;
  saved: boolean;
}

// The issue form's fields as typed.
export interface IssueFields {
  purpose: string;
  destination: string;
  destination_place: string;
  origin_place: string;
  transport: string;
  origin: string;
  valid_hours: string;
}

export const PURPOSES = ['slaughter', 'sale', 'breeding', 'grazing', 'export'];
// W8: the purpose that names a buyer.
export const SALE = 'sale';
export const LIST_STATUSES = ['issued', 'expired', 'consumed', 'revoked'];
const DEVICE_LIST_MAX = 50;
// Mismatches asked for per page.
export const MISMATCH_PAGE = 50;

export interface VetPorts {
  api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  apiText(path: string): Promise<string>;
  // The certificates kept on this phone (IndexedDB `certs`).
  certs: {
    get(id: string): Promise<(CertItem & Record<string, unknown>) | undefined>;
    put(item: CertItem & Record<string, unknown>): Promise<void>;
    all(): Promise<CertItem[]>;
  };
  // An image URL for a QR code's SVG text (the view frees them when the screen closes).
  qrUrl(svg: string): string;
  now(): Date;
  // The phone's key-value store, where the catalogue (and its movement rules) is kept.
  kv: CataloguePorts['kv'];
}

// Whether an animal or flock meets the movement rules of the purpose chosen, before Issue is
// pressed: 'meets' (every disease a rule asks of it is covered, or no rule asks anything), or the
// diseases it fails as the lookup words them. Worked out by inspector_summary.ts, as the
// inspector's summary is, so that each rule is written once; a rule limited to a scope (across
// provinces) counts, since where the animals go is only known when the certificate is asked for.
export type UnitReadiness = { meets: true } | { meets: false; failures: Coverage[] };

const aborted = (err: unknown) => (err as Error)?.name === 'AbortError';

// What the vet is told when no owner came back; the other failures (a timeout too) as they are.
const VET_LOOKUP_WORDS: Partial<Record<LookupProblem['kind'], Message>> = {
  'not-found': { key: 'vet:no_owner' },
  throttled: { key: 'vet:throttled' },
  offline: { key: 'vet:lookup_offline' },
};

function itemOf(c: Partial<Certificate> & { id: string; number: string; status: string }): CertItem {
  return {
    id: c.id,
    number: c.number,
    status: c.status,
    purpose: c.purpose,
    species: c.species,
    head_count: c.head_count,
    issued_at: c.issued_at,
    valid_until: c.valid_until,
    origin: c.origin,
    destination: c.destination,
    owner_masked_name: c.owner_masked_name,
    hp1: c.hp1,
  };
}

// Items already on screen (just issued or found) keep their place at the top.
export function mergeItems(first: CertItem[], rest: CertItem[]): CertItem[] {
  const seen = new Set<string>();
  const out: CertItem[] = [];
  const later = new Map(rest.map((i) => [i.id, i]));
  for (const i of first) {
    if (seen.has(i.id)) continue;
    seen.add(i.id);
    out.push({ ...i, ...later.get(i.id) });
  }
  for (const i of rest) if (!seen.has(i.id)) (seen.add(i.id), out.push(i));
  return out;
}

export class VetState {
  onChange: () => void = () => {};
  // A certificate has just been put on screen (the view scrolls to it).
  onShow: () => void = () => {};
  private closed = false;

  // owner and animals
  lookupBusy = false;
  lookup: LookupResult | null = null;
  lookupError: Message | null = null;
  species = '';
  selected = new Set<string>();
  flockHeads = '';

  // The server's movement rules (GET /catalogue, or the phone's copy): null until known, and when
  // neither has them; and the purpose chosen in the form, which says which rules apply.
  rules: MovementRule[] | null = null;
  purpose = PURPOSES[0];

  // W8: for a sale, the buyer as typed for this certificate ('' none), and what the phone or the
  // server said of the buyer's phone. Asked only when the purpose is sale, cleared when another is
  // chosen, for a new owner and after each certificate: never sent unless typed for this one.
  buyerPhone = '';
  buyerName = '';
  buyerError: Message | null = null;

  // issuing
  issueBusy = false;
  failures: RuleFailure[] | null = null;
  // The purpose the refused request asked for: the rules' words name it.
  failedPurpose = '';
  issueError: Message | null = null;
  shown: Shown | null = null;
  qrFull = false;

  // W13: the holdings the animals leave from and go to, picked per certificate ('' none); the
  // holdings offered (nearest first when `holdingsNear`).
  originHolding = '';
  destinationHolding = '';
  holdings: HoldingItem[] = [];
  // null until the holdings are listed (the phone's position may take a few seconds).
  holdingsNear: boolean | null = null;
  holdingsError: Message | null = null;
  // W13: the movements of the vet's jurisdiction that arrived with a mismatch.
  mismatches: MovementItem[] | null = null;
  mismatchesError: Message | null = null;
  // The server's next_cursor of the last page of mismatches shown (null: all shown).
  mismatchesCursor: string | null = null;
  mismatchesLoadingMore = false;

  // recent certificates and revoking
  items: CertItem[] = [];
  listSource: 'server' | 'device' | null = null;
  listError: Message | null = null;
  listStatus = '';
  listBusy = false;
  nextCursor: string | null = null;
  findBusy = false;
  findError: Message | null = null;
  revokeOpen: string | null = null;
  revokeBusy = false;
  revokeError: Message | null = null;
  revokeErrorFor: string | null = null;
  revokedNow: string | null = null;

  constructor(private readonly ports: VetPorts) {}

  close(): void {
    this.closed = true;
  }

  private changed(): void {
    if (!this.closed) this.onChange();
  }

  // The phone's copy of the rules at once, then the server's (kept for next time).
  async loadRules(): Promise<void> {
    const { catalogue } = await loadCatalogue({ getJson: (path) => this.ports.api('GET', path), kv: this.ports.kv }, (cached) => {
      if (cached.movement_rules) this.rules = cached.movement_rules;
      this.changed();
    });
    this.rules = catalogue?.movement_rules ?? this.rules;
    this.changed();
  }

  choosePurpose(purpose: string): void {
    this.purpose = purpose;
    if (purpose !== SALE) this.clearBuyer();
    this.changed();
  }

  // W8: the buyer's fields as typed.
  typeBuyer(field: 'phone' | 'name', value: string): void {
    if (field === 'phone') {
      this.buyerPhone = value;
      this.buyerError = null;
    } else {
      this.buyerName = value;
    }
  }

  clearBuyer(): void {
    this.buyerPhone = '';
    this.buyerName = '';
    this.buyerError = null;
  }

  // Per animal or flock of the owner (by id), whether it meets the rules of the purpose chosen;
  // null while the owner or the rules are not known.
  readiness(): Map<number, UnitReadiness> | null {
    if (!this.lookup || !this.rules) return null;
    const summary = purposeSummary(this.lookup, this.purpose, this.rules);
    const out = new Map<number, UnitReadiness>(this.lookup.animals.map((a) => [a.id, { meets: true }]));
    for (const f of summary.failing) out.set(f.animal.id, { meets: false, failures: f.failures });
    return out;
  }

  // Of the tagged animals of the species chosen, how many meet the rules; null as readiness().
  tallyOf(animals: LookupAnimal[]): { meets: number; of: number } | null {
    const ready = this.readiness();
    if (!ready) return null;
    return { meets: animals.filter((a) => ready.get(a.id)?.meets).length, of: animals.length };
  }

  // --- owner ---

  static speciesOf(r: LookupResult): string[] {
    return [...new Set(r.animals.map((a) => a.species))];
  }

  async findOwner(phone: string): Promise<void> {
    if (!phone) return;
    this.lookupBusy = true;
    this.lookupError = null;
    this.lookup = null;
    this.failures = null;
    this.issueError = null;
    this.changed();
    const answer = await lookupPhone(this.ports, phone);
    if (!answer) return;
    if ('result' in answer) {
      this.lookup = answer.result;
      this.species = VetState.speciesOf(answer.result)[0] ?? '';
      this.selected = new Set();
      this.flockHeads = '';
      this.clearHoldings();
      this.clearBuyer();
    } else {
      this.lookupError = VET_LOOKUP_WORDS[answer.problem.kind] ?? { error: answer.problem.error };
    }
    this.lookupBusy = false;
    this.changed();
  }

  chooseSpecies(code: string): void {
    this.species = code;
    this.selected = new Set();
    this.flockHeads = '';
    this.changed();
  }

  // The owner's tagged animals of the species chosen.
  tagged(): LookupResult['animals'] {
    return (this.lookup?.animals ?? []).filter((a) => a.kind === 'animal' && a.species === this.species && a.tag);
  }

  // The server takes head counts from the owner's first flock of the species.
  flock(): LookupResult['animals'][number] | undefined {
    return this.lookup?.animals.find((a) => a.kind === 'flock' && a.species === this.species);
  }

  pick(tag: string, on: boolean): void {
    if (on) this.selected.add(tag);
    else this.selected.delete(tag);
    this.changed();
  }

  // All the tagged animals, or none when all are picked already.
  pickAll(): void {
    const tagged = this.tagged();
    const all = tagged.every((a) => this.selected.has(a.tag!));
    this.selected = all ? new Set() : new Set(tagged.map((a) => a.tag!));
    this.changed();
  }

  // --- issuing ---

  // The body of POST /certificates for the form, or null (and the reason) when nothing is picked.
  issueBody(f: IssueFields): Record<string, unknown> | null {
    if (!this.lookup) return null;
    const heads = parseInt(this.flockHeads, 10);
    if (this.selected.size === 0 && !(heads > 0)) return null;
    const get = (k: keyof IssueFields) => f[k].trim();
    const body: Record<string, unknown> = {
      owner_id: this.lookup.owner.id,
      species: this.species,
      animal_tags: [...this.selected],
      purpose: get('purpose'),
      destination: get('destination'),
      destination_place: get('destination_place'),
      origin_place: get('origin_place'),
      transport: get('transport'),
    };
    if (heads > 0) body.head_count = heads;
    if (get('origin')) body.origin = get('origin');
    const hours = parseInt(get('valid_hours'), 10);
    if (hours > 0) body.valid_hours = hours;
    const origin = parseInt(this.originHolding, 10);
    if (origin > 0) body.origin_holding = origin;
    const destination = parseInt(this.destinationHolding, 10);
    if (destination > 0) body.destination_holding = destination;
    if (body.purpose === SALE) {
      body.buyer_phone = this.buyerPhone.trim();
      const name = this.buyerName.trim();
      if (name) body.buyer_name = name;
    }
    return body;
  }

  async issue(f: IssueFields): Promise<void> {
    if (!this.lookup) return;
    this.failures = null;
    this.issueError = null;
    this.buyerError = null;
    const body = this.issueBody(f);
    if (!body) {
      this.issueError = { key: 'vet:choose_animals' };
      this.changed();
      return;
    }
    if (body.purpose === SALE && !body.buyer_phone) {
      this.buyerError = { key: 'vet:buyer_phone_required' };
      this.changed();
      return;
    }
    this.issueBusy = true;
    this.changed();
    try {
      const cert = await this.ports.api<Certificate>('POST', '/certificates', body);
      await this.showCertificate(cert, true);
      this.lookup = null;
      this.selected = new Set();
      this.flockHeads = '';
      this.clearHoldings();
      this.clearBuyer();
    } catch (err) {
      if (aborted(err)) return;
      if (err instanceof ApiError && err.problem.field === 'buyer_phone') {
        // Said at the buyer's phone: 422 a number that does not parse, 400 otherwise.
        this.buyerError = err.status === 422 ? { key: 'vet:buyer_phone_bad' } : { error: err };
      } else if (err instanceof ApiError && err.status === 422 && Array.isArray(err.problem.failures)) {
        this.failures = err.problem.failures as RuleFailure[];
        this.failedPurpose = String(body.purpose ?? '');
      } else if (err instanceof OfflineError && !(err instanceof TimeoutError)) {
        this.issueError = { key: 'vet:issue_offline' };
      } else {
        this.issueError = { error: err };
      }
    }
    this.issueBusy = false;
    this.changed();
  }

  // --- holdings and mismatches (W13) ---

  // The picks belong to one certificate: a new owner or a certificate issued starts with none.
  clearHoldings(): void {
    this.originHolding = '';
    this.destinationHolding = '';
  }

  chooseHolding(which: 'origin' | 'destination', id: string): void {
    if (which === 'origin') this.originHolding = id;
    else this.destinationHolding = id;
    this.changed();
  }

  // `position`: the phone's, or null when the browser gave none.
  async loadHoldings(position: Position | null): Promise<void> {
    this.holdingsError = null;
    try {
      const { items, near } = await loadHoldings((path) => this.ports.api('GET', path), position);
      this.holdings = items;
      this.holdingsNear = near;
    } catch (err) {
      if (aborted(err)) return;
      this.holdingsError = err instanceof OfflineError && !(err instanceof TimeoutError) ? { key: 'movement.holdings_offline' } : { error: err };
    }
    this.changed();
  }

  // The first page of mismatches (`more` false), or the page after those shown, added after them.
  async loadMismatches(more = false): Promise<void> {
    if (more && (!this.mismatchesCursor || this.mismatchesLoadingMore)) return;
    this.mismatchesError = null;
    this.mismatchesLoadingMore = more;
    if (more) this.changed();
    try {
      const path = pagePath(`/movements?status=mismatch&limit=${MISMATCH_PAGE}`, more ? this.mismatchesCursor : null);
      const page = await this.ports.api<Page<MovementItem>>('GET', path);
      this.mismatches = more ? appendPage(this.mismatches, page) : page.items;
      this.mismatchesCursor = page.next_cursor;
    } catch (err) {
      if (aborted(err)) return;
      this.mismatchesError = err instanceof OfflineError && !(err instanceof TimeoutError) ? { key: 'movement.list_offline' } : { error: err };
    }
    this.mismatchesLoadingMore = false;
    this.changed();
  }

  // Keeps a certificate on the phone, over what the phone had of it.
  private async keep(item: CertItem): Promise<void> {
    const before = await this.ports.certs.get(item.id);
    await this.ports.certs.put({ ...(before ?? {}), ...item, saved_at: this.ports.now().toISOString() });
  }

  // The phone's copies, newest first.
  async deviceCerts(): Promise<CertItem[]> {
    const all = await this.ports.certs.all();
    return all
      .filter((c) => c && c.id && c.number)
      .sort((a, b) => String(b.issued_at ?? '').localeCompare(String(a.issued_at ?? '')))
      .slice(0, DEVICE_LIST_MAX);
  }

  // Shows a certificate with its QR code; a fresh one (or one found online) is kept on the phone
  // with the QR code's SVG text so that it can be shown again offline.
  async showCertificate(cert: Partial<Certificate> & { id: string; number: string; status: string; hp1?: string }, fresh: boolean, svg?: string): Promise<void> {
    const shown: Shown = { id: cert.id, number: cert.number, status: cert.status, hp1: cert.hp1 ?? '', valid_until: cert.valid_until, qrUrl: null, qrError: null, saved: false };
    this.shown = shown;
    this.qrFull = false;
    this.onShow();
    this.changed();
    let qrSvg = svg;
    try {
      if (!qrSvg) qrSvg = await this.ports.apiText(`/certificates/${encodeURIComponent(cert.id)}/qr.svg`);
      shown.qrUrl = this.ports.qrUrl(qrSvg);
    } catch (err) {
      shown.qrError = err instanceof TimeoutError ? { error: err } : err instanceof OfflineError ? { key: 'vet:qr_offline' } : { error: err };
    }
    if (fresh || qrSvg) {
      try {
        const item = { ...itemOf(cert), ...(qrSvg ? { qr_svg: qrSvg } : {}) };
        await this.keep(item);
        shown.saved = true;
        this.items = [item, ...this.items.filter((i) => i.id !== item.id)];
      } catch {
        shown.saved = false;
      }
    }
    this.changed();
  }

  hideCertificate(): void {
    this.shown = null;
    this.qrFull = false;
    this.changed();
  }

  toggleQr(): void {
    this.qrFull = !this.qrFull;
    this.changed();
  }

  // --- recent certificates ---

  // The phone's copies keep the status they had when kept: one issued whose validity has passed
  // is expired now (as the server derives it). The status filter applies to them too.
  statusNow(i: CertItem): string {
    return i.status === 'issued' && i.valid_until && new Date(i.valid_until).getTime() < this.ports.now().getTime() ? 'expired' : i.status;
  }

  listed(): CertItem[] {
    return this.items.filter((i) => !this.listStatus || this.statusNow(i) === this.listStatus);
  }

  filterList(status: string): void {
    this.listStatus = status;
    this.nextCursor = null;
    void this.loadList();
  }

  // `more`: the next page of the server's list (cursor-paginated), after what is shown.
  async loadList(more = false): Promise<void> {
    this.listError = null;
    this.listBusy = true;
    if (more) this.changed();
    try {
      const query = `/certificates?limit=30${this.listStatus ? `&status=${this.listStatus}` : ''}${more && this.nextCursor ? `&cursor=${encodeURIComponent(this.nextCursor)}` : ''}`;
      const res = await this.ports.api<CertificatePage | CertItem[]>('GET', query);
      const list: CertItem[] = Array.isArray(res) ? res : (res.items ?? []);
      this.nextCursor = Array.isArray(res) ? null : (res.next_cursor ?? null);
      const device = new Map((await this.deviceCerts().catch(() => [] as CertItem[])).map((c) => [c.id, c]));
      const fromServer = list.map((i) => ({ ...device.get(i.id), ...i }));
      this.items = mergeItems(this.items, fromServer);
      this.listSource = 'server';
    } catch (err) {
      if (aborted(err)) return;
      // A phone with no network, or a server without the list: the phone's copies, said as such.
      const expected = err instanceof OfflineError || (err instanceof ApiError && (err.status === 404 || err.status === 405));
      if (!expected) this.listError = { error: err };
      this.nextCursor = null;
      this.items = mergeItems(this.items, await this.deviceCerts().catch(() => []));
      this.listSource = 'device';
    }
    this.listBusy = false;
    this.changed();
  }

  // A certificate by its number or id, kept on the phone and put first. True when found.
  async find(text: string): Promise<boolean> {
    if (!text) return false;
    this.findBusy = true;
    this.findError = null;
    this.changed();
    let found = false;
    try {
      const cert = await this.ports.api<Certificate>('GET', `/certificates/${encodeURIComponent(text)}`);
      const item = itemOf(cert);
      const before = await this.ports.certs.get(cert.id);
      await this.keep({ ...item, ...(before?.qr_svg ? { qr_svg: before.qr_svg } : {}) });
      this.items = [{ ...before, ...item }, ...this.items.filter((i) => i.id !== item.id)];
      found = true;
    } catch (err) {
      if (aborted(err)) return false;
      this.findError = err instanceof ApiError && err.status === 404 ? { key: 'vet:cert_not_found' } : { error: err };
    }
    this.findBusy = false;
    this.changed();
    return found;
  }

  // From the phone's copy when it has the QR code; else (a certificate listed by the server) the
  // full certificate is read first.
  async showItem(item: CertItem): Promise<void> {
    if (item.qr_svg || item.hp1) {
      await this.showCertificate({ ...item, hp1: item.hp1 ?? '' }, false, item.qr_svg);
      return;
    }
    try {
      const cert = await this.ports.api<Certificate>('GET', `/certificates/${encodeURIComponent(item.id)}`);
      Object.assign(item, itemOf(cert));
      await this.showCertificate(cert, true);
    } catch (err) {
      if (aborted(err)) return;
      this.revokeError = err instanceof TimeoutError ? { error: err } : err instanceof OfflineError ? { key: 'vet:qr_offline' } : { error: err };
      this.revokeErrorFor = item.id;
      this.changed();
    }
  }

  openRevoke(id: string | null): void {
    this.revokeOpen = id;
    if (id) this.revokeError = null;
    this.changed();
  }

  async revoke(item: CertItem, reason: string): Promise<void> {
    if (!reason) return;
    this.revokeBusy = true;
    this.revokeError = null;
    this.revokeErrorFor = item.id;
    this.changed();
    let status: string | null = null;
    try {
      const cert = await this.ports.api<Certificate>('POST', `/certificates/${encodeURIComponent(item.id)}/revoke`, { reason });
      status = cert.status;
      this.revokedNow = item.id;
    } catch (err) {
      if (aborted(err)) return;
      if (err instanceof ApiError && err.status === 409 && /revoked/i.test(String(err.problem.detail ?? ''))) {
        status = 'revoked';
        this.revokeError = { key: 'vet:already_revoked' };
      } else {
        this.revokeError = err instanceof TimeoutError ? { error: err } : err instanceof OfflineError ? { key: 'vet:revoke_offline' } : { error: err };
      }
    }
    if (status) {
      item.status = status;
      this.revokeOpen = null;
      if (this.shown?.id === item.id) this.shown.status = status;
      try {
        const before = await this.ports.certs.get(item.id);
        if (before) await this.ports.certs.put({ ...before, status });
      } catch {
        /* the list on screen is right; the phone's copy catches up on the next load */
      }
    }
    this.revokeBusy = false;
    this.changed();
  }
}
