// An animal's timeline (W12), as GET /api/v1/animals/{tag}/timeline (or /flocks/{id}/timeline)
// answers it, and what the screen decides about it: which request a target makes, and the order
// shown. The server sends the entries oldest first; the screen shows the newest first, so that what
// happened last (slaughtered, the certificate used) is what the inspector reads first.
export interface TimelineOwner {
  masked: boolean;
  id: number | null;
  name: string;
  phone: string | null;
  village: string | null;
  authority: string;
}

export interface TimelineHolding {
  id: number;
  code: string;
  name: string;
  kind: string;
}

export interface TimelineCertificate {
  id: string;
  number: string;
  status: string;
  purpose: string;
  origin: string;
  origin_place: string;
  destination: string;
  destination_place: string;
  consumed: { at: string; place: string; by: string } | null;
  revoked: { at: string; reason: string } | null;
}

export type TimelineKind =
  | 'registered'
  | 'vaccination'
  | 'certificate'
  | 'certificate_used'
  | 'life_event'
  | 'holding'
  | 'passage'
  | 'arrival'
  | 'ownership_change';

export interface TimelineEntry {
  kind: TimelineKind;
  date: string;
  at: string | null;
  by: string | null;
  owner?: TimelineOwner;
  holding?: TimelineHolding;
  event?: { id: string; kind: string; reason: string; old_tag: string | null; new_tag: string | null; head: number; head_after: number };
  vaccination?: { id: string; disease: string; vaccine: string; batch_no: string; head_count: number; voided: boolean; void_reason?: string };
  certificate?: TimelineCertificate;
  // The journeys' entries (issue 12 item 6): a passage at a checkpoint, an arrival counted against
  // its certificate, a change of owner; a dose given under an earlier owner names it (masked).
  certificate_number?: string | null;
  passage?: { id: string; head_seen: number; note: string; flag: string | null };
  arrival?: { head_expected: number; head_counted: number | null; mismatch: boolean; missing_tags: string[]; extra_tags: string[] };
  ownership?: { from: TimelineOwner; to: TimelineOwner; head: number; via: 'sale_certificate' | 'transfer'; certificate_number: string | null };
  previous_owner_masked?: string | null;
}

export interface Timeline {
  animal: {
    id: number;
    kind: 'animal' | 'flock';
    tag: string | null;
    species: string;
    head_count: number;
    status: string;
    ended_on: string | null;
    former_tags: string[];
    holding?: TimelineHolding;
  };
  owner: TimelineOwner;
  entries: TimelineEntry[];
}

// What the screen was asked to show: an animal by any tag it wore, or a flock by its id.
export type TimelineTarget = { tag: string } | { flock: number };

// From the screen's query (?tag= or ?flock=); null when it names nothing usable.
export function targetFrom(params: URLSearchParams): TimelineTarget | null {
  const tag = (params.get('tag') ?? '').replace(/[\s-]/g, '');
  if (tag) return { tag };
  const flock = Number(params.get('flock'));
  if (Number.isInteger(flock) && flock > 0) return { flock };
  return null;
}

// The API path (under /api/v1) for a target.
export function timelinePath(target: TimelineTarget): string {
  return 'tag' in target ? `/animals/${encodeURIComponent(target.tag)}/timeline` : `/flocks/${target.flock}/timeline`;
}

// The screen's own address for a target, to link to from where an animal is shown.
export function timelineRoute(target: TimelineTarget): string {
  return 'tag' in target ? `/timeline?tag=${encodeURIComponent(target.tag)}` : `/timeline?flock=${target.flock}`;
}

// Newest first: the server's order reversed (entries of one day keep their order, reversed too).
export function newestFirst(entries: readonly TimelineEntry[]): TimelineEntry[] {
  return [...entries].reverse();
}
