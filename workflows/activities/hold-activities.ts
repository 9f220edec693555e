import { Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { Redemption } from '../../entities/index.js';
import type { RewardSupplier } from '../../loyalty/fulfilment/reward-supplier.js';
import { expiredHolds, releaseExpiredHold, type HoldRelease } from '../../loyalty/holds.js';
import type { Ledger } from '../../loyalty/ledger/ledger.js';

/** Thin calls for holds past their time limit: one hold (its own timeout), or all of them (the daily sweep). */
export function createHoldActivities({
  dataSource,
  ledger,
  supplier,
}: {
  dataSource: DataSource;
  ledger: Ledger;
  supplier: RewardSupplier;
}) {
  const redemptionOf = async (pendingTransferId: string) =>
    (await dataSource.manager.findOneBy(Redemption, { transferId: pendingTransferId }))?.id ?? null;
  return {
    async releaseHold(pendingTransferId: string, asOf: string): Promise<{ outcome: HoldRelease; redemptionId: string | null }> {
      const outcome = await releaseExpiredHold(dataSource, ledger, supplier, pendingTransferId, new Date(asOf));
      const settled = outcome === 'released' || outcome === 'posted';
      return { outcome, redemptionId: settled ? await redemptionOf(pendingTransferId) : null };
    },
    /**
     * The daily backstop: every hold past its limit, however many (heartbeating, a batch at a time);
     * the redemptions it settled, whose members are told.
     */
    async releaseExpiredHolds(asOf: string): Promise<{ released: number; redemptionIds: string[] }> {
      const redemptionIds: string[] = [];
      const seen = new Set<string>();
      let released = 0;
      for (;;) {
        const batch = (await expiredHolds(dataSource, new Date(asOf))).filter((id) => !seen.has(id));
        if (batch.length === 0) return { released, redemptionIds };
        for (const id of batch) {
          seen.add(id);
          Context.current().heartbeat();
          const outcome = await releaseExpiredHold(dataSource, ledger, supplier, id, new Date(asOf));
          if (outcome !== 'released' && outcome !== 'posted') continue;
          released += 1;
          const redemption = await redemptionOf(id);
          if (redemption) redemptionIds.push(redemption);
        }
      }
    },
  };
}

export type HoldActivities = ReturnType<typeof createHoldActivities>;
