import { proxyActivities, sleep } from '@temporalio/workflow';
import type { FulfilmentActivities } from './activities/fulfilment-activities.js';
import type { HoldActivities } from './activities/hold-activities.js';
import { emailActivityOptions } from './email-retry.js';

const { releaseHold } = proxyActivities<HoldActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});
const mail = proxyActivities<FulfilmentActivities>(emailActivityOptions);

export interface HoldTimeoutInput {
  pendingTransferId: string;
  /** When the points go back to the member if nothing settled the hold (ISO 8601): the hold's own limit. */
  expiresAt: string;
}

/**
 * Started with every hold: at its time limit, gives the points back if nobody settled it (spends them
 * when its reward was reported shipped), and tells a redeeming member.
 */
export async function holdTimeoutWorkflow({
  pendingTransferId,
  expiresAt,
}: HoldTimeoutInput): Promise<'released' | 'posted' | 'already_settled'> {
  const wait = new Date(expiresAt).getTime() - Date.now();
  if (wait > 0) await sleep(wait);
  // As of the workflow's clock, so that a skipped test clock and the hold's own limit agree.
  const { outcome, redemptionId } = await releaseHold(pendingTransferId, new Date().toISOString());
  if (redemptionId) await mail.emailFulfilmentOutcome(redemptionId);
  return outcome === 'released' || outcome === 'posted' ? outcome : 'already_settled';
}
