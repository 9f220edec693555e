import type { DataSource } from 'typeorm';
import { checkLedger, formatReport } from '../../loyalty/ledger/invariants.js';
import { PendingTransferResolvedError } from '../../loyalty/ledger/errors.js';
import type { Ledger } from '../../loyalty/ledger/ledger.js';
import type { Mailer } from '../../reports/mailer.js';

export interface LedgerActivityDependencies {
  dataSource: DataSource;
  ledger: Ledger;
  mailer: Mailer;
  operatorEmail: string;
}

export interface LedgerAuditSummary {
  ok: boolean;
  violations: number;
  report: string;
}

/** Thin, idempotent calls into loyalty/ for the ledger's workflows. */
export function createLedgerActivities({ dataSource, ledger, mailer, operatorEmail }: LedgerActivityDependencies) {
  return {
    async auditLedger(): Promise<LedgerAuditSummary> {
      const report = await checkLedger(dataSource.manager);
      return { ok: report.ok, violations: report.violations.length, report: formatReport(report) };
    },

    async emailOperator(subject: string, text: string): Promise<void> {
      await mailer.send({ to: operatorEmail, subject, text });
    },

    /**
     * Voids a hold that nobody settled in time. Idempotent: the workflow id is the key, and a hold
     * settled meanwhile is simply left as it is.
     */
    async voidExpiredHold(pendingTransferId: string): Promise<'voided' | 'already-settled'> {
      try {
        await ledger.void({ source: 'workflow:hold-timeout', key: pendingTransferId, pendingTransferId });
        return 'voided';
      } catch (error) {
        if (error instanceof PendingTransferResolvedError) return 'already-settled';
        throw error;
      }
    },
  };
}

export type LedgerActivities = ReturnType<typeof createLedgerActivities>;
