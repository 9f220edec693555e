import type { DataSource } from 'typeorm';
import type { Ledger } from '../../loyalty/ledger/ledger.js';
import {
  reactivateInactiveMembers,
  type Reactivation,
  type ReactivationFailure,
  type ReactivationRun,
} from '../../loyalty/reactivation.js';
import type { Mailer } from '../../reports/mailer.js';
import type { MemberMessenger } from '../../reports/member-messenger.js';
import { reactivationEmail } from '../../reports/reactivation-email.js';

/** Thin calls for the reactivation run; the bonus is idempotent, the email follows a new bonus only, as the member allows. */
export function createReactivationActivities({
  dataSource,
  ledger,
  mailer,
  messenger,
  operatorEmail,
}: {
  dataSource: DataSource;
  ledger: Ledger;
  mailer: Mailer;
  messenger: MemberMessenger;
  operatorEmail: string;
}) {
  return {
    reactivateMembers(asOf: string): Promise<ReactivationRun> {
      return reactivateInactiveMembers(dataSource, ledger, new Date(asOf));
    },
    async alertReactivationFailures(failures: ReactivationFailure[]): Promise<void> {
      await mailer.send({
        to: operatorEmail,
        subject: `Reactivation: ${failures.length} member(s) could not get their bonus`,
        text:
          'The daily reactivation run gave every other member their bonus and left these:\n\n' +
          failures.map((f) => `  member ${f.memberId}: ${f.reason}`).join('\n') +
          '\n\nThe next run tries them again.\n\nTessera',
      });
    },
    async sendReactivationEmail(reactivation: Reactivation): Promise<void> {
      await messenger.send(reactivation.memberId, 'reactivation', reactivationEmail(reactivation));
    },
  };
}

export type ReactivationActivities = ReturnType<typeof createReactivationActivities>;
