// W14: zones published with the revocation list (docs/hp1-format.md section 9): the list's `zones`
// opened and checked like the C++ ZonesOf, a list without them read as before, and the offline
// warning that a certificate's origin is now in a zone (cert/documents.h OfflineZoneWarnings).
import { describe, expect, it } from 'vitest';
import * as ed from '@noble/ed25519';
import { loadFixture as load } from './testdata/fixtures';
import { DocumentError, offlineZoneWarnings, openRevocationList, openTrustList, zoneDayOf, type PublishedZone } from './documents';
import { fromBase64, kidOfKey, revocationHash } from './verify';

const sample = load('sample.json');
const docs = load('sample-documents.json');
const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));
const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const rootKey = { kid: kidOfKey(fromBase64(docs.root_public_key_b64)!), country: 'KZ', public_key: docs.root_public_key_b64 };
const keys = openTrustList(docs.trust_list_jws, [rootKey]).list.keys;

// A revocation list with `extra` members, signed with the sample's signing key as the C++ code signs.
function signed(extra: Record<string, unknown>): string {
  const header = b64url(new TextEncoder().encode(JSON.stringify({ alg: 'EdDSA', kid: sample.kid, typ: 'herdpass-revocation-list+json' })));
  const payload = b64url(
    new TextEncoder().encode(
      JSON.stringify({ type: 'herdpass-revocation-list', version: 1, authority: 'KZ-ABY', sequence: 1, issued_at: '2026-11-30T08:00:00.000Z', revoked: [], ...extra }),
    ),
  );
  const signature = ed.sign(new TextEncoder().encode(`${header}.${payload}`), hex(sample.seed_hex));
  return JSON.stringify({ protected: header, payload, signature: b64url(signature) });
}

const hash = revocationHash(sample.expected.id);
const zone: PublishedZone = { id: 7, disease: 'FMD-O', species: ['cattle', 'sheep'], starts_on: '2026-12-01', ends_on: '2026-12-21', certificates: [hash] };

describe('zones in the revocation list', () => {
  it('a list without zones opens as before (no zones member), and warns of nothing', () => {
    const list = openRevocationList(docs.revocation_list_jws, keys);
    expect(list).not.toHaveProperty('zones');
    expect(offlineZoneWarnings(list, hash, 'sheep', 'KZ-ABY-01', '2026-12-07')).toEqual([]);
  });

  it('opens the zones a signed list carries', () => {
    const byCode = { id: 8, disease: 'SGP', species: ['sheep'], starts_on: '2026-12-05', ends_on: '2026-12-26', authorities: ['KZ-ALM'], certificates: [] };
    const list = openRevocationList(signed({ zones: [zone, byCode] }), keys);
    expect(list.zones).toEqual([zone, byCode]);
  });

  it('refuses malformed zones naming the revocation list', () => {
    for (const zones of [
      {},
      [{ ...zone, certificates: ['ABC'] }],
      [{ ...zone, starts_on: '1 Dec' }],
      [{ ...zone, id: '7' }],
      [{ ...zone, authorities: ['kz-aby'] }],
      [{ id: 7, disease: 'FMD-O', species: ['cattle'], starts_on: '2026-12-01', ends_on: '2026-12-21' }],
    ]) {
      const open = () => openRevocationList(signed({ zones }), keys);
      expect(open, JSON.stringify(zones)).toThrow(DocumentError);
      try {
        open();
      } catch (e) {
        expect((e as DocumentError).code).toBe('revocation_list');
      }
    }
  });

  it('warns for a listed certificate of a restricted species on the zone days only', () => {
    const list = { zones: [zone] };
    expect(offlineZoneWarnings(list, hash, 'sheep', 'KZ-ABY-01', '2026-12-07')).toEqual([{ code: 'origin_in_zone', zone }]);
    expect(offlineZoneWarnings(list, hash, 'sheep', 'KZ-ABY-01', '2026-12-01')).toHaveLength(1);
    expect(offlineZoneWarnings(list, hash, 'sheep', 'KZ-ABY-01', '2026-12-21')).toHaveLength(1);
    expect(offlineZoneWarnings(list, hash, 'sheep', 'KZ-ABY-01', '2026-11-30')).toEqual([]);
    expect(offlineZoneWarnings(list, hash, 'sheep', 'KZ-ABY-01', '2026-12-22')).toEqual([]);
    expect(offlineZoneWarnings(list, hash, 'horse', 'KZ-ABY-01', '2026-12-07')).toEqual([]);
    expect(offlineZoneWarnings(list, revocationHash('0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e50'), 'sheep', 'KZ-ABY-01', '2026-12-07')).toEqual([]);
  });

  it('a zone of authority codes holds an origin at or below a code, not a sibling sharing its prefix', () => {
    const byCode: PublishedZone = { id: 8, disease: 'SGP', species: ['sheep'], starts_on: '2026-12-05', ends_on: '2026-12-26', authorities: ['KZ-ALM'], certificates: [] };
    const list = { zones: [byCode] };
    expect(offlineZoneWarnings(list, hash, 'sheep', 'KZ-ALM', '2026-12-07')).toHaveLength(1);
    expect(offlineZoneWarnings(list, hash, 'sheep', 'KZ-ALM-03', '2026-12-07')).toHaveLength(1);
    expect(offlineZoneWarnings(list, hash, 'sheep', 'KZ-ALMX', '2026-12-07')).toEqual([]);
    expect(offlineZoneWarnings(list, hash, 'sheep', 'KZ-ABY-01', '2026-12-07')).toEqual([]);
  });

  it("opens the zones' UTC offset, and refuses one that is no offset", () => {
    expect(openRevocationList(signed({ zones: [zone], zones_utc_offset_minutes: 300 }), keys).zones_utc_offset_minutes).toBe(300);
    expect(openRevocationList(signed({ zones: [zone] }), keys)).not.toHaveProperty('zones_utc_offset_minutes');
    for (const bad of [841, -721, 30.5, '300', null]) {
      expect(() => openRevocationList(signed({ zones: [zone], zones_utc_offset_minutes: bad }), keys), String(bad)).toThrow(DocumentError);
    }
  });

  it("judges the zones on the publishing node's day when the list gives its offset", () => {
    // 20:00 UTC on 30 November is already 1 December at UTC+05:00: the zone holds there.
    const evening = new Date('2026-11-30T20:00:00Z');
    expect(zoneDayOf({ zones_utc_offset_minutes: 300 }, evening)).toBe('2026-12-01');
    expect(zoneDayOf({ zones_utc_offset_minutes: 0 }, evening)).toBe('2026-11-30');
    expect(zoneDayOf({ zones_utc_offset_minutes: -300 }, new Date('2026-12-01T03:00:00Z'))).toBe('2026-11-30');
    const list = { zones: [zone], zones_utc_offset_minutes: 300 };
    expect(offlineZoneWarnings(list, hash, 'sheep', 'KZ-ABY-01', zoneDayOf(list, evening))).toHaveLength(1);
  });

  it("a list without an offset is judged on the phone's own local day", () => {
    const now = new Date(2026, 11, 7, 23, 30); // local time of the test machine
    expect(zoneDayOf({}, now)).toBe('2026-12-07');
  });
});
