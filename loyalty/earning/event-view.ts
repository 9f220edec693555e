import type { EntityManager } from 'typeorm';
import { EventRefund, type EventLineRecord, type RefundedLine, type RuleExplanation, type SalesChannel } from '../../entities/index.js';
import { EventNotFoundError } from './refund-event.js';
import { creditState, eventPendingPoints } from '../pending-points.js';

/** An event as its partner recorded it, with what it earned and what was refunded since. */
export interface EventView {
  id: string;
  type: string;
  externalId: string;
  occurredAt: Date;
  recordedAt: Date;
  amountCents: number | null;
  currency: string | null;
  lines: EventLineRecord[];
  channel: SalesChannel | null;
  /** The partner's code of the point of sale. */
  pointOfSale: string | null;
  points: number;
  bonusPoints: number;
  explanation: RuleExplanation[];
  refundedCents: number;
  /** Of the rules' points, those taken back since (by refunds, or a care reversal). */
  pointsReversed: number;
  /** Each refund, oldest first: what came back and what it took back (or left owed). */
  refunds: EventRefundView[];
  /** Its points still pending (the purchase's return window), and when they become spendable; null when none is. */
  pending: { points: number; availableFrom: Date } | null;
}

export interface EventRefundView {
  id: string;
  at: Date;
  lines: RefundedLine[];
  refundedCents: number;
  pointsReversed: number;
  bonusPointsReversed: number;
  pointsOwed: number;
  pendingPointsCancelled: number;
}

/** One event of the asking partner; another partner's event does not exist for it. */
export async function viewEvent(manager: EntityManager, partnerId: string, eventId: string): Promise<EventView> {
  const [row]: (Omit<EventView, 'pointsReversed' | 'refunds' | 'points' | 'bonusPoints' | 'pending'> & {
    points: string;
    bonusPoints: string;
    earnTransferId: string | null;
  })[] = await manager.query(
    `SELECT e.id, e.type, e."customerId" AS "externalId", e."occurredAt", e."recordedAt", e."amountCents", e.currency, e.lines, e.channel,
            pos.code AS "pointOfSale", e.points, e."bonusPoints", e.explanation, e."refundedCents", e."earnTransferId"
       FROM member_event e
       LEFT JOIN point_of_sale pos ON pos.id = e."pointOfSaleId"
      WHERE e.id = $1 AND e."partnerId" = $2`,
    [eventId, partnerId],
  );
  if (!row) throw new EventNotFoundError(eventId);
  const refunds = await manager.find(EventRefund, { where: { eventId }, order: { createdAt: 'ASC' } });
  // Pending points are reversed, once confirmed, along the transfer that confirmed them.
  const earn = row.earnTransferId ? await creditState(manager, row.earnTransferId) : null;
  const [reversed]: { points: string }[] =
    earn?.state === 'posted'
      ? await manager.query(`SELECT COALESCE(SUM(amount), 0) AS points FROM ledger_transfer WHERE "reversesTransferId" = $1`, [
          earn.transferId,
        ])
      : [{ points: '0' }];
  const { earnTransferId: _earn, ...shown } = row;
  return {
    ...shown,
    points: Number(row.points),
    bonusPoints: Number(row.bonusPoints),
    pointsReversed: Number(reversed!.points),
    pending: await eventPendingPoints(manager, { id: eventId, partnerId }),
    refunds: refunds.map((r) => ({
      id: r.id,
      at: r.createdAt,
      lines: r.lines,
      refundedCents: r.refundedCents,
      pointsReversed: r.pointsReversed,
      bonusPointsReversed: r.bonusPointsReversed,
      pointsOwed: r.pointsOwed,
      pendingPointsCancelled: r.pendingPointsCancelled,
    })),
  };
}
