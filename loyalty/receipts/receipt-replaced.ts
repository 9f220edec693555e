import type { EntityManager } from 'typeorm';
import { Receipt } from '../../entities/index.js';
import { refundEvent } from '../earning/refund-event.js';
import type { Ledger } from '../ledger/ledger.js';

/** The store's purchase being recorded, for the member it pays (whoever they were merged into). */
export interface StorePurchase {
  eventId: string;
  memberId: string;
  partnerId: string;
  amountCents: number;
  occurredAt: Date;
}

const hour = 3_600_000;
const utcDay = (at: number) => new Date(at).toISOString().slice(0, 10);

/**
 * The receipt dates whose local day can hold `occurredAt`: a receipt dated D covers D 00:00 at
 * UTC+14 to the end of D at UTC−12 (see receiptDayInstants), so an instant is on D for every D from
 * its date at UTC−12 to its date at UTC+14.
 */
function receiptDaysHolding(occurredAt: Date): { from: string; to: string } {
  return { from: utcDay(occurredAt.getTime() - 12 * hour), to: utcDay(occurredAt.getTime() + 14 * hour) };
}

/**
 * A receipt the member (or a member merged into them) was paid for, at this store, on the
 * purchase's local day and for its total, that no store purchase replaced yet and care did not
 * accept as another purchase: locked, oldest first. Called under the member's lock, so a reading
 * paying such a receipt at the same moment is seen (it re-checks under the same lock).
 */
async function receiptPaidBefore(manager: EntityManager, purchase: StorePurchase): Promise<{ id: string; eventId: string } | undefined> {
  const { from, to } = receiptDaysHolding(purchase.occurredAt);
  const [receipt]: { id: string; eventId: string }[] = await manager.query(
    `WITH RECURSIVE person(id) AS (SELECT $1::uuid UNION SELECT m.id FROM member m JOIN person ON m."mergedIntoId" = person.id)
     SELECT r.id, r."eventId" FROM receipt r JOIN member_event e ON e.id = r."eventId"
      WHERE r."memberId" IN (SELECT id FROM person) AND r.status = 'awarded' AND r."partnerId" = $2 AND r."totalCents" = $3
        AND r."purchasedOn" BETWEEN $4::date AND $5::date
        AND r."replacedByEventId" IS NULL AND r."acceptedAnywayReason" IS NULL AND e."refundedCents" < e."amountCents"
      ORDER BY r."purchasedOn", r."uploadedAt" LIMIT 1
      FOR UPDATE OF r`,
    [purchase.memberId, purchase.partnerId, purchase.amountCents, from, to],
  );
  return receipt;
}

/**
 * When the store sends a purchase a receipt already paid (the till was offline, the store sends its
 * sales at night), the store's record wins: it carries the lines and point of sale the store knows,
 * and a refund the store sends later finds it. The receipt's purchase is refunded in full, in the
 * caller's transaction, before the store's purchase pays, so the member is paid once. Points the
 * member spent meanwhile become a debt, which the store's purchase pays back at once: the refund is
 * never refused, as the member asked for nothing. Returns the replaced receipt's id, or null.
 */
export async function replaceReceiptPaidBefore(manager: EntityManager, ledger: Ledger, purchase: StorePurchase): Promise<string | null> {
  const receipt = await receiptPaidBefore(manager, purchase);
  if (!receipt) return null;
  await refundEvent(manager, ledger, {
    partnerId: purchase.partnerId,
    eventId: receipt.eventId,
    key: `receipt-replaced:${receipt.id}`,
    shortfall: 'debt',
    words: "the store sent this purchase itself: its points replace the receipt's",
  });
  await manager.update(Receipt, { id: receipt.id }, { replacedByEventId: purchase.eventId });
  return receipt.id;
}
