// What the phone knows about an owner when the server does not answer the phone check.
import { describe, expect, it } from 'vitest';
import { keepRecent, localKnowledge, samePhone } from './phone_check';

describe('phone numbers', () => {
  it('match in their local and international forms', () => {
    expect(samePhone('8 701 555 12 34', '+77015551234')).toBe(true);
    expect(samePhone('+7 (701) 555-12-34', '+77015551234')).toBe(true);
    expect(samePhone('+77015551235', '+77015551234')).toBe(false);
    expect(samePhone('1234', '+77015551234')).toBe(false);
    expect(samePhone('', '')).toBe(false);
  });
});

describe('local knowledge', () => {
  const cached = [
    { phone: '+77015551234', at: '2026-12-01T10:00:00Z', result: { n: 1 } },
    { phone: '+77015551234', at: '2026-12-03T10:00:00Z', result: { n: 2 } },
    { phone: '+77015559999', at: '2026-12-04T10:00:00Z', result: { n: 3 } },
  ];
  const owners = [{ phone: '+77015551234', name: 'Aigerim', village: 'Karaul', e164: '+77015551234' }];
  const outbox = [
    { state: 'pending', record: { owner_phone: '8 701 555 12 34', disease: 'PPR' } },
    { state: 'rejected', record: { owner_phone: '+77015551234', disease: 'SGP' } },
    { state: 'pending', record: { owner_phone: '+77015550000', disease: 'FMD-O' } },
  ];

  it('gives the latest answer the server gave for that number, the owner, and the records waiting', () => {
    const k = localKnowledge('8 701 555 12 34', cached, owners, outbox);
    expect(k?.cached?.result).toEqual({ n: 2 });
    expect(k?.owner).toEqual({ name: 'Aigerim', village: 'Karaul', phone: '+77015551234' });
    expect(k?.pending).toEqual([{ owner_phone: '8 701 555 12 34', disease: 'PPR' }]);
  });

  it('knows a number from waiting records alone', () => {
    const k = localKnowledge('+77015550000', [], [], outbox);
    expect(k).toEqual({ cached: null, owner: null, pending: [{ owner_phone: '+77015550000', disease: 'FMD-O' }] });
  });

  it('knows nothing of a number it never saw', () => {
    expect(localKnowledge('+77015551111', cached, owners, outbox)).toBeNull();
  });

  it('keeps the most recent numbers, the one just checked in front', () => {
    expect(keepRecent(['a', 'b', 'c'], 'b', 3)).toEqual({ keep: ['b', 'a', 'c'], drop: [] });
    expect(keepRecent(['a', 'b', 'c'], 'd', 3)).toEqual({ keep: ['d', 'a', 'b'], drop: ['c'] });
  });
});
