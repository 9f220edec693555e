import type { DataSource } from 'typeorm';
import type { Ledger } from '../../loyalty/ledger/ledger.js';
import { reactivateInactiveMembers, type Reactivation } from '../../loyalty/reactivation.js';
import type { Mailer } from '../../reports/mailer.js';
import { reactivationEmail } from '../../reports/reactivation-email.js';

/** Thin calls for the reactivation run; the bonus is idempotent, the email follows a new bonus only. */
export function createReactivationActivities({ dataSource, ledger, mailer }: { dataSource: DataSource; ledger: Ledger; mailer: Mailer }) {
  return {
    reactivateMembers(asOf: string): Promise<Reactivation[]> {
      return reactivateInactiveMembers(dataSource, ledger, new Date(asOf));
    },
    async sendReactivationEmail(reactivation: Reactivation): Promise<void> {
      if (reactivation.email) await mailer.send(reactivationEmail(reactivation));
    },
  };
}

export type ReactivationActivities = ReturnType<typeof createReactivationActivities>;
