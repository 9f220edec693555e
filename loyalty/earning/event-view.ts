import type { EntityManager } from 'typeorm';
import { EventRefund, type EventLineRecord, type RefundedLine, type RuleExplanation, type SalesChannel } from '../../entities/index.js';
import { EventNotFoundError } from './refund-event.js';

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
}

export interface EventRefundView {
  id: string;
  at: Date;
  lines: RefundedLine[];
  refundedCents: number;
  pointsReversed: number;
  bonusPointsReversed: number;
  pointsOwed: number;
}

/** One event of the asking partner; another partner's event does not exist for it. */
export async function viewEvent(manager: EntityManager, partnerId: string, eventId: string): Promise<EventView> {
  const [row]: (Omit<EventView, 'pointsReversed' | 'refunds' | 'points' | 'bonusPoints'> & {
    pointsReversed: string;
    points: string;
    bonusPoints: string;
  })[] = await manager.query(
    `SELECT e.id, e.type, e."customerId" AS "externalId", e."occurredAt", e."recordedAt", e."amountCents", e.currency, e.lines, e.channel,
            pos.code AS "pointOfSale", e.points, e."bonusPoints", e.explanation, e."refundedCents",
            (SELECT COALESCE(SUM(amount), 0) FROM ledger_transfer WHERE "reversesTransferId" = e."earnTransferId") AS "pointsReversed"
       FROM member_event e
       LEFT JOIN point_of_sale pos ON pos.id = e."pointOfSaleId"
      WHERE e.id = $1 AND e."partnerId" = $2`,
    [eventId, partnerId],
  );
  if (!row) throw new EventNotFoundError(eventId);
  const refunds = await manager.find(EventRefund, { where: { eventId }, order: { createdAt: 'ASC' } });
  return {
    ...row,
    points: Number(row.points),
    bonusPoints: Number(row.bonusPoints),
    pointsReversed: Number(row.pointsReversed),
    refunds: refunds.map((r) => ({
      id: r.id,
      at: r.createdAt,
      lines: r.lines,
      refundedCents: r.refundedCents,
      pointsReversed: r.pointsReversed,
      bonusPointsReversed: r.bonusPointsReversed,
      pointsOwed: r.pointsOwed,
    })),
  };
}
