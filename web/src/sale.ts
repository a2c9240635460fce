// W8, the sale as the phone check (W2) shows it, written once for the screens that draw a lookup:
// a dose a bought animal had under an earlier owner (the server sends owner_id null and names that
// owner by the masked name only), and what the owner sold, with the day. Pure functions of the
// lookup answer, so sale.test.ts runs them in node.
import type { LookupResult, LookupVaccination, PreviousOwner, SoldUnit } from './wire';

// The earlier owner a dose was given under, or null for the owner's own dose (owner_id a number,
// or absent in a lookup kept on the phone by an earlier version). A dose with owner_id null and no
// owner named is not said to be anyone's.
export function earlierOwner(v: LookupVaccination): PreviousOwner | null {
  const p = v.previous_owner;
  if (!p || !p.masked_name || !p.sold_on) return null;
  return { masked_name: p.masked_name, sold_on: p.sold_on };
}

// What the owner sold, newest first (then by tag); none when the lookup does not say.
export function soldUnits(r: LookupResult): SoldUnit[] {
  return [...(r.sold ?? [])].sort((a, b) => b.sold_on.localeCompare(a.sold_on) || (a.tag ?? '').localeCompare(b.tag ?? ''));
}
