import type { DataSource } from 'typeorm';
import { checkLedger, formatReport } from '../../loyalty/ledger/invariants.js';
import type { Mailer } from '../../reports/mailer.js';

export interface LedgerActivityDependencies {
  dataSource: DataSource;
  mailer: Mailer;
  operatorEmail: string;
}

export interface LedgerAuditSummary {
  ok: boolean;
  violations: number;
  report: string;
}

/** Thin, idempotent calls into loyalty/ for the ledger's workflows. */
export function createLedgerActivities({ dataSource, mailer, operatorEmail }: LedgerActivityDependencies) {
  return {
    async auditLedger(): Promise<LedgerAuditSummary> {
      // Nightly: what was written since the last good check, in full once a week (see CheckOptions).
      const report = await checkLedger(dataSource.manager, { mode: 'incremental', record: true });
      return { ok: report.ok, violations: report.violations.length, report: formatReport(report) };
    },

    async emailOperator(subject: string, text: string): Promise<void> {
      await mailer.send({ to: operatorEmail, subject, text });
    },
  };
}

export type LedgerActivities = ReturnType<typeof createLedgerActivities>;
