import type { DataSource } from 'typeorm';
import { FulfilmentOrder, LedgerAccount, Redemption, Reward, type RewardSupplierKind, pointsUnit } from '../../entities/index.js';
import type { FieldErrors } from '../earning/configuration-checks.js';
import { accountByCode, balanceOf, programAccounts } from '../ledger/accounts.js';
import type { Ledger } from '../ledger/ledger.js';
import { lockMemberAccounts } from '../ledger/member-locks.js';
import { inTransaction } from '../ledger/transaction.js';
import { queueRedemptionCompleted } from '../redemptions.js';
import { Refusal } from '../refusal.js';

/** What a supplier, or a staff member at the back office's queue, says became of an order. */
export type ShipmentReport = { redemptionId: string; reportedBy: string } & (
  { outcome: 'shipped'; carrier: string | null; trackingNumber: string | null } | { outcome: 'failed'; reason: string }
);

/**
 * What recording a report did:
 * - `recorded`: the redemption's fulfilment settles it by this report (the points are spent, or go back);
 * - `already_recorded`: the same report came before; nothing changed;
 * - `points_taken`: it shipped after the redemption was cancelled and the points given back: they were taken again;
 * - `needs_care`: the same, but the member no longer has the points: the redemption waits for care;
 * - `noted`: it failed after the redemption was cancelled: nothing more to do.
 */
export const reportOutcomes = ['recorded', 'already_recorded', 'points_taken', 'needs_care', 'noted'] as const;
export type ReportOutcome = (typeof reportOutcomes)[number];

/** What recording a report did. */
export interface RecordedReport {
  outcome: ReportOutcome;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class OrderNotFoundError extends Refusal {
  constructor(reference: string) {
    super('order_not_found', `no order "${reference}" was placed with this supplier`, 'reference');
  }
}

export class ReportConflictError extends Refusal {
  constructor(state: string) {
    super('report_conflict', `the order was already reported ${state}`, 'status');
  }
}

const trackingNumber = /^[A-Za-z0-9][A-Za-z0-9 -]{2,38}[A-Za-z0-9]$/;

/** A staff member's report, as the back office's form sends it: a carrier and a tracking number, or why it failed. */
export function checkShipmentReport(outcome: 'shipped' | 'failed', values: Record<string, unknown>): FieldErrors {
  const text = (key: string) => (typeof values[key] === 'string' ? (values[key] as string).trim() : '');
  const errors: FieldErrors = {};
  if (outcome === 'shipped') {
    if (text('carrier').length < 2 || text('carrier').length > 60)
      errors.carrier = 'name the carrier (e.g. PostNL, DHL), 2 to 60 characters';
    if (!trackingNumber.test(text('trackingNumber'))) {
      errors.trackingNumber = 'the tracking number is 4 to 40 letters and digits (dashes and spaces allowed)';
    }
  } else if (text('reason').length < 5 || text('reason').length > 500) {
    errors.reason = 'say why it cannot be delivered, 5 to 500 characters';
  }
  return errors;
}

/**
 * Records what became of an order, once (a repeated report changes nothing; a contrary one is
 * refused). While the redemption waits, its fulfilment settles it by the report. A shipment reported
 * after the redemption was cancelled is reconciled at once: the member keeps the reward and gives
 * the points again when they still have them, or the redemption is flagged for care — never both
 * the reward and the points. `supplier` restricts the report to that supplier's orders.
 */
export async function recordShipmentReport(
  dataSource: DataSource,
  ledger: Ledger,
  report: ShipmentReport,
  options: { supplier?: RewardSupplierKind; now?: Date } = {},
): Promise<RecordedReport> {
  const now = options.now ?? new Date();
  if (!uuid.test(report.redemptionId)) throw new OrderNotFoundError(report.redemptionId);
  const outcome = await inTransaction(dataSource, async (manager): Promise<ReportOutcome> => {
    // The lock order of a redemption: its row, its order, the member, the reward's stock, the ledger's hot rows.
    const redemption = await manager.findOne(Redemption, { where: { id: report.redemptionId }, lock: { mode: 'pessimistic_write' } });
    const order =
      redemption &&
      (await manager.findOne(FulfilmentOrder, { where: { redemptionId: redemption.id }, lock: { mode: 'pessimistic_write' } }));
    if (!redemption || !order || (options.supplier && order.supplier !== options.supplier))
      throw new OrderNotFoundError(report.redemptionId);
    if (order.state === report.outcome) return 'already_recorded';
    if (order.state === 'shipped' || order.state === 'failed') throw new ReportConflictError(order.state);

    order.state = report.outcome;
    order.carrier = report.outcome === 'shipped' ? report.carrier : null;
    order.trackingNumber = report.outcome === 'shipped' ? report.trackingNumber : null;
    order.failureReason = report.outcome === 'failed' ? report.reason : null;
    order.reportedAt = now;
    order.reportedBy = report.reportedBy;
    await manager.save(order);

    if (redemption.status === 'awaiting_fulfilment' || redemption.status === 'ordered') return 'recorded';
    if (redemption.status !== 'cancelled' || report.outcome === 'failed') return 'noted';

    const account = await manager.findOneByOrFail(LedgerAccount, { memberId: redemption.memberId, unit: pointsUnit });
    await lockMemberAccounts(manager, [account.id]);
    if ((await balanceOf(manager, account.id)).available < redemption.points) {
      redemption.status = 'needs_care';
      redemption.outcome = 'it was delivered after its cancellation, and the points given back were spent since';
      await manager.save(redemption);
      return 'needs_care';
    }
    const reward = await manager.findOneByOrFail(Reward, { id: redemption.rewardId });
    // The unit the cancellation put back in stock left with the parcel.
    await manager.query(`UPDATE reward SET stock = GREATEST(stock - $2, 0) WHERE id = $1 AND stock IS NOT NULL`, [
      reward.id,
      redemption.quantity,
    ]);
    await ledger.transfer(
      {
        source: 'fulfilment',
        key: `late-shipment:${redemption.id}`,
        legs: [
          {
            debitAccountId: account.id,
            creditAccountId: (await accountByCode(manager, programAccounts.redemption)).id,
            amount: redemption.points,
            kind: 'burn',
            references: {
              reward: reward.code,
              redemption: redemption.id,
              ...(redemption.partnerId ? { partner: redemption.partnerId } : {}),
            },
            explanation: [
              {
                rule: 'redemption',
                points: -redemption.points,
                reason: `${redemption.quantity} × ${reward.name}, delivered after its cancellation`,
              },
            ],
          },
        ],
      },
      manager,
    );
    redemption.status = 'fulfilled';
    redemption.outcome = 'it was delivered after its cancellation: the points given back were taken again';
    await manager.save(redemption);
    await queueRedemptionCompleted(manager, redemption);
    return 'points_taken';
  });
  return { outcome };
}
