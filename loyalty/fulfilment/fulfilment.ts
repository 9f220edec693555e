import type { DataSource } from 'typeorm';
import { LedgerAccount, Member, Redemption, Reward } from '../../entities/index.js';
import { lockMemberAccounts } from '../ledger/member-locks.js';
import type { Ledger } from '../ledger/ledger.js';
import { inTransaction } from '../ledger/transaction.js';
import { queueRedemptionCompleted } from '../redemptions.js';
import type { RewardSupplier } from './reward-supplier.js';

export interface FulfilmentView {
  redemptionId: string;
  status: Redemption['status'];
  rewardName: string;
  points: number;
  memberEmail: string | null;
  memberName: string | null;
  /** Why it was cancelled, in words the member reads. */
  outcome: string | null;
}

async function view(dataSource: DataSource, redemption: Redemption): Promise<FulfilmentView> {
  const reward = await dataSource.manager.findOneByOrFail(Reward, { id: redemption.rewardId });
  const member = await dataSource.manager.findOneByOrFail(Member, { id: redemption.memberId });
  return {
    redemptionId: redemption.id,
    status: redemption.status,
    rewardName: reward.name,
    points: redemption.points,
    memberEmail: member.email,
    memberName: member.displayName,
    outcome: redemption.outcome,
  };
}

/** Where a redemption stands, with what its member's email needs. */
export async function fulfilmentView(dataSource: DataSource, redemptionId: string): Promise<FulfilmentView> {
  return view(dataSource, await dataSource.manager.findOneByOrFail(Redemption, { id: redemptionId }));
}

/** Orders the reward from the supplier once; the order is recorded on the redemption. */
export async function orderReward(dataSource: DataSource, supplier: RewardSupplier, redemptionId: string): Promise<FulfilmentView> {
  const redemption = await dataSource.manager.findOneByOrFail(Redemption, { id: redemptionId });
  if (redemption.status === 'awaiting_fulfilment') {
    const reward = await dataSource.manager.findOneByOrFail(Reward, { id: redemption.rewardId });
    const orderedAt = new Date();
    const { orderId } = await supplier.placeOrder({ redemptionId, rewardCode: reward.code, quantity: redemption.quantity, orderedAt });
    await dataSource.manager.update(
      Redemption,
      { id: redemptionId, status: 'awaiting_fulfilment' },
      { status: 'ordered', supplierOrderId: orderId, orderedAt },
    );
  }
  return view(dataSource, await dataSource.manager.findOneByOrFail(Redemption, { id: redemptionId }));
}

/** Asks the supplier where the order stands. */
export async function shipmentStatus(dataSource: DataSource, supplier: RewardSupplier, redemptionId: string, now = new Date()) {
  const redemption = await dataSource.manager.findOneByOrFail(Redemption, { id: redemptionId });
  if (!redemption.supplierOrderId || !redemption.orderedAt) return 'pending' as const;
  const reward = await dataSource.manager.findOneByOrFail(Reward, { id: redemption.rewardId });
  return supplier.orderStatus({ orderId: redemption.supplierOrderId, rewardCode: reward.code, orderedAt: redemption.orderedAt }, now);
}

/** The reward shipped: the held points are spent for good and the partner told. Idempotent. */
export async function completeRedemption(dataSource: DataSource, ledger: Ledger, redemptionId: string): Promise<FulfilmentView> {
  const redemption = await inTransaction(dataSource, async (manager) => {
    const found = await manager.findOneOrFail(Redemption, { where: { id: redemptionId }, lock: { mode: 'pessimistic_write' } });
    if (found.status !== 'ordered' && found.status !== 'awaiting_fulfilment') return found;
    await ledger.post({ source: 'fulfilment', key: `post:${redemptionId}`, pendingTransferId: found.transferId }, manager);
    found.status = 'fulfilled';
    await manager.save(found);
    await queueRedemptionCompleted(manager, found);
    return found;
  });
  return view(dataSource, redemption);
}

/** The reward cannot be delivered: the held points go back to the member, the stock too. Idempotent. */
export async function cancelRedemption(
  dataSource: DataSource,
  ledger: Ledger,
  redemptionId: string,
  reason: string,
): Promise<FulfilmentView> {
  const redemption = await inTransaction(dataSource, async (manager) => {
    const found = await manager.findOneOrFail(Redemption, { where: { id: redemptionId }, lock: { mode: 'pessimistic_write' } });
    if (found.status !== 'ordered' && found.status !== 'awaiting_fulfilment') return found;
    // The lock order of a redemption: the member, the reward's stock, then the ledger's hot rows.
    const account = await manager.findOneByOrFail(LedgerAccount, { memberId: found.memberId });
    await lockMemberAccounts(manager, [account.id]);
    await manager.query(`UPDATE reward SET stock = stock + $2 WHERE id = $1 AND stock IS NOT NULL`, [found.rewardId, found.quantity]);
    await ledger.void({ source: 'fulfilment', key: `void:${redemptionId}`, pendingTransferId: found.transferId }, manager);
    found.status = 'cancelled';
    found.outcome = reason;
    await manager.save(found);
    return found;
  });
  return view(dataSource, redemption);
}
