import type { DataSource } from 'typeorm';
import { cancelRedemption, completeRedemption, orderReward, shipmentStatus } from '../../loyalty/fulfilment/fulfilment.js';
import type { RewardSupplier } from '../../loyalty/fulfilment/reward-supplier.js';
import type { Ledger } from '../../loyalty/ledger/ledger.js';
import { rewardCancelledEmail, rewardShippedEmail } from '../../reports/fulfilment-emails.js';
import type { Mailer } from '../../reports/mailer.js';

/** Thin, idempotent calls for reward fulfilment; emails go out only when the state changed. */
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
      const before = (await orderReward(dataSource, supplier, redemptionId)).status;
      const done = await completeRedemption(dataSource, ledger, redemptionId);
      if (before !== 'fulfilled' && done.status === 'fulfilled' && done.memberEmail) await mailer.send(rewardShippedEmail(done));
      return done.status;
    },
    async cancelRedemption(redemptionId: string, reason: string): Promise<string> {
      const done = await cancelRedemption(dataSource, ledger, redemptionId, reason);
      if (done.status === 'cancelled' && done.memberEmail) await mailer.send(rewardCancelledEmail(done, reason));
      return done.status;
    },
  };
}

export type FulfilmentActivities = ReturnType<typeof createFulfilmentActivities>;
