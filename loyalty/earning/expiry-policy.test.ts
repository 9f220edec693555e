import { expect, it } from 'vitest';
import { computeExpiry } from './expiry-policy.js';

const enrolled = new Date('2024-03-10T09:00:00Z');
const iso = (d: Date | null) => d?.toISOString() ?? null;

it('never expires points under the never policy', () => {
  expect(computeExpiry({ mode: 'never' }, new Date('2026-05-05T10:00:00Z'), enrolled)).toBeNull();
});

it('keeps points for a period from the earn, through the last day', () => {
  expect(iso(computeExpiry({ mode: 'period', months: 12 }, new Date('2026-05-05T10:00:00Z'), enrolled))).toBe('2027-05-06T00:00:00.000Z');
  // 31 January + 1 month ends with February.
  expect(iso(computeExpiry({ mode: 'period', months: 1 }, new Date('2027-01-31T23:00:00Z'), enrolled))).toBe('2027-03-01T00:00:00.000Z');
  expect(iso(computeExpiry({ mode: 'period', months: 1 }, new Date('2028-01-31T23:00:00Z'), enrolled))).toBe('2028-03-01T00:00:00.000Z');
});

it('expires on a fixed yearly date, the next one after the earn plus the years asked', () => {
  const yearEnd = { mode: 'fixed_date' as const, month: 12, day: 31, yearsAfter: 0 };
  expect(iso(computeExpiry(yearEnd, new Date('2026-05-05T10:00:00Z'), enrolled))).toBe('2027-01-01T00:00:00.000Z');
  expect(iso(computeExpiry({ ...yearEnd, yearsAfter: 1 }, new Date('2026-05-05T10:00:00Z'), enrolled))).toBe('2028-01-01T00:00:00.000Z');
  const midYear = { mode: 'fixed_date' as const, month: 6, day: 30, yearsAfter: 0 };
  expect(iso(computeExpiry(midYear, new Date('2026-07-01T00:00:00Z'), enrolled))).toBe('2027-07-01T00:00:00.000Z');
  expect(iso(computeExpiry(midYear, new Date('2026-06-30T23:59:00Z'), enrolled))).toBe('2026-07-01T00:00:00.000Z');
});

it("expires on the member's enrolment anniversary at least the minimum after the earn", () => {
  const policy = { mode: 'anniversary' as const, minimumMonths: 6 };
  expect(iso(computeExpiry(policy, new Date('2026-01-05T10:00:00Z'), enrolled))).toBe('2027-03-11T00:00:00.000Z');
  expect(iso(computeExpiry(policy, new Date('2026-09-01T10:00:00Z'), enrolled))).toBe('2027-03-11T00:00:00.000Z');
  expect(iso(computeExpiry({ mode: 'anniversary', minimumMonths: 0 }, new Date('2026-03-10T10:00:00Z'), enrolled))).toBe(
    '2026-03-11T00:00:00.000Z',
  );
  // Enrolled on 29 February: the anniversary falls on 28 February in common years.
  expect(iso(computeExpiry(policy, new Date('2026-01-05T10:00:00Z'), new Date('2024-02-29T12:00:00Z')))).toBe('2027-03-01T00:00:00.000Z');
});
