import type { ExpiryPolicy } from '../../entities/index.js';

const dayMs = 86_400_000;
/** Midnight UTC at the end of the given day: the first instant the points are no longer valid. */
const endOfDay = (year: number, monthIndex: number, day: number) => new Date(Date.UTC(year, monthIndex, day) + dayMs);

/** `date` plus whole months, kept within the target month (31 January + 1 month = 28/29 February). */
function addMonths(date: Date, months: number): { year: number; monthIndex: number; day: number } {
  const total = date.getUTCMonth() + months;
  const year = date.getUTCFullYear() + Math.floor(total / 12);
  const monthIndex = ((total % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
  return { year, monthIndex, day: Math.min(date.getUTCDate(), lastDay) };
}

/** When points earned at `earnedAt` expire under `policy`; null: never. */
export function computeExpiry(policy: ExpiryPolicy, earnedAt: Date, memberEnrolledAt: Date): Date | null {
  switch (policy.mode) {
    case 'never':
      return null;
    case 'period': {
      const { year, monthIndex, day } = addMonths(earnedAt, policy.months);
      return endOfDay(year, monthIndex, day);
    }
    case 'fixed_date': {
      let year = earnedAt.getUTCFullYear();
      if (endOfDay(year, policy.month - 1, policy.day) <= earnedAt) year += 1;
      return endOfDay(year + policy.yearsAfter, policy.month - 1, policy.day);
    }
    case 'anniversary': {
      const earliest = addMonths(earnedAt, policy.minimumMonths);
      const notBefore = Date.UTC(earliest.year, earliest.monthIndex, earliest.day);
      for (let year = earliest.year; ; year++) {
        const anniversary = addMonths(memberEnrolledAt, (year - memberEnrolledAt.getUTCFullYear()) * 12);
        const start = Date.UTC(anniversary.year, anniversary.monthIndex, anniversary.day);
        if (start >= notBefore) return endOfDay(anniversary.year, anniversary.monthIndex, anniversary.day);
      }
    }
  }
}
