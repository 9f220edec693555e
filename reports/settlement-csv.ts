import { minorDigits } from '../loyalty/money.js';
import type { StatementDocument } from '../loyalty/settlement/statement-document.js';
import { csvDocument } from './csv.js';

/** Minor units as a number in the currency's units (-2.48), which a spreadsheet sums. */
const decimal = (minor: number, currency: string) => minor / 10 ** minorDigits(currency);

/** A statement as CSV: one row per line with the transfers behind it, then the net. */
export function settlementCsv({ statement, partyName, lines }: StatementDocument): string {
  const { currency, period } = statement;
  return csvDocument(
    ['period', 'party', 'line', 'points', `value (${currency})`, `amount (${currency})`, 'transfers'],
    [
      ...lines.map((line) => [
        period,
        partyName,
        line.description,
        line.points,
        decimal(line.valueMinor, currency),
        decimal(line.amountMinor, currency),
        line.transferIds.join(' '),
      ]),
      [
        period,
        partyName,
        statement.netMinor >= 0 ? 'Net: you receive' : 'Net: you pay',
        null,
        null,
        decimal(statement.netMinor, currency),
        null,
      ],
    ],
  );
}
