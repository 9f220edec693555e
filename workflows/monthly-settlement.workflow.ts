import { proxyActivities } from '@temporalio/workflow';
import type { SettlementActivities } from './activities/settlement-activities.js';

const { settleMonth, emailStatement } = proxyActivities<SettlementActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumAttempts: 10 },
});

/** `YYYY-MM` of the month before the one `now` falls in (UTC). */
function previousMonth(now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

/**
 * On the 1st: computes last month's settlement statements, then emails each partner its own. Each
 * step is an idempotent activity, so a run that crashed and is retried (or run twice) computes and
 * sends nothing twice. Returns how many statements were emailed.
 */
export async function monthlySettlementWorkflow(input: { period?: string } = {}): Promise<number> {
  const now = new Date();
  const statementIds = await settleMonth(input.period ?? previousMonth(now), now.toISOString());
  let emailed = 0;
  for (const statementId of statementIds) if (await emailStatement(statementId)) emailed += 1;
  return emailed;
}
