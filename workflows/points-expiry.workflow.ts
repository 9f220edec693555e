import { proxyActivities } from '@temporalio/workflow';
import type { ExpiryActivities } from './activities/expiry-activities.js';
import { sendQueuedWebhooks } from './webhook-outbox.workflow.js';

const { expireLots, findExpiryNotices, sendExpiryNotice, alertExpiryFailures } = proxyActivities<ExpiryActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 10 },
});

export interface PointsExpiryInput {
  /** Warn members this many days ahead (each horizon once per lot), e.g. [30, 7]. */
  alertDays: number[];
}

export interface PointsExpirySummary {
  expiredLots: number;
  expiredPoints: number;
  breakageByPartner: Record<string, number>;
  /** Lots left as they were (the operator was told): the run went on without them. */
  failedLots: string[];
  alertsSent: number;
}

/** The daily expiry run: expire what is due (breakage to its funders), then warn about what comes. */
export async function pointsExpiryWorkflow({ alertDays }: PointsExpiryInput): Promise<PointsExpirySummary> {
  const asOf = new Date().toISOString();
  const expired = await expireLots(asOf);
  if (expired.lots > 0) await sendQueuedWebhooks();
  if (expired.failures.length > 0) await alertExpiryFailures(expired.failures);
  let alertsSent = 0;
  for (const daysAhead of alertDays) {
    for (const notice of await findExpiryNotices(asOf, daysAhead)) {
      if (await sendExpiryNotice(notice, asOf)) alertsSent += 1;
    }
  }
  return {
    expiredLots: expired.lots,
    expiredPoints: expired.points,
    breakageByPartner: expired.byPartner,
    failedLots: expired.failures.map((f) => f.lotId),
    alertsSent,
  };
}
