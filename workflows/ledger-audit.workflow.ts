import { proxyActivities } from '@temporalio/workflow';
import type { LedgerActivities, LedgerAuditSummary } from './activities/ledger-activities.js';

const { auditLedger, emailOperator } = proxyActivities<LedgerActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 5 },
});

/** Checks the ledger's invariants (nightly, on a schedule) and alerts the operator when one fails. */
export async function ledgerAuditWorkflow(): Promise<LedgerAuditSummary> {
  const summary = await auditLedger();
  if (!summary.ok) {
    await emailOperator(`Tessera ledger check failed: ${summary.violations} violation(s)`, summary.report);
  }
  return summary;
}
