import type { Duration } from '@temporalio/common';
import {
  ActivityFailure,
  CancellationScope,
  condition,
  defineSignal,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { FulfilmentActivities } from './activities/fulfilment-activities.js';
import { emailActivityOptions } from './email-retry.js';
import { startQueuedProcesses } from './outbox-sweep.workflow.js';

// Short timeouts: a step lost with a crashed worker is retried on another one this soon.
const ledgerSteps = proxyActivities<FulfilmentActivities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});
// Placing the order survives a supplier down for hours; its answer lost on the way is asked again
// (the order's reference makes every attempt the same order).
const placing = proxyActivities<FulfilmentActivities>({
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '6 hours',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});
// Cancelling: retried a little, then the points go back all the same (a later shipment is reconciled).
const supplier = proxyActivities<FulfilmentActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 hour', maximumAttempts: 5 },
});

const mail = proxyActivities<FulfilmentActivities>(emailActivityOptions);

/** A care agent cancels a redemption that has not shipped yet. */
export const cancelFulfilmentSignal = defineSignal<[string]>('cancelFulfilment');

/** A shipment (or a failure) was reported and recorded: look at the order now rather than at the next poll. */
export const shipmentReportedSignal = defineSignal('shipmentReported');

export interface RewardFulfilmentInput {
  redemptionId: string;
  /** The order is looked at when placed, again this long after, and then twice as long after each look… */
  firstPollAfter: Duration;
  /** …but never longer than this between looks. */
  pollAtMostEvery: Duration;
  /** Give up (cancel the order, give the points back) when the reward has not shipped by then. */
  giveUpAfter: Duration;
}

/** How a fulfilment ended. */
export type FulfilmentOutcome = Awaited<ReturnType<FulfilmentActivities['settleRedemption']>>['status'];

/**
 * hold (done by the redemption) → order → wait for the shipment → spend the points; or cancel the
 * order and give them back. Then email the member. However long the wait, the history stays small:
 * the waiting is one activity whose retries are the polls.
 */
export async function rewardFulfilmentWorkflow({
  redemptionId,
  firstPollAfter,
  pollAtMostEvery,
  giveUpAfter,
}: RewardFulfilmentInput): Promise<FulfilmentOutcome> {
  let cancelled: string | undefined;
  let reports = 0;
  setHandler(cancelFulfilmentSignal, (reason) => {
    cancelled ??= reason;
  });
  setHandler(shipmentReportedSignal, () => {
    reports += 1;
  });
  const orders = proxyActivities<FulfilmentActivities>({
    startToCloseTimeout: '15 seconds',
    retry: { initialInterval: firstPollAfter, backoffCoefficient: 2, maximumInterval: pollAtMostEvery },
  });

  /** Waits for the order to ship or fail, a cancellation, or the deadline, whichever comes first. */
  async function shipmentOrInterruption(): Promise<'found' | 'cancelled' | 'gave_up'> {
    let gaveUp = false;
    const deadline = new CancellationScope();
    const timer = deadline
      .run(() => sleep(giveUpAfter))
      .then(
        () => void (gaveUp = true),
        (error) => {
          if (!isCancellation(error)) throw error;
        },
      );
    try {
      for (;;) {
        if (cancelled !== undefined) return 'cancelled';
        if (gaveUp) return 'gave_up';
        const seen = reports;
        const looking = new CancellationScope();
        const shipment = looking.run(() => orders.awaitShipment(redemptionId));
        const first = await Promise.race([
          shipment.then(
            () => 'found' as const,
            (error: unknown) => ({ error }),
          ),
          condition(() => cancelled !== undefined || gaveUp || reports !== seen).then(() => 'interrupted' as const),
        ]);
        if (first === 'found') return 'found';
        if (first !== 'interrupted') throw first.error;
        // A signal or the deadline: stop looking (a shipment found meanwhile is on the order's record).
        looking.cancel();
        await shipment.catch((error: unknown) => {
          if (!isCancellation(error)) throw error;
        });
      }
    } finally {
      deadline.cancel();
      await timer;
    }
  }

  /** Asks the supplier to drop the order; unreachable, the points go back all the same and a later shipment is reconciled. */
  async function dropOrder(): Promise<void> {
    try {
      await supplier.cancelOrder(redemptionId);
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
    }
  }

  async function fulfil() {
    let placed: Awaited<ReturnType<FulfilmentActivities['placeOrder']>> | undefined;
    try {
      placed = await placing.placeOrder(redemptionId);
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
    }
    if (placed?.outcome !== 'ordered') {
      // The order may have reached the supplier with its answer lost: it is cancelled by its reference.
      if (placed === undefined) await dropOrder();
      return ledgerSteps.settleRedemption(redemptionId, 'the supplier could not take the order');
    }
    const waited = await shipmentOrInterruption();
    if (waited !== 'found') await dropOrder();
    // Whatever the wait ended with, the order's record decides: shipped, the points are spent.
    return ledgerSteps.settleRedemption(redemptionId, waited === 'cancelled' ? `cancelled: ${cancelled}` : 'it did not ship in time');
  }

  const { status, settledNow } = await fulfil();
  // The member hears of the outcome once, from whoever settled it (the hold's own timeout may have).
  if (settledNow) {
    try {
      await mail.emailFulfilmentOutcome(redemptionId);
    } catch (error) {
      // Undeliverable for a day: the outcome stands (and shows in the back office) without the email.
      if (!(error instanceof ActivityFailure)) throw error;
    }
  }
  if (status === 'fulfilled') await startQueuedProcesses();
  return status;
}
