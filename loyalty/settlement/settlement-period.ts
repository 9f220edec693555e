import { Refusal } from '../refusal.js';

/** A calendar month (UTC) of the coalition's activity: transfers from `start` (included) to `end` (excluded). */
export interface SettlementPeriod {
  /** `YYYY-MM` */
  period: string;
  start: Date;
  end: Date;
}

const monthOf = (year: number, monthIndex: number): SettlementPeriod => {
  const start = new Date(Date.UTC(year, monthIndex, 1));
  const end = new Date(Date.UTC(year, monthIndex + 1, 1));
  return { period: start.toISOString().slice(0, 7), start, end };
};

/** The month named `YYYY-MM`, refused under `field` when it is none or has not ended by `now`. */
export function settlementPeriod(period: unknown, now: Date, field = 'period'): SettlementPeriod {
  const match = typeof period === 'string' ? /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period) : null;
  if (!match) throw new Refusal('invalid_range', 'must be a month, like 2026-10', field);
  const month = monthOf(Number(match[1]), Number(match[2]) - 1);
  if (month.end > now) throw new Refusal('invalid_range', 'must be a month that has ended: its statements count all of it', field);
  return month;
}
