// The shapes of the API's JSON answers the screens read, written once (http/routes/json_mapping.cpp
// is their twin; docs/openapi names them). Only what the app reads is declared; the server may send
// more. The coverage report's shape lives with its sums in coverage.ts.

// --- GET /catalogue ---

export interface CatalogueSpecies {
  code: string;
  name: string;
  flock_only: boolean;
}

export interface CatalogueDisease {
  code: string;
  name: string;
  immunity_days: number;
  species: string[];
}

export interface CatalogueVaccine {
  code: string;
  name: string;
  maker: string;
  diseases: string[];
}

// A movement rule the server checks when a certificate is issued (W3): for certificates of
// `purpose` to `scope`, animals of `species` must be covered against each disease on the day of
// issue, by a dose at most `max_age_days` old. The server's configured rules, in its order; the
// app only reads them to say ahead what a purpose asks for, the server's answer on issue decides.
export interface MovementRule {
  name: string;
  purpose: string;
  // Empty: any scope ("within_province", "across_provinces", "export").
  scope: string;
  // Empty: any species.
  species: string[];
  diseases: string[];
  // 0: covered within the disease's immunity period is enough.
  max_age_days: number;
}

export interface Catalogue {
  species: CatalogueSpecies[];
  diseases: CatalogueDisease[];
  vaccines: CatalogueVaccine[];
  // Absent only in a copy the phone kept from a server that did not send them yet.
  movement_rules?: MovementRule[];
}

// --- GET /owners?phone= (OwnerJson) ---

export interface OwnerJson {
  id: number;
  phone: string;
  name: string;
  village: string;
}

// --- GET /lookup (LookupJson) ---

export interface Coverage {
  disease: string;
  disease_name: string;
  status: 'covered' | 'overdue' | 'never';
  last_dose: string | null;
  covered_until: string | null;
  overdue_since: string | null;
}

export interface LookupOwner extends OwnerJson {
  authority: string;
}

export interface LookupAnimal {
  id: number;
  kind: 'animal' | 'flock';
  tag: string | null;
  species: string;
  head_count: number;
  sex?: string | null;
  birth_date?: string | null;
  coverage: Coverage[];
}

export interface LookupVaccination {
  id: string;
  animal_ids: number[];
  species: string;
  head_count: number;
  disease: string;
  vaccine: string;
  batch_no: string;
  dose_ml: number | null;
  administered_on: string;
  voided: boolean;
  void_reason?: string;
  // null for a dose a bought animal had under an earlier owner (W8), then named in previous_owner.
  owner_id?: number | null;
  previous_owner?: PreviousOwner;
}

// W8: the earlier owner of a bought animal, by the masked name only, and the day of the sale.
export interface PreviousOwner {
  masked_name: string;
  sold_on: string;
}

// W8: an animal or part of a flock the owner sold, and when.
export interface SoldUnit {
  animal_id: number;
  tag: string | null;
  species: string;
  head: number;
  sold_on: string;
}

export interface LookupResult {
  owner: LookupOwner;
  today: string;
  since: string;
  coverage: Coverage[];
  animals: LookupAnimal[];
  vaccinations: LookupVaccination[];
  // W8; absent in a lookup kept on the phone by an earlier version.
  sold?: SoldUnit[];
}

// --- POST /certificates, GET /certificates/{ref} (CertificateJson) ---

export interface Certificate {
  id: string;
  status: string;
  hp1: string;
  number: string;
  purpose: string;
  species: string;
  head_count: number;
  origin: string;
  origin_place: string;
  destination: string;
  destination_place: string;
  issued_at: string;
  valid_until: string;
  owner_masked_name: string;
}

// GET /certificates?… answers a page of these.
export interface CertificatePage {
  items?: Certificate[];
  next_cursor?: string | null;
}

// One movement rule a refused POST /certificates names (422, problem member `failures`).
export interface RuleFailure {
  animal: string;
  rule: string;
  disease: string;
  state: string;
  message?: string;
  last_dose?: string | null;
  covered_until?: string | null;
  overdue_since?: string | null;
}

// --- POST /certificates/{ref}/consume, and the 409's `first_consumed` ---

export interface FirstUse {
  at?: string;
  place?: string;
  by?: string;
}

export interface ConsumeAnswer {
  status: string;
  consumed: FirstUse | null;
  movement?: import('./movements').MovementInfo;
}

// --- POST /verify (VerifyResultJson): the claims of a certificate, with the API's names ---

export interface CertClaims {
  id?: string;
  number?: string;
  authority?: string;
  purpose?: string;
  species?: string;
  head_count?: number;
  tags?: string[];
  tag_count?: number;
  origin?: string;
  origin_place?: string;
  destination?: string;
  destination_place?: string;
  transport?: string;
  issued_at?: string;
  valid_until?: string;
  vaccinations?: { disease: string; administered_on: string; batch_no: string }[];
  owner_masked_name?: string;
  owner_phone_last4?: string;
  vet?: string;
}

// What the server adds to a verification: it alone knows whether the certificate was used.
export interface ConsumedFields {
  consumed_at?: string;
  consumed_place?: string;
}
