// What the inspector's phone check says first (W2): for a purpose (slaughter at the plant), each
// disease the movement rules ask for, how many head are covered against it, and which animals or
// flocks are not; the other diseases of the lookup are details, not failures. A pure function of
// the lookup answer and the rules (the server's, from GET /catalogue), so inspector_summary.test.ts
// runs it with fakes; inspector.ts renders it.
import type { Coverage, LookupAnimal, LookupResult, MovementRule } from '../wire';

// The inspector stands at the slaughterhouse.
export const INSPECTOR_PURPOSE = 'slaughter';

export interface DiseaseSummary {
  disease: string;
  // The catalogue's name, when the app has no word for the code.
  disease_name: string;
  // The head of the animals and flocks the rules ask this disease of, and of those covered.
  head: number;
  covered_head: number;
  // 'covered': every one; 'partly': some; 'none': not one.
  state: 'covered' | 'partly' | 'none';
}

// An animal or flock that does not meet the rules: each disease asked that it fails, as the lookup
// says it (never, overdue since, or covered by a dose older than a rule allows).
export interface UnitFailure {
  animal: LookupAnimal;
  failures: Coverage[];
}

export interface PurposeSummary {
  purpose: string;
  diseases: DiseaseSummary[];
  failing: UnitFailure[];
  // Every animal and flock meets every rule (and there is at least one).
  ready: boolean;
  // Per animal or flock (by id), the diseases the rules ask of it; any other disease of its
  // lookup is asked by no rule for this purpose.
  asked: Map<number, Set<string>>;
  // The diseases asked of at least one of the owner's animals or flocks.
  askedAny: Set<string>;
}

// Whether a coverage meets a rule on `today` (YYYY-MM-DD): covered, and when the rule limits the
// age of the dose, by a dose given at most that many days before.
export function meets(c: Coverage, maxAgeDays: number, today: string): boolean {
  if (c.status !== 'covered') return false;
  if (!maxAgeDays) return true;
  if (!c.last_dose) return false;
  const oldest = new Date(`${today}T00:00:00Z`);
  oldest.setUTCDate(oldest.getUTCDate() - maxAgeDays);
  return c.last_dose >= oldest.toISOString().slice(0, 10);
}

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

export function purposeSummary(
  r: LookupResult,
  purpose: string,
  rules: readonly MovementRule[],
): PurposeSummary {
  const byDisease = new Map<string, DiseaseSummary>();
  const failing: UnitFailure[] = [];
  const asked = new Map<number, Set<string>>();
  // The owner's diseases in the lookup's order, then any only an animal lists.
  const order = [...r.coverage.map((c) => c.disease), ...r.animals.flatMap((a) => a.coverage.map((c) => c.disease))];
  for (const a of r.animals) {
    const unitAsked = askedOf(rules, purpose, a.species, a.coverage);
    asked.set(a.id, new Set(unitAsked.map((x) => x.disease)));
    const failures: Coverage[] = [];
    for (const x of unitAsked) {
      const c = a.coverage.find((c) => c.disease === x.disease);
      if (!c) continue;
      const d = byDisease.get(x.disease) ?? { disease: x.disease, disease_name: c.disease_name, head: 0, covered_head: 0, state: 'none' };
      byDisease.set(x.disease, d);
      d.head += a.head_count;
      if (meets(c, x.max_age_days, r.today)) d.covered_head += a.head_count;
      else failures.push(c);
    }
    if (failures.length) failing.push({ animal: a, failures });
  }
  const diseases = [...byDisease.values()].sort((x, y) => order.indexOf(x.disease) - order.indexOf(y.disease));
  for (const d of diseases) d.state = d.covered_head === d.head ? 'covered' : d.covered_head > 0 ? 'partly' : 'none';
  return {
    purpose,
    diseases,
    failing,
    ready: r.animals.length > 0 && failing.length === 0,
    asked,
    askedAny: new Set(diseases.map((d) => d.disease)),
  };
}
