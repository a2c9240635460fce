import { describe, expect, it } from 'vitest';
import { UUID_RE, uuidv4, uuidv7, uuidv7Time } from './uuid';

describe('uuidv7', () => {
  it('has the RFC 9562 layout: version 7, variant 10', () => {
    for (let i = 0; i < 200; i++) {
      const id = uuidv7();
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(id).toMatch(UUID_RE);
    }
  });

  it('carries the time in milliseconds in its first 48 bits', () => {
    const at = Date.UTC(2031, 5, 1, 12, 0, 0, 123);
    const id = uuidv7(at);
    expect(uuidv7Time(id)).toBe(at);
    expect(id.slice(0, 13)).toBe(at.toString(16).padStart(12, '0').replace(/^(.{8})/, '$1-'));
  });

  it('never goes backwards: same millisecond and a clock stepping back keep the order', () => {
    const base = Date.UTC(2032, 0, 1);
    const ids = [uuidv7(base + 10)];
    for (let i = 0; i < 50; i++) ids.push(uuidv7(base + 10)); // same millisecond
    ids.push(uuidv7(base + 5)); // clock stepped back
    ids.push(uuidv7(base + 11));
    ids.push(uuidv7(base + 1000));
    const sorted = [...ids].sort();
    expect(ids).toEqual(sorted);
    expect(new Set(ids).size).toBe(ids.length);
    const times = ids.map((id) => uuidv7Time(id)!);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]);
  });

  it('the counter rolling over borrows the next millisecond', () => {
    const base = Date.UTC(2033, 0, 1);
    const zeros = (b: Uint8Array) => b.fill(0);
    let prev = uuidv7(base, zeros);
    for (let i = 0; i < 5000; i++) {
      const next = uuidv7(base, zeros);
      expect(next > prev).toBe(true);
      prev = next;
    }
    expect(uuidv7Time(prev)).toBe(base + 1);
  });

  it('uses the random source for the rest', () => {
    const ones = (b: Uint8Array) => b.fill(0xff);
    const id = uuidv7(Date.UTC(2034, 0, 1), ones);
    expect(id.slice(19)).toBe('bfff-ffffffffffff');
  });
});

describe('uuidv4', () => {
  it('is random with version 4', () => {
    const a = uuidv4();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidv4()).not.toBe(a);
    expect(uuidv7Time(a)).toBeNull();
  });
});
