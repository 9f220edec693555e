import type { EntityManager } from 'typeorm';

/** A purchase the store is sending, for the member it pays (whoever they were merged into). */
export interface StoreSale {
  memberId: string;
  partnerId: string;
  amountCents: number;
  occurredAt: Date;
  /** The point of sale the store named, if it named one. */
  pointOfSaleId: string | null;
}

const hour = 3_600_000;
const utcDay = (at: number) => new Date(at).toISOString().slice(0, 10);

/**
 * The receipt dates whose local day can hold `occurredAt`: a receipt dated D covers D 00:00 at
 * UTC+14 to the end of D at UTC−12 (see receiptDayInstants), so an instant is on D for every D from
 * its date at UTC−12 to its date at UTC+14.
 */
function receiptDaysHolding(occurredAt: Date): { from: string; to: string; utc: string } {
  const at = occurredAt.getTime();
  return { from: utcDay(at - 12 * hour), to: utcDay(at + 14 * hour), utc: utcDay(at) };
}

/**
 * The paid receipt this sale is, when the member sent one first: a receipt of the member (or of a
 * member merged into them) at this store, of this total, dated on the sale's local day, at its
 * point of sale when both name one, whose purchase stands (not refunded in full) and that no
 * earlier sale confirmed. Of several, the one dated the sale's UTC day, then the earliest sent: a
 * till sending Tuesday's sale before Monday's pairs each with its own day.
 *
 * Read under the member's lock, which a reading or an acceptance paying a receipt takes too: the
 * one that comes second sees the other. Returns the receipt and the event that paid it.
 */
export async function paidReceiptOfSale(manager: EntityManager, sale: StoreSale): Promise<{ id: string; eventId: string } | undefined> {
  const { from, to, utc } = receiptDaysHolding(sale.occurredAt);
  const [receipt]: { id: string; eventId: string }[] = await manager.query(
    `WITH RECURSIVE person(id) AS (SELECT $1::uuid UNION SELECT m.id FROM member m JOIN person ON m."mergedIntoId" = person.id)
     SELECT r.id, r."eventId" FROM receipt r JOIN member_event e ON e.id = r."eventId"
      WHERE r."memberId" IN (SELECT id FROM person) AND r.status = 'awarded' AND r."confirmedByStoreAt" IS NULL
        AND r."partnerId" = $2 AND r."totalCents" = $3 AND r."purchasedOn" BETWEEN $4::date AND $5::date
        AND (r."pointOfSaleId" IS NULL OR $7::uuid IS NULL OR r."pointOfSaleId" = $7::uuid)
        AND e."refundedCents" < e."amountCents"
      ORDER BY abs(r."purchasedOn" - $6::date), r."uploadedAt"
      LIMIT 1`,
    [sale.memberId, sale.partnerId, sale.amountCents, from, to, utc, sale.pointOfSaleId],
  );
  return receipt;
}

/** Marks the receipt as the sale the store sent: a later sale of the same total is another purchase. */
export async function confirmReceiptByStore(manager: EntityManager, receiptId: string): Promise<void> {
  await manager.query(`UPDATE receipt SET "confirmedByStoreAt" = now() WHERE id = $1 AND "confirmedByStoreAt" IS NULL`, [receiptId]);
}
