import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import {
  cancelOrder,
  findShipment,
  fulfilmentView,
  placeOrder,
  settleRedemption,
  type OrderCancellationOutcome,
  type OrderPlacementOutcome,
  type Settlement,
} from '../../loyalty/fulfilment/fulfilment.js';
import type { RewardSupplier } from '../../loyalty/fulfilment/reward-supplier.js';
import type { Ledger } from '../../loyalty/ledger/ledger.js';
import { rewardCancelledEmail, rewardShippedEmail } from '../../reports/fulfilment-emails.js';
import type { Mailer } from '../../reports/mailer.js';

/** What the fulfilment found when the order was settled at the supplier: the reward shipped, could not be delivered, or was dropped. */
export type ShipmentFound = 'shipped' | 'failed' | 'cancelled';

/**
 * Thin, idempotent calls for reward fulfilment. The ledger step and the member's email are separate
 * activities, so that an email that fails (the mail server down) is retried on its own and never lost.
 */
export function createFulfilmentActivities(deps: { dataSource: DataSource; ledger: Ledger; mailer: Mailer; supplier: RewardSupplier }) {
  const { dataSource, ledger, mailer, supplier } = deps;
  return {
    placeOrder(redemptionId: string): Promise<OrderPlacementOutcome> {
      return placeOrder(dataSource, supplier, redemptionId);
    },
    /**
     * Waits for the order to ship or fail. Each attempt looks once and fails while nothing happened:
     * the retry policy is the polling schedule, and the workflow's history holds one activity however
     * long the wait.
     */
    async awaitShipment(redemptionId: string): Promise<ShipmentFound> {
      const found = await findShipment(dataSource, ledger, supplier, redemptionId);
      if (found !== 'not_yet') return found;
      // Benign: retried by the policy, and not logged as an error on every look.
      throw ApplicationFailure.create({ message: 'not shipped yet', type: 'NotShippedYet', category: ApplicationFailureCategory.BENIGN });
    },
    cancelOrder(redemptionId: string): Promise<OrderCancellationOutcome> {
      return cancelOrder(dataSource, ledger, supplier, redemptionId);
    },
    settleRedemption(redemptionId: string, reasonIfNotShipped: string): Promise<Settlement> {
      return settleRedemption(dataSource, ledger, redemptionId, reasonIfNotShipped);
    },
    /** Tells the member how the redemption ended (shipped, or cancelled and why). */
    async emailFulfilmentOutcome(redemptionId: string): Promise<void> {
      const view = await fulfilmentView(dataSource, redemptionId);
      if (!view.memberEmail) return;
      if (view.status === 'fulfilled') await mailer.send(rewardShippedEmail(view));
      if (view.status === 'cancelled') await mailer.send(rewardCancelledEmail(view));
    },
  };
}

export type FulfilmentActivities = ReturnType<typeof createFulfilmentActivities>;
