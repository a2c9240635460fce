// The movement rules (W3) the server checks when a certificate is issued, as the app needs them to
// say ahead of time what a movement asks for: which diseases, for which species. The server does
// not send its rules to the app; this is the copy of the rules that ship with HerdPass
// (DefaultMovementRules in domain/certificate.cpp), kept equal to it by the test
// `movement_rules` (tests/consistency). The server's answer on issue stays the authority; the app
// only reads these to sort what it shows.
import type { Coverage } from './wire';

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

// In the order of domain/certificate.cpp.
export const MOVEMENT_RULES: readonly MovementRule[] = [
  { name: 'slaughter-fmd-ppr', purpose: 'slaughter', scope: '', species: [], diseases: ['FMD-O', 'FMD-A', 'PPR'], max_age_days: 0 },
  { name: 'sale-fmd-ppr', purpose: 'sale', scope: '', species: [], diseases: ['FMD-O', 'FMD-A', 'PPR'], max_age_days: 0 },
  {
    name: 'export-fmd-ppr-sgp-anthrax',
    purpose: 'export',
    scope: '',
    species: [],
    diseases: ['FMD-O', 'FMD-A', 'PPR', 'SGP', 'ANTHRAX'],
    max_age_days: 0,
  },
  {
    name: 'breeding-across-provinces-fmd',
    purpose: 'breeding',
    scope: 'across_provinces',
    species: [],
    diseases: ['FMD-O', 'FMD-A'],
    max_age_days: 0,
  },
  {
    name: 'grazing-across-provinces-fmd',
    purpose: 'grazing',
    scope: 'across_provinces',
    species: [],
    diseases: ['FMD-O', 'FMD-A'],
    max_age_days: 0,
  },
  { name: 'slaughter-poultry-hpai-nd', purpose: 'slaughter', scope: '', species: ['poultry'], diseases: ['HPAI', 'ND'], max_age_days: 0 },
  { name: 'sale-poultry-hpai-nd', purpose: 'sale', scope: '', species: ['poultry'], diseases: ['HPAI', 'ND'], max_age_days: 0 },
];

// The tighter of two limits on a dose's age, 0 being none.
const stricter = (a: number, b: number) => (a && b ? Math.min(a, b) : a || b);

// One disease a rule asks for, for one animal or flock.
export interface Asked {
  rule: string;
  disease: string;
  max_age_days: number;
}

// What the rules of `purpose` ask of a unit of `species` whose lookup lists `coverage` (the
// diseases of its species in the catalogue): each disease once, in the order of the rules, only
// those the catalogue applies to the species (as the server skips PPR for cattle). A rule limited
// to a scope counts too: where the animals go is not known before the certificate is asked for,
// so the screen says the most the purpose may ask.
export function askedOf(rules: readonly MovementRule[], purpose: string, species: string, coverage: readonly Coverage[]): Asked[] {
  const known = new Set(coverage.map((c) => c.disease));
  const out: Asked[] = [];
  for (const rule of rules) {
    if (rule.purpose !== purpose) continue;
    if (rule.species.length && !rule.species.includes(species)) continue;
    for (const disease of rule.diseases) {
      if (!known.has(disease)) continue;
      const seen = out.find((a) => a.disease === disease);
      if (seen) seen.max_age_days = stricter(seen.max_age_days, rule.max_age_days);
      else out.push({ rule: rule.name, disease, max_age_days: rule.max_age_days });
    }
  }
  return out;
}
