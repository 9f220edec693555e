import type { DataSource } from 'typeorm';
import { Redemption } from '../../entities/index.js';
import { expiredHolds, releaseExpiredHold, type HoldRelease } from '../../loyalty/holds.js';
import type { Ledger } from '../../loyalty/ledger/ledger.js';

/** Thin calls for holds past their time limit: one hold (its own timeout), or all of them (the daily sweep). */
export function createHoldActivities({ dataSource, ledger }: { dataSource: DataSource; ledger: Ledger }) {
  const redemptionOf = async (pendingTransferId: string) =>
    (await dataSource.manager.findOneBy(Redemption, { transferId: pendingTransferId }))?.id ?? null;
  return {
    async releaseHold(pendingTransferId: string, asOf: string): Promise<{ outcome: HoldRelease; redemptionId: string | null }> {
      const outcome = await releaseExpiredHold(dataSource, ledger, pendingTransferId, new Date(asOf));
      const settled = outcome === 'released' || outcome === 'posted';
      return { outcome, redemptionId: settled ? await redemptionOf(pendingTransferId) : null };
    },
    /** The daily backstop: every hold past its limit; the redemptions it cancelled, whose members are told. */
    async releaseExpiredHolds(asOf: string): Promise<{ released: number; redemptionIds: string[] }> {
      const redemptionIds: string[] = [];
      let released = 0;
      for (const id of await expiredHolds(dataSource, new Date(asOf))) {
        const outcome = await releaseExpiredHold(dataSource, ledger, id, new Date(asOf));
        if (outcome !== 'released' && outcome !== 'posted') continue;
        released += 1;
        const redemption = await redemptionOf(id);
        if (redemption) redemptionIds.push(redemption);
      }
      return { released, redemptionIds };
    },
  };
}

export type HoldActivities = ReturnType<typeof createHoldActivities>;
