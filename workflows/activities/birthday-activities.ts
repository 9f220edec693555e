import type { DataSource } from 'typeorm';
import { celebrateBirthdays, type BirthdayFailure, type BirthdayRun } from '../../loyalty/birthdays.js';
import type { Ledger } from '../../loyalty/ledger/ledger.js';
import type { Mailer } from '../../reports/mailer.js';

/** Thin calls for the daily birthday run: each celebration is once per member and year, whatever retries. */
export function createBirthdayActivities({
  dataSource,
  ledger,
  mailer,
  operatorEmail,
}: {
  dataSource: DataSource;
  ledger: Ledger;
  mailer: Mailer;
  operatorEmail: string;
}) {
  return {
    celebrateBirthdays(asOf: string): Promise<BirthdayRun> {
      return celebrateBirthdays(dataSource, ledger, new Date(asOf));
    },
    async alertBirthdayFailures(failures: BirthdayFailure[]): Promise<void> {
      await mailer.send({
        to: operatorEmail,
        subject: `Birthdays: ${failures.length} member(s) could not get their bonus`,
        text:
          'The daily birthday run celebrated every other member and left these, with nothing paid nor sent:\n\n' +
          failures.map((f) => `  member ${f.memberId}: ${f.reason}`).join('\n') +
          '\n\nThe next run tries them again while their birthday lasts (see the days after it in program settings).\n\nTessera',
      });
    },
  };
}

export type BirthdayActivities = ReturnType<typeof createBirthdayActivities>;
