import { Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import {
  dueExpiryNotices,
  expireDueLots,
  recordExpiryNotice,
  type ExpiredLots,
  type ExpiryFailure,
  type ExpiryNotice,
} from '../../loyalty/expiry.js';
import type { Ledger } from '../../loyalty/ledger/ledger.js';
import { expiryEmail, expiryFailuresEmail } from '../../reports/expiry-email.js';
import type { Mailer } from '../../reports/mailer.js';
import type { MemberMessenger } from '../../reports/member-messenger.js';

/** Thin, idempotent calls for the daily expiry run. */
export function createExpiryActivities({
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
    expireLots(asOf: string): Promise<ExpiredLots> {
      return expireDueLots(dataSource, ledger, new Date(asOf), () => Context.current().heartbeat());
    },

    async alertExpiryFailures(failures: ExpiryFailure[]): Promise<void> {
      await mailer.send(expiryFailuresEmail(operatorEmail, failures));
    },

    findExpiryNotices(asOf: string, daysAhead: number): Promise<ExpiryNotice[]> {
      return dueExpiryNotices(dataSource, new Date(asOf), daysAhead);
    },

    /**
     * Sends one member's notice unless it was sent already (a retry after a crash may repeat it once)
     * or they turned these reminders off (then it is not recorded: turned back on, they hear of it).
     */
    async sendExpiryNotice(notice: ExpiryNotice, asOf: string): Promise<boolean> {
      const still = (await dueExpiryNotices(dataSource, new Date(asOf), notice.daysAhead)).find((n) => n.memberId === notice.memberId);
      if (!still || !(await messenger.send(still.memberId, 'expiry', expiryEmail(still)))) return false;
      await recordExpiryNotice(dataSource, still);
      return true;
    },
  };
}

export type ExpiryActivities = ReturnType<typeof createExpiryActivities>;
