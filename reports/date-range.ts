import { Refusal } from '../loyalty/refusal.js';

/** The days a figure covers, both ends included, in UTC: `start` is midnight of `from`, `end` midnight after `to`. */
export interface DateRange {
  from: string;
  to: string;
  days: number;
  start: Date;
  end: Date;
}

export const rangePresets = [7, 30, 90] as const;
/** A year and a day: enough for a year over year look, little enough to answer in a moment. */
export const longestRange = 366;
const dayMs = 86_400_000;

const dayOf = (date: Date) => date.toISOString().slice(0, 10);

function parsedDay(value: unknown, field: string): Date {
  const match = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  // Date.UTC rolls 2026-02-30 over to March: a day that does not exist is refused, not moved.
  if (!date || dayOf(date) !== value) throw new Refusal('invalid_range', 'must be a day written YYYY-MM-DD', field);
  return date;
}

/**
 * The range a query asks for: `from` and `to` (days, both included), or a `preset` of the last 7, 30
 * or 90 days up to today; the last 30 days when it asks for none. Refused by field: a day that is
 * not one, an end before the start or after today, more than `longestRange` days.
 */
export function dateRange(query: Record<string, unknown>, now = new Date()): DateRange {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const lastDays = (days: number): DateRange => {
    const start = new Date(today.getTime() - (days - 1) * dayMs);
    return { from: dayOf(start), to: dayOf(today), days, start, end: new Date(today.getTime() + dayMs) };
  };
  const given = (key: string) => query[key] !== undefined && query[key] !== '';
  if (!given('from') && !given('to')) {
    if (!given('preset')) return lastDays(30);
    const preset = rangePresets.find((days) => String(days) === query.preset);
    if (!preset) throw new Refusal('invalid_range', 'must be 7, 30 or 90 (days)', 'preset');
    return lastDays(preset);
  }
  if (!given('from')) throw new Refusal('invalid_range', 'is required with to', 'from');
  if (!given('to')) throw new Refusal('invalid_range', 'is required with from', 'to');
  const start = parsedDay(query.from, 'from');
  const last = parsedDay(query.to, 'to');
  if (last > today) throw new Refusal('invalid_range', `must not be after today (${dayOf(today)})`, 'to');
  if (start > last) throw new Refusal('invalid_range', `must be on or before the end of the range (${dayOf(last)})`, 'from');
  const days = Math.round((last.getTime() - start.getTime()) / dayMs) + 1;
  if (days > longestRange) throw new Refusal('invalid_range', `the range may cover at most ${longestRange} days`, 'from');
  return { from: dayOf(start), to: dayOf(last), days, start, end: new Date(last.getTime() + dayMs) };
}
