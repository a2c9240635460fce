import { describe, expect, it } from 'vitest';
import { newestFirst, targetFrom, timelinePath, timelineRoute, type TimelineEntry } from './timeline';

const entry = (kind: TimelineEntry['kind'], date: string): TimelineEntry => ({ kind, date, at: null, by: null });

describe('timeline', () => {
  it('reads a tag (separators dropped) or a flock id from the query, else nothing', () => {
    expect(targetFrom(new URLSearchParams('tag=398 0000-0000 0001'))).toEqual({ tag: '398000000000001' });
    expect(targetFrom(new URLSearchParams('flock=42'))).toEqual({ flock: 42 });
    expect(targetFrom(new URLSearchParams('flock=-1'))).toBeNull();
    expect(targetFrom(new URLSearchParams('flock=4.5'))).toBeNull();
    expect(targetFrom(new URLSearchParams(''))).toBeNull();
  });

  it('asks the animal route by tag and the flock route by id, and links back to itself', () => {
    expect(timelinePath({ tag: '398000000000001' })).toBe('/animals/398000000000001/timeline');
    expect(timelinePath({ flock: 7 })).toBe('/flocks/7/timeline');
    expect(timelineRoute({ tag: '398000000000001' })).toBe('/timeline?tag=398000000000001');
    expect(timelineRoute({ flock: 7 })).toBe('/timeline?flock=7');
  });

  it('shows the newest entry first without changing what it was given', () => {
    const oldestFirst = [entry('registered', '2026-11-01'), entry('vaccination', '2026-11-02'), entry('life_event', '2026-11-03')];
    expect(newestFirst(oldestFirst).map((e) => e.date)).toEqual(['2026-11-03', '2026-11-02', '2026-11-01']);
    expect(oldestFirst[0].kind).toBe('registered');
  });
});
