import { describe, expect, it } from 'vitest';
import { periodEndAfter, periodKeyAt } from './challenge-periods.js';

const monthly = { period: 'monthly' as const, timeZone: 'Europe/Amsterdam', startsAt: new Date('2026-01-01T00:00:00Z'), endsAt: null };

describe('challenge periods', () => {
  it('cuts months in the challenge time zone', () => {
    // 23:30 UTC on 30 November is already December in Amsterdam.
    expect(periodKeyAt(monthly, new Date('2026-11-30T23:30:00Z'))).toBe('2026-12');
    expect(periodKeyAt(monthly, new Date('2026-11-30T22:30:00Z'))).toBe('2026-11');
    expect(periodEndAfter(monthly, new Date('2026-11-15T12:00:00Z'))).toEqual(new Date('2026-11-30T23:00:00Z'));
  });

  it('cuts ISO weeks, Monday first, across a year end', () => {
    const weekly = { ...monthly, period: 'weekly' as const, timeZone: 'UTC' };
    expect(periodKeyAt(weekly, new Date('2026-11-30T10:00:00Z'))).toBe('2026-W49'); // a Monday
    expect(periodKeyAt(weekly, new Date('2026-11-29T10:00:00Z'))).toBe('2026-W48'); // a Sunday
    expect(periodKeyAt(weekly, new Date('2027-01-01T10:00:00Z'))).toBe('2026-W53');
    expect(periodEndAfter(weekly, new Date('2026-11-29T10:00:00Z'))).toEqual(new Date('2026-11-30T00:00:00Z'));
  });

  it('is outside the challenge before its start and from its end', () => {
    const once = { ...monthly, period: 'once' as const, endsAt: new Date('2026-02-01T00:00:00Z') };
    expect(periodKeyAt(once, new Date('2025-12-31T23:59:00Z'))).toBeNull();
    expect(periodKeyAt(once, new Date('2026-01-15T00:00:00Z'))).toBe('once');
    expect(periodKeyAt(once, new Date('2026-02-01T00:00:00Z'))).toBeNull();
  });
});
