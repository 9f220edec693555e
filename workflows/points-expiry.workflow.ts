import { proxyActivities } from '@temporalio/workflow';
import type { ExpiryActivities } from './activities/expiry-activities.js';
import type { FulfilmentActivities } from './activities/fulfilment-activities.js';
import type { HoldActivities } from './activities/hold-activities.js';
import { emailActivityOptions } from './email-retry.js';
import { startQueuedProcesses } from './outbox-sweep.workflow.js';

// A long run (a fixed-date policy expires many lots at once) heartbeats: a lost worker is noticed in a minute.
const { releaseExpiredHolds } = proxyActivities<HoldActivities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 10 },
});
const mail = proxyActivities<FulfilmentActivities>(emailActivityOptions);
const { expireLots, findExpiryNotices, sendExpiryNotice, alertExpiryFailures } = proxyActivities<ExpiryActivities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
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
  /** Holds past their time limit given back. */
  releasedHolds: number;
  alertsSent: number;
}

/** The daily expiry run: expire what is due (breakage to its funders), then warn about what comes. */
export async function pointsExpiryWorkflow({ alertDays }: PointsExpiryInput): Promise<PointsExpirySummary> {
  const asOf = new Date().toISOString();
  const expired = await expireLots(asOf);
  if (expired.lots > 0) await startQueuedProcesses();
  if (expired.failures.length > 0) await alertExpiryFailures(expired.failures);
  // The backstop of every hold's own timeout: nothing stays held because a process died.
  const holds = await releaseExpiredHolds(asOf);
  for (const redemptionId of holds.redemptionIds) await mail.emailFulfilmentOutcome(redemptionId);
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
    releasedHolds: holds.released,
    alertsSent,
  };
}
