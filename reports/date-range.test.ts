import { describe, expect, it } from 'vitest';
import { Refusal } from '../loyalty/refusal.js';
import { dateRange } from './date-range.js';

const now = new Date('2026-11-30T15:00:00Z');
const refusal = (query: Record<string, unknown>) => {
  try {
    dateRange(query, now);
  } catch (error) {
    if (error instanceof Refusal) return { code: error.code, field: error.field, reason: error.reason };
    throw error;
  }
  return null;
};

describe('the date range of the analytics', () => {
  it('is the last 30 days up to today without a choice, and the preset days when one is chosen', () => {
    expect(dateRange({}, now)).toMatchObject({ from: '2026-11-01', to: '2026-11-30', days: 30 });
    expect(dateRange({ preset: '7' }, now)).toMatchObject({ from: '2026-11-24', to: '2026-11-30', days: 7 });
    expect(dateRange({ preset: '90' }, now)).toMatchObject({ from: '2026-09-02', to: '2026-11-30', days: 90 });
  });

  it('takes both ends as days, the last one included: from midnight UTC of `from` to midnight after `to`', () => {
    const range = dateRange({ from: '2026-10-01', to: '2026-10-31' }, now);
    expect(range).toMatchObject({ from: '2026-10-01', to: '2026-10-31', days: 31 });
    expect(range.start.toISOString()).toBe('2026-10-01T00:00:00.000Z');
    expect(range.end.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(dateRange({ from: '2026-11-30', to: '2026-11-30' }, now).days).toBe(1);
  });

  it('refuses nonsense by the field at fault', () => {
    expect(refusal({ from: '2026-11-10', to: '2026-11-01' })).toEqual({
      code: 'invalid_range',
      field: 'from',
      reason: 'must be on or before the end of the range (2026-11-01)',
    });
    expect(refusal({ from: '2026-13-01', to: '2026-11-01' })).toMatchObject({ field: 'from', reason: 'must be a day written YYYY-MM-DD' });
    expect(refusal({ from: '2026-02-30', to: '2026-03-01' })).toMatchObject({ field: 'from', reason: 'must be a day written YYYY-MM-DD' });
    expect(refusal({ from: '2026-11-01', to: 'tomorrow' })).toMatchObject({ field: 'to' });
    expect(refusal({ from: ['2026-11-01', '2026-11-02'], to: '2026-11-03' })).toMatchObject({ field: 'from' });
    expect(refusal({ from: '2026-11-01' })).toMatchObject({ field: 'to', reason: 'is required with from' });
    expect(refusal({ from: '2026-11-01', to: '2026-12-01' })).toMatchObject({
      field: 'to',
      reason: 'must not be after today (2026-11-30)',
    });
    expect(refusal({ from: '2024-01-01', to: '2026-11-30' })).toMatchObject({
      field: 'from',
      reason: 'the range may cover at most 366 days',
    });
    expect(refusal({ preset: '12' })).toMatchObject({ field: 'preset', reason: 'must be 7, 30 or 90 (days)' });
  });
});
