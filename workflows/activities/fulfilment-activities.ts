import type { DataSource } from 'typeorm';
import { cancelRedemption, completeRedemption, fulfilmentView, orderReward, shipmentStatus } from '../../loyalty/fulfilment/fulfilment.js';
import type { RewardSupplier } from '../../loyalty/fulfilment/reward-supplier.js';
import type { Ledger } from '../../loyalty/ledger/ledger.js';
import { rewardCancelledEmail, rewardShippedEmail } from '../../reports/fulfilment-emails.js';
import type { Mailer } from '../../reports/mailer.js';

/**
 * Thin, idempotent calls for reward fulfilment. The ledger step and the member's email are separate
 * activities, so that an email that fails (the mail server down) is retried on its own and never lost.
 */
export function createFulfilmentActivities(deps: { dataSource: DataSource; ledger: Ledger; mailer: Mailer; supplier: RewardSupplier }) {
  const { dataSource, ledger, mailer, supplier } = deps;
  return {
    async orderReward(redemptionId: string): Promise<string> {
      return (await orderReward(dataSource, supplier, redemptionId)).status;
    },
    shipmentStatus(redemptionId: string) {
      return shipmentStatus(dataSource, supplier, redemptionId);
    },
    async completeRedemption(redemptionId: string): Promise<string> {
      return (await completeRedemption(dataSource, ledger, redemptionId)).status;
    },
    async cancelRedemption(redemptionId: string, reason: string): Promise<string> {
      return (await cancelRedemption(dataSource, ledger, redemptionId, reason)).status;
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
