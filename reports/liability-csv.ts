import { ageBucketWords, type OutstandingLiability } from '../loyalty/liability/outstanding-liability.js';
import type { MovementStatement } from '../loyalty/liability/movement-statement.js';
import type { OutstandingCredit } from '../loyalty/liability/outstanding-credit.js';
import { formatMoney, minorDigits } from '../loyalty/money.js';
import { csvDocument, type CsvCell } from './csv.js';

/** Minor units as the plain decimal a spreadsheet reads (1234 cents: 12.34). */
const decimal = (minor: number, digits: number) => (minor / 10 ** digits).toFixed(digits);

/**
 * The liability report as one CSV: the movement statement of the period, then what members hold
 * per funder and age, the expected breakage, and the store credit members hold (money, named in its
 * currency: its value column is filled only in the program's).
 */
export function liabilityCsv(
  statement: MovementStatement,
  outstanding: OutstandingLiability,
  credit: OutstandingCredit[],
  digits: number,
): string {
  const money = (minor: number) => decimal(minor, digits);
  const day = (date: Date) => date.toISOString().slice(0, 10);
  const last = new Date(statement.to.getTime() - 1);
  const rows: CsvCell[][] = [
    ['statement', `opening liability on ${day(statement.from)}`, '', statement.opening.points, money(statement.opening.valueMinor)],
    ...statement.lines.map((l): CsvCell[] => ['statement', l.label, '', l.points, money(l.valueMinor)]),
    ['statement', `closing liability on ${day(last)}`, '', statement.closing.points, money(statement.closing.valueMinor)],
    ...outstanding.funders.flatMap((f): CsvCell[][] => [
      ['outstanding', f.funder, 'all ages', f.points, money(f.valueMinor)],
      ...Object.entries(f.byAge).map(([bucket, points]): CsvCell[] => [
        'outstanding',
        f.funder,
        ageBucketWords[bucket as keyof typeof ageBucketWords],
        points,
        money(Math.round(points * outstanding.pointValueMinor)),
      ]),
    ]),
    ['outstanding', 'all funders', 'all ages', outstanding.points, money(outstanding.valueMinor)],
    [
      'expected breakage',
      `${(outstanding.breakage.rate * 100).toFixed(1)}% of ${outstanding.breakage.endedPoints} points in ended lots expired`,
      '',
      outstanding.breakage.expectedPoints,
      money(outstanding.breakage.expectedValueMinor),
    ],
    ...credit.map((c): CsvCell[] => [
      'outstanding credit',
      `${c.program}: ${formatMoney(c.minor, c.currency)} of store credit funded by ${c.funder}`,
      '',
      '',
      c.currency === statement.currency ? decimal(c.minor, minorDigits(c.currency)) : '',
    ]),
  ];
  return csvDocument(['section', 'line', 'age', 'points', `value (${statement.currency})`], rows);
}
