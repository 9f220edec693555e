import type { DataSource } from 'typeorm';
import type { Mailer } from '../../reports/mailer.js';
import { settlementEmail } from '../../reports/settlement-email.js';
import { computeSettlement } from '../../loyalty/settlement/settlement-statements.js';
import { emailStatementOnce, statementsToEmail } from '../../loyalty/settlement/statement-document.js';

/** Thin calls for the monthly settlement: the statements of a period, and one statement emailed. */
export function createSettlementActivities({ dataSource, mailer }: { dataSource: DataSource; mailer: Mailer }) {
  return {
    /** Computes the period's statements (once: a retry finds them) and lists the partners' not emailed yet. */
    async settleMonth(period: string, asOf: string): Promise<string[]> {
      await computeSettlement(dataSource, period, new Date(asOf));
      return statementsToEmail(dataSource.manager, period);
    },
    /**
     * Emails a partner its statement unless that was done. A crash after the mail left and before the
     * commit that notes it sends it once more, under the same Message-ID; a partner without a contact
     * email is skipped (its statement waits in the back office).
     */
    emailStatement(statementId: string): Promise<boolean> {
      return emailStatementOnce(dataSource, statementId, async (document, to) => mailer.send(await settlementEmail(document, to)));
    },
  };
}

export type SettlementActivities = ReturnType<typeof createSettlementActivities>;
