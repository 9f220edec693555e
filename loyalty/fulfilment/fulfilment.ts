import { In, IsNull, type DataSource } from 'typeorm';
import { FulfilmentOrder, LedgerAccount, Member, Redemption, Reward, type RedemptionStatus, pointsUnit } from '../../entities/index.js';
import { lockMemberAccounts } from '../ledger/member-locks.js';
import type { Ledger } from '../ledger/ledger.js';
import { inTransaction } from '../ledger/transaction.js';
import { queuedDetails } from '../outbox.js';
import { shippingAddressOf } from '../delivery-address.js';
import { queueRedemptionCompleted } from '../redemptions.js';
import type { PlacedOrder, RewardSupplier } from './reward-supplier.js';
import { recordShipmentReport } from './shipment-reports.js';

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

/** Where a redemption stands, with what its member's email needs. */
export async function fulfilmentView(dataSource: DataSource, redemptionId: string): Promise<FulfilmentView> {
  const redemption = await dataSource.manager.findOneByOrFail(Redemption, { id: redemptionId });
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

/**
 * The reward code a redemption's fulfilment was started under: its workflow's id carries it, and
 * the operator may have renamed the reward since. Undefined for no such redemption.
 */
export async function fulfilmentStartedUnder(dataSource: DataSource, redemptionId: string): Promise<string | undefined> {
  const queued = await queuedDetails(dataSource.manager, 'reward_fulfilment', redemptionId);
  if (queued) return queued.rewardCode;
  // Started before processes were queued: under the code it has kept, if it has.
  const redemption = await dataSource.manager.findOneBy(Redemption, { id: redemptionId });
  if (!redemption) return undefined;
  return (await dataSource.manager.findOneByOrFail(Reward, { id: redemption.rewardId })).code;
}

/** Placing the order: the supplier took it, refused it for good, or the redemption was settled before it was placed. */
export type OrderPlacementOutcome = { outcome: 'ordered' } | { outcome: 'refused'; reason: string } | { outcome: 'already_settled' };

/**
 * Orders the reward from the supplier, once per redemption (the order's reference is the
 * redemption's id). The order is recorded before the supplier is asked: when its answer is lost on
 * the way (a timeout, a gateway error), Tessera still knows an order may exist, cancels it by its
 * reference if it gives up, and takes the supplier's shipment report for it.
 */
export async function placeOrder(
  dataSource: DataSource,
  supplier: RewardSupplier,
  redemptionId: string,
  now = new Date(),
): Promise<OrderPlacementOutcome> {
  const claimed = await inTransaction(dataSource, async (manager) => {
    const redemption = await manager.findOneOrFail(Redemption, { where: { id: redemptionId }, lock: { mode: 'pessimistic_write' } });
    if (redemption.status === 'ordered') return 'ordered' as const;
    if (redemption.status !== 'awaiting_fulfilment') return 'already_settled' as const;
    await manager
      .createQueryBuilder()
      .insert()
      .into(FulfilmentOrder)
      .values({ redemptionId, supplier: supplier.kind, supplierOrderId: null, state: 'placing', orderedAt: now })
      .orIgnore()
      .execute();
    return 'placing' as const;
  });
  if (claimed !== 'placing') return { outcome: claimed };
  const redemption = await dataSource.manager.findOneByOrFail(Redemption, { id: redemptionId });
  const order = await dataSource.manager.findOneByOrFail(FulfilmentOrder, { redemptionId });
  const reward = await dataSource.manager.findOneByOrFail(Reward, { id: redemption.rewardId });
  const member = await dataSource.manager.findOneByOrFail(Member, { id: redemption.memberId });
  const shipTo = shippingAddressOf(redemption);
  const placement = await supplier.placeOrder({
    reference: redemptionId,
    rewardCode: reward.code,
    rewardName: reward.name,
    quantity: redemption.quantity,
    orderedAt: order.orderedAt,
    recipient: shipTo
      ? {
          name: shipTo.name,
          email: member.email,
          address: { street: shipTo.street, postalCode: shipTo.postalCode, city: shipTo.city, country: shipTo.country },
        }
      : { name: member.displayName, email: member.email, address: null },
  });
  if (placement.outcome === 'refused') {
    await dataSource.manager.update(
      FulfilmentOrder,
      { id: order.id, state: 'placing' },
      // Never taken: dropped, with the supplier's reason.
      { state: 'cancelled', failureReason: placement.reason, cancelledAt: now },
    );
    return placement;
  }
  return inTransaction(dataSource, async (manager) => {
    const current = await manager.findOneOrFail(Redemption, { where: { id: redemptionId }, lock: { mode: 'pessimistic_write' } });
    // A report that came in while the supplier was answering stays what it says.
    await manager.update(
      FulfilmentOrder,
      { id: order.id, state: 'placing' },
      { state: 'open', supplierOrderId: placement.supplierOrderId },
    );
    await manager.update(FulfilmentOrder, { id: order.id, supplierOrderId: IsNull() }, { supplierOrderId: placement.supplierOrderId });
    if (current.status !== 'awaiting_fulfilment')
      return current.status === 'ordered' ? { outcome: 'ordered' } : { outcome: 'already_settled' };
    current.status = 'ordered';
    await manager.save(current);
    return { outcome: 'ordered' };
  });
}

async function orderOf(dataSource: DataSource, redemptionId: string): Promise<{ order: FulfilmentOrder; placed: PlacedOrder } | null> {
  const order = await dataSource.manager.findOneBy(FulfilmentOrder, { redemptionId });
  if (!order) return null;
  const [reward]: { code: string }[] = await dataSource.query(
    `SELECT w.code FROM reward w JOIN redemption r ON r."rewardId" = w.id WHERE r.id = $1`,
    [redemptionId],
  );
  return {
    order,
    placed: { reference: redemptionId, supplierOrderId: order.supplierOrderId, rewardCode: reward!.code, orderedAt: order.orderedAt },
  };
}

/** What a look at an order found: the fulfilment waits on while it is `not_yet`. */
export type ShipmentFinding = 'shipped' | 'failed' | 'cancelled' | 'not_yet';

/**
 * Looks for what became of a redemption's order: a report recorded (by the supplier's callback or a
 * staff member), else — for the supplier that took the order — the supplier's own answer, recorded
 * here. Reading the record first means a lost signal never strands a fulfilment.
 */
export async function findShipment(
  dataSource: DataSource,
  ledger: Ledger,
  supplier: RewardSupplier,
  redemptionId: string,
  now = new Date(),
): Promise<ShipmentFinding> {
  const found = await orderOf(dataSource, redemptionId);
  if (!found) throw new Error(`Redemption ${redemptionId} has no order to look at`);
  const { order, placed } = found;
  if (order.state === 'placing') return 'not_yet';
  if (order.state !== 'open') return order.state;
  // An order taken by another supplier (before REWARD_SUPPLIER changed) is settled by its reports only.
  if (order.supplier !== supplier.kind) return 'not_yet';
  const status = await supplier.orderStatus(placed, now);
  if (status.status === 'pending') return 'not_yet';
  const reportedBy = `the ${supplier.kind} supplier`;
  await recordShipmentReport(
    dataSource,
    ledger,
    status.status === 'shipped'
      ? { redemptionId, reportedBy, outcome: 'shipped', carrier: status.carrier, trackingNumber: status.trackingNumber }
      : { redemptionId, reportedBy, outcome: 'failed', reason: status.reason },
    { now },
  );
  return status.status;
}

/** Asking the supplier to stop an order: stopped, too late (it shipped), or there was no order. */
export type OrderCancellationOutcome = 'cancelled' | 'already_shipped' | 'not_ordered';

/**
 * Cancels the order of a redemption being cancelled, at the supplier and on its record. A shipment
 * the supplier or a staff member reports at the same moment wins: the reward is on its way.
 */
export async function cancelOrder(
  dataSource: DataSource,
  ledger: Ledger,
  supplier: RewardSupplier,
  redemptionId: string,
  now = new Date(),
): Promise<OrderCancellationOutcome> {
  const found = await orderOf(dataSource, redemptionId);
  if (!found) return 'not_ordered';
  const { order, placed } = found;
  if (order.state === 'shipped') return 'already_shipped';
  if (order.state !== 'open' && order.state !== 'placing') return 'cancelled';
  if (order.supplier === supplier.kind) {
    const answer = await supplier.cancelOrder(placed);
    if (answer.outcome === 'already_shipped') {
      const reportedBy = `the ${supplier.kind} supplier`;
      const { carrier, trackingNumber } = answer;
      const recorded = await recordShipmentReport(dataSource, ledger, {
        redemptionId,
        reportedBy,
        outcome: 'shipped',
        carrier,
        trackingNumber,
      });
      if (recorded.outcome === 'recorded' || recorded.outcome === 'already_recorded') return 'already_shipped';
    }
  }
  const cancelled = await dataSource.manager.update(
    FulfilmentOrder,
    { id: order.id, state: In(['open', 'placing']) },
    { state: 'cancelled', cancelledAt: now },
  );
  if (cancelled.affected === 1) return 'cancelled';
  const { state } = await dataSource.manager.findOneByOrFail(FulfilmentOrder, { id: order.id });
  return state === 'shipped' ? 'already_shipped' : 'cancelled';
}

/** How a redemption to fulfil ended: spent (shipped), given back, or waiting for care. */
export type SettledStatus = Exclude<RedemptionStatus, 'awaiting_fulfilment' | 'ordered'>;

/** How a redemption ended, and whether this call settled it (and so tells the member) or found it settled. */
export interface Settlement {
  status: SettledStatus;
  settledNow: boolean;
}

/**
 * Settles a redemption's held points by what its order says: shipped, the points are spent (and the
 * partner told); otherwise they go back to the member with the stock, because the supplier could not
 * deliver or for `reasonIfNotShipped`, and an order still open is dropped. Idempotent: a redemption
 * settled already stays as it is.
 */
export async function settleRedemption(
  dataSource: DataSource,
  ledger: Ledger,
  redemptionId: string,
  reasonIfNotShipped: string,
  now = new Date(),
): Promise<Settlement> {
  return inTransaction(dataSource, async (manager): Promise<Settlement> => {
    // The lock order of a redemption: its row, its order, the member, the reward's stock, the ledger's hot rows.
    const redemption = await manager.findOneOrFail(Redemption, { where: { id: redemptionId }, lock: { mode: 'pessimistic_write' } });
    if (redemption.status !== 'ordered' && redemption.status !== 'awaiting_fulfilment')
      return { status: redemption.status, settledNow: false };
    const order = await manager.findOne(FulfilmentOrder, { where: { redemptionId }, lock: { mode: 'pessimistic_write' } });
    if (order?.state === 'shipped') {
      await ledger.post({ source: 'fulfilment', key: `post:${redemptionId}`, pendingTransferId: redemption.transferId }, manager);
      redemption.status = 'fulfilled';
      await manager.save(redemption);
      await queueRedemptionCompleted(manager, redemption);
      return { status: 'fulfilled', settledNow: true };
    }
    const account = await manager.findOneByOrFail(LedgerAccount, { memberId: redemption.memberId, unit: pointsUnit });
    await lockMemberAccounts(manager, [account.id]);
    await manager.query(`UPDATE reward SET stock = stock + $2 WHERE id = $1 AND stock IS NOT NULL`, [
      redemption.rewardId,
      redemption.quantity,
    ]);
    await ledger.void({ source: 'fulfilment', key: `void:${redemptionId}`, pendingTransferId: redemption.transferId }, manager);
    if (order?.state === 'open' || order?.state === 'placing')
      await manager.update(FulfilmentOrder, { id: order.id }, { state: 'cancelled', cancelledAt: now });
    redemption.status = 'cancelled';
    redemption.outcome = order?.state === 'failed' ? 'the supplier could not deliver it' : reasonIfNotShipped;
    await manager.save(redemption);
    return { status: 'cancelled', settledNow: true };
  });
}
