import type { Duration } from '@temporalio/common';
import { ActivityFailure, condition, defineSignal, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { FulfilmentActivities } from './activities/fulfilment-activities.js';
import { emailActivityOptions } from './email-retry.js';
import { startQueuedProcesses } from './outbox-sweep.workflow.js';

// Short timeouts: a step lost with a crashed worker is retried on another one this soon.
const ledgerSteps = proxyActivities<FulfilmentActivities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});
// The supplier may be down for a while: retry with backoff, then give up and give the points back.
const supplier = proxyActivities<FulfilmentActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 hour', maximumAttempts: 5 },
});

const mail = proxyActivities<FulfilmentActivities>(emailActivityOptions);

/** A care agent cancels a redemption that has not shipped yet. */
export const cancelFulfilmentSignal = defineSignal<[string]>('cancelFulfilment');

export interface RewardFulfilmentInput {
  redemptionId: string;
  /** How often to ask the supplier about the shipment. */
  pollEvery: Duration;
  /** Give up (and give the points back) when the reward has not shipped by then. */
  giveUpAfter: Duration;
}

/** hold (done by the redemption) → order → wait for shipment → post; or void. Then email the member. */
export async function rewardFulfilmentWorkflow({ redemptionId, pollEvery, giveUpAfter }: RewardFulfilmentInput): Promise<string> {
  let cancelled: string | undefined;
  setHandler(cancelFulfilmentSignal, (reason) => {
    cancelled ??= reason;
  });

  async function settle(): Promise<string> {
    try {
      await supplier.orderReward(redemptionId);
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      return ledgerSteps.cancelRedemption(redemptionId, 'the supplier could not take the order');
    }
    let timedOut = false;
    const deadline = sleep(giveUpAfter).then(() => {
      timedOut = true;
    });
    while (!cancelled && !timedOut) {
      const status = await supplier.shipmentStatus(redemptionId).catch(() => 'pending' as const);
      if (status === 'shipped') return ledgerSteps.completeRedemption(redemptionId);
      if (status === 'failed') return ledgerSteps.cancelRedemption(redemptionId, 'the supplier could not deliver it');
      await condition(() => cancelled !== undefined || timedOut, pollEvery);
    }
    void deadline;
    return ledgerSteps.cancelRedemption(redemptionId, cancelled ? `cancelled: ${cancelled}` : 'it did not ship in time');
  }

  const outcome = await settle();
  try {
    await mail.emailFulfilmentOutcome(redemptionId);
  } catch (error) {
    // Undeliverable for a day: the outcome stands (and shows in the back office) without the email.
    if (!(error instanceof ActivityFailure)) throw error;
  }
  if (outcome === 'fulfilled') await startQueuedProcesses();
  return outcome;
}
