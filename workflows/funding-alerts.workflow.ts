import { proxyActivities } from '@temporalio/workflow';
import type { FundingActivities } from './activities/funding-activities.js';

const { findFundingAlerts, sendFundingAlert } = proxyActivities<FundingActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
});

/** Tells partners whose wallet crossed their alert level or ran empty (run every few minutes). */
export async function fundingAlertsWorkflow(): Promise<number> {
  let sent = 0;
  for (const alert of await findFundingAlerts()) if (await sendFundingAlert(alert)) sent += 1;
  return sent;
}
