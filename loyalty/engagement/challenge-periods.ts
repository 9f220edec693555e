import type { Challenge } from '../../entities/index.js';
import { zonedInstant, zonedLocal } from '../campaigns/zoned-time.js';

type Timed = Pick<Challenge, 'period' | 'timeZone' | 'startsAt' | 'endsAt'>;

/** The ISO week (Monday first) of a civil date: `2026-W48`. */
function isoWeek(civil: string): string {
  const [y, m, d] = civil.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  const weekday = (date.getUTCDay() + 6) % 7; // Monday 0
  date.setUTCDate(date.getUTCDate() - weekday + 3); // the week's Thursday decides its year
  const year = date.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 4));
  firstThursday.setUTCDate(firstThursday.getUTCDate() - ((firstThursday.getUTCDay() + 6) % 7) + 3);
  const week = 1 + Math.round((date.getTime() - firstThursday.getTime()) / (7 * 86_400_000));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * The period of the challenge an instant falls in (`once`, `2026-W48`, `2026-11`, cut in the
 * challenge's time zone), or null when the instant is outside the challenge's dates.
 */
export function periodKeyAt(challenge: Timed, at: Date): string | null {
  if (at < challenge.startsAt) return null;
  if (challenge.endsAt && at >= challenge.endsAt) return null;
  const local = zonedLocal(at, challenge.timeZone);
  switch (challenge.period) {
    case 'once':
      return 'once';
    case 'monthly':
      return local.slice(0, 7);
    case 'weekly':
      return isoWeek(local.slice(0, 10));
  }
}

/** When the period containing `at` ends (for showing "ends on"), bounded by the challenge's end. */
export function periodEndAfter(challenge: Timed, at: Date): Date | null {
  const local = zonedLocal(at, challenge.timeZone);
  let end: Date | null = null;
  if (challenge.period === 'monthly') {
    const [y, m] = local.slice(0, 7).split('-').map(Number) as [number, number];
    const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
    end = zonedInstant(`${next}-01T00:00`, challenge.timeZone);
  } else if (challenge.period === 'weekly') {
    const [y, mo, d] = local.slice(0, 10).split('-').map(Number) as [number, number, number];
    const day = new Date(Date.UTC(y, mo - 1, d));
    day.setUTCDate(day.getUTCDate() + 7 - ((day.getUTCDay() + 6) % 7));
    end = zonedInstant(`${day.toISOString().slice(0, 10)}T00:00`, challenge.timeZone);
  }
  if (challenge.endsAt && (!end || challenge.endsAt < end)) return challenge.endsAt;
  return end;
}
