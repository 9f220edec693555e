import type { DataSource, EntityManager } from 'typeorm';
import { Redemption } from '../entities/index.js';
import { cancelOrder, settleRedemption } from './fulfilment/fulfilment.js';
import type { RewardSupplier } from './fulfilment/reward-supplier.js';
import { PendingTransferResolvedError } from './ledger/errors.js';
import type { Ledger } from './ledger/ledger.js';
import { memberWithAccount } from './member-identity.js';
import { confirmPendingCredit, isPendingCredit } from './pending-points.js';
import { expireAuthorization } from './payments/payments.js';

/**
 * What became of a hold past its time limit: given back, or spent when its reward had been reported
 * shipped (or, for pending points, confirmed to the member).
 */
export type HoldRelease = 'released' | 'posted' | 'already_settled' | 'not_due';

/** Points held from a member and not settled yet: what for, since when, until when at most. */
export interface PendingHold {
  transferId: string;
  points: number;
  since: Date;
  until: Date | null;
  /** The reward being shipped, when it is a redemption's hold. */
  reward: string | null;
  redemptionStatus: string | null;
}

/** The member's holds nobody posted or voided yet, oldest first. */
export async function pendingHoldsOf(manager: EntityManager, memberId: string): Promise<PendingHold[]> {
  const { account } = await memberWithAccount(manager, memberId);
  const rows: { id: string; amount: string; createdAt: Date; heldUntil: Date | null; reward: string | null; status: string | null }[] =
    await manager.query(
      `SELECT p.id, p.amount, p."createdAt", p."heldUntil", w.name AS reward, d.status
         FROM ledger_transfer p
         LEFT JOIN redemption d ON d."transferId" = p.id
         LEFT JOIN reward w ON w.id = d."rewardId"
        WHERE p."debitAccountId" = $1 AND p.phase = 'pending'
          AND NOT EXISTS (SELECT 1 FROM ledger_transfer r WHERE r."pendingTransferId" = p.id)
        ORDER BY p.seq`,
      [account.id],
    );
  return rows.map((r) => ({
    transferId: r.id,
    points: Number(r.amount),
    since: r.createdAt,
    until: r.heldUntil,
    reward: r.reward,
    redemptionStatus: r.status,
  }));
}

/** Holds past their time limit that nobody posted or voided, oldest first. */
export async function expiredHolds(dataSource: DataSource, asOf: Date, limit = 500): Promise<string[]> {
  const rows: { id: string }[] = await dataSource.query(
    `SELECT p.id FROM ledger_transfer p
      WHERE p.phase = 'pending' AND p."heldUntil" <= $1
        AND NOT EXISTS (SELECT 1 FROM ledger_transfer r WHERE r."pendingTransferId" = p.id)
      ORDER BY p."heldUntil" LIMIT $2`,
    [asOf, limit],
  );
  return rows.map((r) => r.id);
}

/**
 * Gives back the points of a hold nobody settled by its time limit. A redemption's hold settles the
 * redemption by its order: cancelled (its stock back, the reason kept for the member), or spent when
 * the reward was reported shipped; a checkout payment's hold expires the payment; any other hold is voided. Idempotent: a hold settled meanwhile is
 * left as it is.
 */
export async function releaseExpiredHold(
  dataSource: DataSource,
  ledger: Ledger,
  supplier: RewardSupplier,
  pendingTransferId: string,
  asOf: Date,
): Promise<HoldRelease> {
  const [hold]: { heldUntil: Date | null; settled: boolean }[] = await dataSource.query(
    `SELECT p."heldUntil", EXISTS (SELECT 1 FROM ledger_transfer r WHERE r."pendingTransferId" = p.id) AS settled
       FROM ledger_transfer p WHERE p.id = $1 AND p.phase = 'pending'`,
    [pendingTransferId],
  );
  if (!hold || hold.settled) return 'already_settled';
  if (!hold.heldUntil || new Date(hold.heldUntil) > asOf) return 'not_due';
  // Pending points are the member's once their window ends: confirmed, not given back.
  if (await isPendingCredit(dataSource.manager, pendingTransferId)) return confirmPendingCredit(dataSource, ledger, pendingTransferId);
  const payment = await expireAuthorization(dataSource, ledger, pendingTransferId, asOf);
  if (payment) return payment;
  const redemption = await dataSource.manager.findOneBy(Redemption, { transferId: pendingTransferId });
  if (redemption) {
    if (redemption.status !== 'awaiting_fulfilment' && redemption.status !== 'ordered') return 'already_settled';
    // The supplier is asked to drop the order first; unreachable, a shipment it reports later is reconciled.
    await cancelOrder(dataSource, ledger, supplier, redemption.id).catch(() => undefined);
    const settled = await settleRedemption(dataSource, ledger, redemption.id, 'it was not delivered in time');
    if (!settled.settledNow) return 'already_settled';
    return settled.status === 'fulfilled' ? 'posted' : 'released';
  }
  try {
    await ledger.void({ source: 'system:hold-expiry', key: pendingTransferId, pendingTransferId });
    return 'released';
  } catch (error) {
    if (error instanceof PendingTransferResolvedError) return 'already_settled';
    throw error;
  }
}
