import type { EntityManager } from 'typeorm';
import type { EventLineRecord } from '../../entities/index.js';
import { clockSkewMs } from '../earning/event-time.js';

/** A purchase the store is sending, for the member it pays (whoever they were merged into). */
export interface StoreSale {
  memberId: string;
  partnerId: string;
  /** What the customer paid: see saleTotalCents. */
  totalCents: number;
  occurredAt: Date;
  /** The point of sale the store named, if it named one. */
  pointOfSaleId: string | null;
}

/** The receipt the store's sale is, and the purchase event that paid it. */
export interface PaidReceipt {
  id: string;
  eventId: string;
  /** The event's time: names its monthly partition. */
  eventOccurredAt: Date;
  /** The day printed on it (YYYY-MM-DD). */
  purchasedOn: string;
}

/**
 * What a sale's customer paid, as a receipt prints it: the amount the store sent, or what its lines
 * add up to when it sent only lines; null when it sent neither.
 */
export function saleTotalCents(sale: { amountCents?: number; lines?: Omit<EventLineRecord, 'reference'>[] }): number | null {
  if (sale.amountCents !== undefined) return sale.amountCents;
  if (!sale.lines?.length) return null;
  return sale.lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
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
 * point of sale when both name one, sent after the sale happened (a till's clock may run a few
 * minutes fast: a sale up to clockSkewMs after the upload, not at it, as storePurchase counts), whose purchase stands (not refunded in full) and that no earlier sale confirmed.
 * Of several, the one dated the sale's UTC day, then the earliest sent: a till sending Tuesday's
 * sale before Monday's pairs each with its own day.
 *
 * Read under the member's lock, which a reading or an acceptance paying a receipt takes too: the
 * one that comes second sees the other.
 */
export async function paidReceiptOfSale(manager: EntityManager, sale: StoreSale): Promise<PaidReceipt | undefined> {
  const { from, to, utc } = receiptDaysHolding(sale.occurredAt);
  const [receipt]: PaidReceipt[] = await manager.query(
    `WITH RECURSIVE person(id) AS (SELECT $1::uuid UNION SELECT m.id FROM member m JOIN person ON m."mergedIntoId" = person.id)
     SELECT r.id, r."eventId", e."occurredAt" AS "eventOccurredAt", to_char(r."purchasedOn", 'YYYY-MM-DD') AS "purchasedOn"
       FROM receipt r JOIN member_event e ON e.id = r."eventId"
      WHERE r."memberId" IN (SELECT id FROM person) AND r.status = 'awarded' AND r."confirmedByStoreAt" IS NULL
        AND r."partnerId" = $2 AND r."totalCents" = $3 AND r."purchasedOn" BETWEEN $4::date AND $5::date
        AND (r."pointOfSaleId" IS NULL OR $7::uuid IS NULL OR r."pointOfSaleId" = $7::uuid)
        AND r."uploadedAt" > $8 AND e."refundedCents" < e."amountCents"
      ORDER BY abs(r."purchasedOn" - $6::date), r."uploadedAt"
      LIMIT 1`,
    [sale.memberId, sale.partnerId, sale.totalCents, from, to, utc, sale.pointOfSaleId, new Date(sale.occurredAt.getTime() - clockSkewMs)],
  );
  return receipt;
}

/** Locks the purchase event of the receipt a sale may be, before the member's lock (the order refunds and merges take). */
export async function lockPaidReceiptOfSale(manager: EntityManager, sale: StoreSale): Promise<void> {
  const receipt = await paidReceiptOfSale(manager, sale);
  if (receipt)
    await manager.query(`SELECT 1 FROM member_event WHERE id = $1 AND "occurredAt" = $2 FOR UPDATE`, [
      receipt.eventId,
      receipt.eventOccurredAt,
    ]);
}

/**
 * Marks the receipt as the sale the store sent (a later sale of the same total is another
 * purchase), and gives its purchase what the store knows of the sale: the customer's id, and its
 * lines when they make the total and nothing was refunded yet, so the store refunds by its own
 * references. Points, and whatever the purchase earned, stay as the receipt paid them.
 */
export async function confirmReceiptByStore(
  manager: EntityManager,
  receipt: PaidReceipt,
  sale: { customerId: string; lines?: EventLineRecord[]; totalCents: number },
): Promise<void> {
  await manager.query(`UPDATE receipt SET "confirmedByStoreAt" = now() WHERE id = $1 AND "confirmedByStoreAt" IS NULL`, [receipt.id]);
  const lines = sale.lines?.length && saleTotalCents({ lines: sale.lines }) === sale.totalCents ? sale.lines : null;
  await manager.query(
    `UPDATE member_event SET "customerId" = $2, lines = CASE WHEN $3::jsonb IS NOT NULL AND "refundedCents" = 0 THEN $3::jsonb ELSE lines END
      WHERE id = $1 AND "occurredAt" = $4`,
    [receipt.eventId, sale.customerId, lines && JSON.stringify(lines), receipt.eventOccurredAt],
  );
}
