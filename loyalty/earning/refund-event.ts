import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { MemberEvent } from '../../entities/index.js';
import { Refusal } from '../refusal.js';
import type { Ledger } from '../ledger/ledger.js';
import { EventRefusedError } from './record-event.js';

export interface RefundRequest {
  partnerId: string;
  eventId: string;
  /** Absent: refund all that is left. Otherwise the items returned. */
  lines?: { reference: string; quantity: number }[];
}

export interface Refund {
  refundedCents: number;
  pointsReversed: number;
  /** What is left of the purchase after this refund. */
  remainingCents: number;
}

export class EventNotFoundError extends Refusal {
  constructor(eventId: string) {
    super('event_not_found', `no event ${eventId} of this partner`, 'eventId');
  }
}

/**
 * Refunds a purchase in full or by line items and takes back the points it earned in proportion
 * (bonuses stay), in the caller's transaction.
 */
export async function refundEvent(manager: EntityManager, ledger: Ledger, request: RefundRequest): Promise<Refund> {
  const event = await manager.findOne(MemberEvent, {
    where: { id: request.eventId, partnerId: request.partnerId },
    lock: { mode: 'pessimistic_write' },
  });
  if (!event) throw new EventNotFoundError(request.eventId);
  if (!event.amountCents) throw new EventRefusedError('eventId', 'only purchases with an amount can be refunded');
  const remaining = event.amountCents - event.refundedCents;
  if (remaining <= 0) throw new EventRefusedError('eventId', 'this purchase was already refunded in full');

  let cents = remaining;
  if (request.lines) {
    cents = 0;
    for (const [index, line] of request.lines.entries()) {
      const bought = event.lines.filter((l) => l.reference === line.reference);
      const quantity = bought.reduce((sum, l) => sum + l.quantity, 0);
      if (quantity === 0) throw new EventRefusedError(`lines[${index}].reference`, `"${line.reference}" is not in this purchase`);
      if (line.quantity > quantity) throw new EventRefusedError(`lines[${index}].quantity`, `at most ${quantity} were bought`);
      cents += line.quantity * bought[0]!.unitPriceCents;
    }
    if (cents > remaining) throw new EventRefusedError('lines', `refunds ${cents} cents but only ${remaining} are left to refund`);
  }

  let pointsReversed = 0;
  if (event.earnTransferId && event.points > 0) {
    const alreadyReversed = Math.floor((event.points * event.refundedCents) / event.amountCents);
    const target = cents === remaining ? event.points : Math.floor((event.points * (event.refundedCents + cents)) / event.amountCents);
    pointsReversed = target - alreadyReversed;
    if (pointsReversed > 0) {
      await ledger.reverse(
        {
          source: `partner:${request.partnerId}`,
          key: `refund:${event.id}:${randomUUID()}`,
          transferId: event.earnTransferId,
          amount: pointsReversed,
          references: { refund: String(cents) },
          explanation: [{ rule: 'refund', points: -pointsReversed, reason: `refund of ${(cents / 100).toFixed(2)}` }],
        },
        manager,
      );
    }
  }
  await manager.update(MemberEvent, { id: event.id }, { refundedCents: event.refundedCents + cents });
  return { refundedCents: cents, pointsReversed, remainingCents: remaining - cents };
}
